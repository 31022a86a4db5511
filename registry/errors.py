"""Errors that the registry raises; the API turns each into one JSON shape (status, code, message, pointer)."""

from __future__ import annotations


class RegistryError(Exception):
    """A problem the caller can fix, with an HTTP status, a stable code and the JSON pointer of the problem."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, pointer: str | None = None, code: str | None = None, detail: object = None):
        super().__init__(message)
        self.message = message
        self.pointer = pointer
        self.detail = detail
        if code:
            self.code = code


class InvalidInput(RegistryError):
    status = 400
    code = "invalid_input"


class Unprocessable(RegistryError):
    """The input is well formed but breaks a rule of the registry (an invalid schema, an unknown path)."""

    status = 422
    code = "unprocessable"


class Unauthorized(RegistryError):
    status = 401
    code = "unauthorized"


class Forbidden(RegistryError):
    status = 403
    code = "forbidden"


class NotFound(RegistryError):
    status = 404
    code = "not_found"


class Conflict(RegistryError):
    status = 409
    code = "conflict"


class PayloadTooLarge(RegistryError):
    status = 413
    code = "payload_too_large"


class PreconditionRequired(RegistryError):
    status = 428
    code = "precondition_required"


class TooManyRequests(RegistryError):
    status = 429
    code = "too_many_requests"


class ServiceBusy(RegistryError):
    status = 503
    code = "busy"


class DatabaseUnavailable(RegistryError):
    """The database cannot be reached (refused, dropped, out of connections): the caller should come back later."""

    status = 503
    code = "database_unavailable"
