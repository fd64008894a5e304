"""The domain's error family. Each error carries a stable snake_case code the app switches on."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    def __init__(self, code: str, **detail: object) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


class NotFoundError(DomainError):
    """Missing, or outside the caller's scope: the two must read the same."""


class ForbiddenError(DomainError):
    """The caller sees the object but may not do this to it."""


class UnauthenticatedError(DomainError):
    """No valid credentials."""


class RuleViolationError(DomainError):
    """The request is well-formed but breaks a rule."""


class ConflictError(DomainError):
    """The change collides with the current state (duplicate, concurrent edit)."""


class PayloadTooLargeError(DomainError):
    """The content is over a configured size limit."""


class TooManyRequestsError(DomainError):
    """A throttle refused the request; retry after the given number of seconds."""

    def __init__(self, code: str, retry_after: int, **detail: object) -> None:
        super().__init__(code, **detail)
        self.retry_after = retry_after


class StaleVersionError(DomainError):
    """The caller edited an older version than the current one (If-Match mismatch)."""

    def __init__(self, code: str, current_version: int, **detail: object) -> None:
        super().__init__(code, current_version=current_version, **detail)
        self.current_version = current_version


class UnavailableError(DomainError):
    """A part the request needs (the database) does not answer now; retry after some seconds."""

    def __init__(self, code: str, retry_after: int, **detail: object) -> None:
        super().__init__(code, **detail)
        self.retry_after = retry_after
