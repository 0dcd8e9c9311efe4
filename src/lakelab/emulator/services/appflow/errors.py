"""AppFlow's errors: the code goes in ``x-amzn-ErrorType``, the message in the body, as REST-JSON APIs answer."""

from __future__ import annotations

STATUS = {"ValidationException": 400, "ResourceNotFoundException": 404, "ConflictException": 409,
          "AccessDeniedException": 403, "UnsupportedOperationException": 400,
          "ConnectorAuthenticationException": 401, "ServiceQuotaExceededException": 402,
          "InternalServerException": 500}


class AppflowError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message
        self.status = STATUS.get(code, 400)


def validation(message: str) -> AppflowError:
    return AppflowError("ValidationException", message)


def not_found(message: str) -> AppflowError:
    return AppflowError("ResourceNotFoundException", message)


def conflict(message: str) -> AppflowError:
    return AppflowError("ConflictException", message)
