"""The one mapping from errors to RFC 9457 problem details, and their OpenAPI declaration."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.openapi.datastructures import ResponseSpec

from api.http.error_texts import FALLBACK_BY_STATUS, title, validation_text
from api.http.i18n import negotiate
from api.http.metrics import PROBLEMS
from domain.errors import (
    ConflictError,
    DomainError,
    ForbiddenError,
    NotFoundError,
    PayloadTooLargeError,
    RuleViolationError,
    StaleVersionError,
    TooManyRequestsError,
    UnauthenticatedError,
    UnavailableError,
)

log = logging.getLogger("chibo.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"


class PreconditionRequiredError(DomainError):
    """An update came without If-Match: offline edits must say which version they change."""


class MalformedBodyError(DomainError):
    """The body is not JSON, or not UTF-8."""


class UnsupportedMediaTypeError(DomainError):
    """A JSON body came without saying so in Content-Type."""


STATUS_BY_ERROR: dict[type[DomainError], int] = {
    StaleVersionError: 412,
    PreconditionRequiredError: 428,
    NotFoundError: 404,
    ForbiddenError: 403,
    UnauthenticatedError: 401,
    RuleViolationError: 422,
    ConflictError: 409,
    TooManyRequestsError: 429,
    PayloadTooLargeError: 413,
    MalformedBodyError: 400,
    UnsupportedMediaTypeError: 415,
    UnavailableError: 503,
}

DESCRIPTIONS = {
    400: "Malformed request: a body that is not JSON, a parameter of the wrong type",
    401: "Missing, expired or revoked access token",
    403: "Visible, but the caller may not do this",
    404: "Missing, or outside the caller's scope",
    409: "Conflicts with the current state",
    413: "Request body over the limit",
    415: "A JSON body sent without `Content-Type: application/json`",
    422: "Invalid input or a broken rule",
    412: "If-Match names an older version; currentVersion is in the body",
    428: "If-Match is required on this update",
    429: "Throttled; see Retry-After",
    503: "The database is unavailable for now; see Retry-After",
}


class FieldError(msgspec.Struct, kw_only=True):
    field: str
    message: str


class Problem(msgspec.Struct, kw_only=True, rename="camel", omit_defaults=True):
    """RFC 9457 problem details with a stable ``code``."""

    type: str
    title: str
    status: int
    code: str
    # X-Request-Id of the reply, set for every request before anything else runs (api/app.py)
    request_id: str
    detail: str | None = None
    errors: list[FieldError] | None = None
    missing: list[str] | None = None
    current_version: int | None = None


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI declaration of the problem replies a handler can give. 400 is always among them:
    Litestar's own declaration of it names JSON, while the reply is a problem document; and so
    is 503: any handler can meet the database down."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=DESCRIPTIONS[status],
            media_type=PROBLEM_MEDIA_TYPE,
        )
        for status in sorted({400, 503, *statuses})
    }


def problem_response(
    request: Request[Any, Any, Any],
    status: int,
    code: str,
    *,
    detail: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response[Problem]:
    PROBLEMS.labels(str(status), code).inc()
    locale = negotiate(request.headers.get("accept-language"))
    body = Problem(
        type=f"urn:chibo:problem:{code}",
        title=title(code, locale),
        status=status,
        code=code,
        detail=detail,
        errors=errors,
        request_id=request.scope.get("state", {}).get("request_id", ""),
        **(extra or {}),
    )
    return Response(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def domain_error_handler(request: Request[Any, Any, Any], error: Exception) -> Response[Problem]:
    assert isinstance(error, DomainError)  # noqa: S101 - registered for DomainError only
    status = next(s for cls, s in STATUS_BY_ERROR.items() if isinstance(error, cls))
    headers = None
    if isinstance(error, TooManyRequestsError | UnavailableError):
        headers = {"Retry-After": str(error.retry_after)}
    errors = [FieldError(field=f, message=m) for f, m in error.detail.get("errors", [])]  # type: ignore[attr-defined]
    extra: dict[str, Any] = {
        k: error.detail[k] for k in ("missing", "current_version") if k in error.detail
    }
    return problem_response(
        request, status, error.code, headers=headers, errors=errors or None, extra=extra
    )


def validation_error_handler(
    request: Request[Any, Any, Any], error: Exception
) -> Response[Problem]:
    assert isinstance(error, ValidationException)  # noqa: S101
    locale = negotiate(request.headers.get("accept-language"))
    errors = [
        FieldError(
            field=str(e.get("key", "body")),
            message=validation_text(str(e.get("message", "")), locale),
        )
        for e in (error.extra if isinstance(error.extra, list) else [])
        if isinstance(e, dict)
    ]
    detail = validation_text(error.detail, locale)
    return problem_response(request, 422, "validation_failed", detail=detail, errors=errors)


def http_error_handler(request: Request[Any, Any, Any], error: Exception) -> Response[Problem]:
    assert isinstance(error, HTTPException)  # noqa: S101
    status = error.status_code
    if isinstance(error, NotAuthorizedException):
        status = 401
    code = FALLBACK_BY_STATUS.get(status, "bad_request")
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None  # noqa: PLR2004
    if status == 405:  # noqa: PLR2004
        headers = dict(error.headers or {})
    return problem_response(request, status, code, headers=headers)


def internal_error_handler(request: Request[Any, Any, Any], error: Exception) -> Response[Problem]:
    log.error(
        "unhandled error",
        exc_info=error,
        extra={"request_id": request.scope.get("state", {}).get("request_id")},
    )
    return problem_response(request, 500, "internal_error")


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    DomainError: domain_error_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}
