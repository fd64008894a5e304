"""Request bodies taken as raw bytes (CSV files, uploads), documented in the OpenAPI contract.

Litestar parses a ``data`` parameter by its media type and knows only JSON, form data and
MessagePack: ``data: bytes`` with any other media type is decoded as JSON and refused with 400.
The raw body arrives in ``body: RawBody`` instead, which Litestar leaves out of the OpenAPI
document; the operation class made here puts it back.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema


def raw_body_operation(media_type: str, description: str, *, binary: bool) -> type[Operation]:
    """An ``operation_class`` for a handler that reads ``body: RawBody`` of ``media_type``."""
    schema = Schema(type=OpenAPIType.STRING, format="binary" if binary else None)  # type: ignore[arg-type]

    @dataclass
    class RawBodyOperation(Operation):
        def __post_init__(self) -> None:
            self.request_body = RequestBody(
                content={media_type: OpenAPIMediaType(schema=schema)},
                description=description,
                required=True,
            )

    return RawBodyOperation
