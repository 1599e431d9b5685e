"""How the API reports errors: one JSON shape per kind of failure, the same for every module.

- A request that does not fit the schema, or that a service refuses (``ValidationError``):
  422 ``{"detail": [{"field": "name", "message": "..."}]}``. ``field`` is null when the problem is
  with the record as a whole (for example a duplicate name).
- ``PermissionDenied`` from a service: 403 ``{"detail": "..."}``.
- A record another partnership owns, or that does not exist: 404 (its existence is not disclosed).
- ``ConcurrentEditError`` (the ``version`` sent is not the stored one): 409 with the current version.

Messages say what to fix. Nothing here is logged: request bodies can hold personal data.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied, ValidationError
from ninja import Schema
from ninja.errors import ValidationError as RequestValidationError

from safeguard.core.concurrency import ConcurrentEditError


class ErrorOut(Schema):
    detail: str


class FieldError(Schema):
    field: str | None
    message: str


class ValidationErrorOut(Schema):
    detail: list[FieldError]


class ConflictOut(Schema):
    detail: str
    current_version: int | None


#: Responses every read of one record can give, for the OpenAPI documentation.
READ_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
#: Responses every write can give.
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut, 409: ConflictOut}

_MISSING = "Add this field: it is required."


def _request_error_field(loc) -> str | None:
    """``("body", "payload", "name")`` -> ``"name"``; ``("query", "limit")`` -> ``"limit"``."""
    parts = [str(part) for part in loc]
    parts = parts[2:] if parts and parts[0] == "body" else parts[1:]
    return ".".join(parts) or None


def request_validation_details(errors: list[dict]) -> list[dict]:
    details = []
    for error in errors:
        message = str(error.get("msg", "This value is not valid."))
        if error.get("type") == "missing":
            message = _MISSING
        message = message.removeprefix("Value error, ")
        details.append({"field": _request_error_field(error.get("loc", ())), "message": message})
    return details


def service_validation_details(exc: ValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": None if field == NON_FIELD_ERRORS else field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": None, "message": message} for message in exc.messages]


def conflict_message(exc: ConcurrentEditError) -> str:
    return (
        "This record has changed since you read it, so nothing was saved. "
        f"Read it again (it is now version {exc.current_version}), reapply your changes "
        "and send them with the new version."
    )


def register_error_handlers(api) -> None:
    """Install the handlers above on a ``NinjaAPI``."""

    def on_request_error(request, exc: RequestValidationError):
        return api.create_response(request, {"detail": request_validation_details(exc.errors)}, status=422)

    def on_service_error(request, exc: ValidationError):
        return api.create_response(request, {"detail": service_validation_details(exc)}, status=422)

    def on_permission_denied(request, exc: PermissionDenied):
        message = str(exc) or "You do not have permission to do this."
        return api.create_response(request, {"detail": message}, status=403)

    def on_not_found(request, exc: ObjectDoesNotExist):
        return api.create_response(request, {"detail": "Not found."}, status=404)

    def on_conflict(request, exc: ConcurrentEditError):
        body = {"detail": conflict_message(exc), "current_version": exc.current_version}
        return api.create_response(request, body, status=409)

    api.add_exception_handler(RequestValidationError, on_request_error)
    api.add_exception_handler(ValidationError, on_service_error)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(ObjectDoesNotExist, on_not_found)
    api.add_exception_handler(ConcurrentEditError, on_conflict)
