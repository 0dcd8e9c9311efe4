"""What Lambda refuses at CreateFunction / Update* time, refused here with Lambda's words.

Runtimes follow AWS's calendar (``runtimes.py``): a Python runtime past its "block function
create" date is refused at CreateFunction, past its "block function update" date at updates.
Plus one refusal of our own: runtimes this emulator cannot run (anything but Python, and
container images), so the learner hears it when deploying rather than on the first invoke.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.awslambda import runtimes

RESERVED_VARIABLES = (
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
)


class InvalidRequestContentException(seam.LambdaClientError):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("InvalidRequestContentException", message)


def check_function_spec(spec: dict[str, Any]) -> None:
    if spec.get("PackageType") == "Image":
        raise seam.InvalidParameterValueException(
            "The local emulator cannot run container-image functions: package the code as a .zip "
            "(PackageType Zip) with a Python runtime."
        )
    check_runtime(spec.get("Runtime"))
    check_variables((spec.get("Environment") or {}).get("Variables") or {})


def check_runtime(runtime: str | None, for_update: bool = False) -> None:
    """Refuse a runtime AWS has blocked (for creation, or ``for_update``) or this emulator cannot run."""
    if runtime not in runtimes.BY_IDENTIFIER:
        raise seam.InvalidParameterValueException(
            f"The local emulator runs Python functions only ({', '.join(runtimes.creatable())}); "
            f"{runtime or 'a function without a Runtime'} needs a real AWS account or LocalStack with Docker."
        )
    if runtimes.blocked(runtime, for_update=for_update):
        raise seam.InvalidParameterValueException(runtimes.refusal(runtime))


def check_variables(variables: dict[str, Any]) -> None:
    reserved = [name for name in variables if name in RESERVED_VARIABLES]
    if reserved:
        raise seam.InvalidParameterValueException(
            "Lambda was unable to configure your environment variables because the environment variables you "
            "have provided contains reserved keys that are currently not supported for modification. "
            f"Reserved keys used in this request: {', '.join(reserved)}"
        )


def check_package(package: bytes) -> None:
    if not package:
        return  # moto leaves the code empty when it is in S3 and S3 validation is off
    try:
        with zipfile.ZipFile(io.BytesIO(package)) as archive:
            archive.testzip()
    except (zipfile.BadZipFile, ValueError):
        raise seam.InvalidParameterValueException(
            "Could not unzip uploaded file. Please check your file, then try to upload again."
        ) from None


def event_text(body: str | bytes | None) -> str:
    """The invocation payload as JSON text; Lambda refuses what is not JSON."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    if not body:
        return "{}"  # an empty payload reaches the handler as an empty object
    try:
        json.loads(body)
    except ValueError as error:
        raise InvalidRequestContentException(f"Could not parse request body into json: {error}") from None
    return body
