"""The replacements this package's ``PATCHES`` install in moto's Lambda model.

Replacing methods on moto's classes, not on one backend object, reaches every path that ends in
a function: the Invoke API, S3 notifications (``moto.s3.notifications._invoke_awslambda`` calls
``LambdaFunction.invoke``), SNS subscriptions and moto's DynamoDB-stream push.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from lakelab.emulator import dispatch, seam
from lakelab.emulator.common import s3_objects
from lakelab.emulator.services.awslambda import event_sources, functions, invocation, validation


def invoke(fn: Any, body: Any, request_headers: Any, response_headers: dict[str, str]) -> bytes:
    """``LambdaFunction.invoke``: run the handler for real (the three invocation types of Invoke)."""
    headers = {str(k).lower(): v for k, v in dict(request_headers or {}).items()}
    invocation_type = headers.get("x-amz-invocation-type", "RequestResponse")
    event = validation.event_text(body)
    if invocation_type == "DryRun":
        return b""  # validated, not run: moto answers 204
    version = functions.snapshot(fn)
    context = invocation.client_context_from_header(headers.get("x-amz-client-context"))
    if invocation_type == "Event":
        dispatch.submit(lambda: invocation.run(version, event, fn.function_arn, context))
        return b""  # moto answers 202 at once; the handler runs after the answer, as on AWS
    outcome = invocation.run(version, event, fn.function_arn, context)
    response_headers["x-amz-executed-version"] = version.version
    if outcome.function_error:
        response_headers["x-amz-function-error"] = "Unhandled"
    if headers.get("x-amz-log-type") == "Tail":
        response_headers["x-amz-log-result"] = outcome.log.tail()
    return outcome.payload


def checked_create(original: Any) -> Any:
    def create_function(self: Any, spec: dict[str, Any]) -> Any:
        validation.check_function_spec(spec)
        validation.check_package(_package(spec.get("Code") or {}, self.account_id))
        return original(self, spec)

    return create_function


def checked_configuration_update(original: Any) -> Any:
    def update_configuration(self: Any, config_updates: dict[str, Any]) -> Any:
        validation.check_runtime(config_updates.get("Runtime") or self.run_time, for_update=True)
        validation.check_variables((config_updates.get("Environment") or {}).get("Variables") or {})
        answer = original(self, config_updates)
        _touched(self)
        invocation.workers.retire(self.account_id, self.region, self.function_name, str(self.version))
        return answer

    return update_configuration


def checked_code_update(original: Any) -> Any:
    def update_function_code(self: Any, updated_spec: dict[str, Any]) -> Any:
        validation.check_runtime(self.run_time, for_update=True)
        validation.check_package(_package(updated_spec, self.account_id))
        answer = original(self, updated_spec)
        _touched(self)
        invocation.workers.retire(self.account_id, self.region, self.function_name, str(self.version))
        return answer

    return update_function_code


def _touched(function: Any) -> None:
    # LastModified is "the date and time that the function was last updated" (Lambda API reference,
    # FunctionConfiguration, "YYYY-MM-DDThh:mm:ss.sTZD"): moto sets it at create and publish only.
    function.last_modified = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


def delete_stops_workers(original: Any) -> Any:
    def delete_function(self: Any, function_name: str, qualifier: str | None = None) -> None:
        name = self.get_function(function_name, qualifier).function_name
        original(self, function_name, qualifier)
        invocation.workers.retire(self.account_id, self.region_name, name, qualifier)

    return delete_function


def mapping_starts_poller(original: Any) -> Any:
    def create_event_source_mapping(self: Any, spec: dict[str, Any]) -> Any:
        event_sources.check_spec(spec)
        esm = original(self, spec)
        event_sources.start(esm)
        return esm

    return create_event_source_mapping


def delivered_later(original: Any) -> Any:
    # SNS invokes Lambda asynchronously on AWS; moto would run the handler inside Publish.
    def send_sns_message(self: Any, *args: Any, **kwargs: Any) -> None:
        dispatch.submit(lambda: original(self, *args, **kwargs))

    return send_sns_message



def honours_qualifier(original: Any) -> Any:
    # moto reads "qualifier" but the SDKs send "?Qualifier=": without this, Invoke ignores versions.
    def invoke_response(self: Any) -> Any:
        if "Qualifier" in self.querystring:
            self.querystring.setdefault("qualifier", self.querystring["Qualifier"])
        return original(self)

    return invoke_response


def _package(code: dict[str, Any], account_id: str) -> bytes:
    """The zip bytes of a Code / UpdateFunctionCode spec (empty when moto will complain itself)."""
    if code.get("ZipFile"):
        return seam.lambda_zipfile_content(code["ZipFile"])[0]
    if code.get("S3Bucket") and code.get("S3Key"):
        try:
            return s3_objects.read_bytes(code["S3Bucket"], code["S3Key"], account_id)
        except Exception:
            return b""  # a missing object: moto's own check answers that
    return b""
