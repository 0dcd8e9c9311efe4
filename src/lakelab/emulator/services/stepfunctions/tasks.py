"""Task states whose integrations differ from moto's interpreter: error names, Glue's and Athena's ``.sync``.

:func:`state_task_for` replaces the interpreter's factory of Task states:

- ``lambda:invoke`` and a bare function ARN fail, when Lambda refuses the call, with AWS's error
  names: ``Lambda.<ErrorCode>`` for the errors Lambda's API declares (``Lambda.ResourceNotFoundException``),
  ``Lambda.AWSLambdaException`` for the others -- an IAM denial among them -- and a cause that ends
  ``(Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException; Request ID: ...; Proxy: null)``.
- ``glue:startJobRun.sync`` waits for the run (moto's interpreter failed at the end of every wait);
  a run that ends FAILED, ERROR or TIMEOUT fails the task with ``States.TaskFailed`` and, as cause,
  the job run as GetJobRun describes it.
- ``aws-sdk:<service>:<action>`` fails with ``<Service>.<Exception>`` (``Glue.EntityNotFoundException``)
  and reaches the service botocore names for the SDK's name (``emrserverless`` is ``emr-serverless``).
- ``athena:startQueryExecution`` (``.sync`` waits for the query), ``getQueryExecution``,
  ``getQueryResults`` and ``stopQueryExecution``; moto's interpreter forwarded Athena only as
  ``.waitForTaskToken``. A query that ends FAILED or CANCELLED fails the task with
  ``States.TaskFailed`` and the GetQueryExecution answer as cause.

> Fidelity note: a failed Glue run's error and cause (``States.TaskFailed``, the run as JSON) are
> those of the interpreter moto ships, and Athena's follow them; neither was observed on AWS here.
> Timestamps in these answers are epoch milliseconds, as Step Functions' SDK writes them.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.stepfunctions import transport
from lakelab.emulator.services.stepfunctions.definition_fields import botocore_service_name

_ATHENA_ACTIONS = {
    "startqueryexecution": {"QueryString", "ClientRequestToken", "QueryExecutionContext", "ResultConfiguration",
                            "WorkGroup", "ExecutionParameters", "ResultReuseConfiguration"},
    "stopqueryexecution": {"QueryExecutionId"},
    "getqueryexecution": {"QueryExecutionId"},
    "getqueryresults": {"QueryExecutionId", "NextToken", "MaxResults"},
}
# The AWS SDK's names of services in error names, where they are not the name with a capital.
_SDK_ERROR_PREFIXES = {"dynamodb": "DynamoDb", "sfn": "Sfn", "s3": "S3", "sqs": "Sqs", "sns": "Sns", "ec2": "Ec2",
                       "iam": "Iam", "sts": "Sts", "ssm": "Ssm", "kms": "Kms", "emrserverless": "EmrServerless",
                       "secretsmanager": "SecretsManager", "cloudwatchlogs": "CloudWatchLogs",
                       "lakeformation": "LakeFormation", "redshiftdata": "RedshiftData", "eventbridge": "EventBridge"}
_QUERY_RUNNING = ("QUEUED", "RUNNING")
_JOB_RUNNING = ("STARTING", "RUNNING", "STOPPING", "WAITING")


def state_task_for(factory: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The interpreter's factory of Task states, with this module's integrations in place of moto's."""

    def task_for(resource: Any) -> Any:
        if isinstance(resource, seam.sfn_lambda_resource):
            return LambdaFunctionTask()
        if isinstance(resource, seam.sfn_service_resource):
            replacement = {"lambda": LambdaInvokeTask, "glue": GlueTask, "athena": AthenaTask,
                           "aws-sdk": AwsSdkTask}.get(resource.service_name)
            if replacement is not None:
                return replacement()
        return factory(resource)

    return task_for


@functools.lru_cache(maxsize=1)
def _lambda_declared_errors() -> frozenset[str]:
    import botocore.session

    model = botocore.session.get_session().get_service_model("lambda")
    return frozenset(shape.name for shape in model.error_shapes)


def lambda_error(client_error: Any) -> tuple[str, str]:
    """(error, cause) of a call Lambda refused, named as Step Functions names them."""
    code = client_error.response["Error"]["Code"]
    metadata = client_error.response["ResponseMetadata"]
    details = "; ".join(["Service: AWSLambda", f"Status Code: {metadata['HTTPStatusCode']}", f"Error Code: {code}",
                         f"Request ID: {metadata.get('RequestId', '')}", "Proxy: null"])
    name = code if code in _lambda_declared_errors() else "AWSLambdaException"
    return f"Lambda.{name}", f"{client_error.response['Error']['Message']} ({details})"


def _task_failed(task: Any, env: Any, error: str, cause: str) -> Any:
    details = seam.sfn_task_failed_event_details(error=error, cause=cause, resource=task._get_sfn_resource(),
                                                 resourceType=task._get_sfn_resource_type())
    return seam.sfn_failure_event(env=env, error_name=seam.sfn_custom_error_name(error),
                                  event_type=seam.sfn_history_event_type.TaskFailed,
                                  event_details=seam.sfn_event_details(taskFailedEventDetails=details))


def _states_task_failed(task: Any, env: Any, cause: str) -> Exception:
    name = seam.sfn_states_error_name_type.StatesTaskFailed
    details = seam.sfn_task_failed_event_details(error=name.to_name(), cause=cause, resource=task._get_sfn_resource(),
                                                 resourceType=task._get_sfn_resource_type())
    event = seam.sfn_failure_event(env=env, error_name=seam.sfn_states_error_name(typ=name),
                                   event_type=seam.sfn_history_event_type.TaskFailed,
                                   event_details=seam.sfn_event_details(taskFailedEventDetails=details))
    return seam.sfn_failure_event_exception(failure_event=event)


def _is_client_error(error: Exception) -> bool:
    from botocore.exceptions import ClientError

    return isinstance(error, ClientError)


class AwsSdkTask(seam.StateTaskServiceAwsSdk):
    """``arn:aws:states:::aws-sdk:<service>:<action>``, its errors named ``<Service>.<Exception>`` as AWS names
    them (``Glue.EntityNotFoundException``; moto's interpreter wrote ``glue.``)."""

    @staticmethod
    def _normalise_service_error_name(service_name: str) -> str:
        known = _SDK_ERROR_PREFIXES.get(service_name.lower())
        return known or service_name[:1].upper() + service_name[1:]

    def _get_boto_service_name(self, boto_service_name: str | None = None) -> str:
        return botocore_service_name(boto_service_name or self.resource.api_name)


class LambdaInvokeTask(seam.StateTaskServiceLambda):
    """``arn:aws:states:::lambda:invoke``, failing with AWS's error names."""

    def _from_error(self, env: Any, ex: Exception) -> Any:
        if _is_client_error(ex):
            return _task_failed(self, env, *lambda_error(ex))
        return super()._from_error(env, ex)


class LambdaFunctionTask(seam.StateTaskLambda):
    """A function ARN as the Task's resource, failing with AWS's error names."""

    def _from_error(self, env: Any, ex: Exception) -> Any:
        if not _is_client_error(ex):
            return super()._from_error(env, ex)
        error, cause = lambda_error(ex)
        details = seam.sfn_lambda_function_failed_event_details(error=error, cause=cause)
        return seam.sfn_failure_event(env=env, error_name=seam.sfn_custom_error_name(error),
                                      event_type=seam.sfn_history_event_type.LambdaFunctionFailed,
                                      event_details=seam.sfn_event_details(lambdaFunctionFailedEventDetails=details))


def _sync_patterns() -> set[Any]:
    """The interpreter's ``.sync`` wait ends by interrupting the task's callback endpoint, which it
    makes only for integrations that accept task tokens: Glue's and Athena's say they do (the
    definition check refuses ``.waitForTaskToken`` where AWS does)."""
    condition = seam.sfn_resource_condition
    return {condition.Sync, condition.WaitForTaskToken}


def in_epoch_milliseconds(value: Any) -> Any:
    """Timestamps as Step Functions writes a service's answer into the state: epoch milliseconds."""
    if isinstance(value, dt.datetime):
        return int(value.timestamp() * 1000)
    if isinstance(value, dict):
        return {key: in_epoch_milliseconds(part) for key, part in value.items()}
    if isinstance(value, list):
        return [in_epoch_milliseconds(part) for part in value]
    return value


class GlueTask(seam.StateTaskServiceGlue):
    """``arn:aws:states:::glue:startJobRun[.sync]``: the run is started as the state machine's role."""

    def __init__(self) -> None:
        super().__init__()
        self._supported_integration_patterns = _sync_patterns()

    def _build_sync_resolver(self, env: Any, resource_runtime_part: Any, normalised_parameters: dict[str, Any],
                             state_credentials: Any) -> Callable[[], Any]:
        started = env.stack.pop()
        job_name, run_id = started["JobName"], started["JobRunId"]
        glue = transport.client_for(resource_runtime_part.region, "glue", state_credentials)

        def finished() -> Any:
            run = in_epoch_milliseconds(glue.get_job_run(JobName=job_name, RunId=run_id)["JobRun"])
            run["JobName"] = job_name
            if run["JobRunState"] in _JOB_RUNNING:
                return None
            if run["JobRunState"] in ("SUCCEEDED", "STOPPED"):
                return run
            raise _states_task_failed(self, env, seam.sfn_to_json_str(run, separators=(",", ":")))

        return finished


class AthenaTask(seam.StateTaskServiceCallback):
    """``arn:aws:states:::athena:<action>[.sync]``: the query runs as the state machine's role."""

    def __init__(self) -> None:
        super().__init__(supported_integration_patterns=_sync_patterns())

    def _get_supported_parameters(self) -> set[str] | None:
        return _ATHENA_ACTIONS.get(self.resource.api_action.lower())

    def _from_error(self, env: Any, ex: Exception) -> Any:
        if _is_client_error(ex):
            code = ex.response["Error"]["Code"]  # type: ignore[attr-defined]
            return _task_failed(self, env, f"Athena.{code}", ex.response["Error"]["Message"])  # type: ignore[attr-defined]
        return super()._from_error(env, ex)

    def _client(self, runtime: Any, credentials: Any) -> Any:
        return transport.client_for(runtime.region, "athena", credentials)

    def _eval_service_task(self, env: Any, resource_runtime_part: Any, normalised_parameters: dict[str, Any],
                           state_credentials: Any) -> None:
        operation = getattr(self._client(resource_runtime_part, state_credentials), self._get_boto_service_action())
        answer = in_epoch_milliseconds(operation(**normalised_parameters))
        answer.pop("ResponseMetadata", None)
        env.stack.append(answer)

    def _build_sync_resolver(self, env: Any, resource_runtime_part: Any, normalised_parameters: dict[str, Any],
                             state_credentials: Any) -> Callable[[], Any]:
        if self.resource.api_action.lower() != "startqueryexecution":
            raise RuntimeError(f"Unsupported .sync callback procedure in resource {self.resource.resource_arn}")
        query_id = env.stack.pop()["QueryExecutionId"]
        athena = self._client(resource_runtime_part, state_credentials)

        def finished() -> Any:
            described = in_epoch_milliseconds(athena.get_query_execution(QueryExecutionId=query_id))
            described.pop("ResponseMetadata", None)
            state = described["QueryExecution"]["Status"]["State"]
            if state in _QUERY_RUNNING:
                return None
            if state == "SUCCEEDED":
                return described
            raise _states_task_failed(self, env, seam.sfn_to_json_str(described, separators=(",", ":")))

        return finished
