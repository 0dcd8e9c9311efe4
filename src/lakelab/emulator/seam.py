"""The one seam to moto: every moto internal Lake Labs touches is named here, and only here.

Extensions never import moto. They read moto's classes, backends, exceptions and helpers as
attributes of this module (``seam.S3Backend``, ``seam.backend("s3", account)``), resolved lazily
from :data:`SYMBOLS`, and they change moto's behaviour only through :class:`Patch` records
(installed by :func:`patch`, exactly once each; the registry installs a service's patches
together, in a fixed order, whatever service is called first). :func:`chain` shows what wraps
an attribute, :func:`original` what moto had.

Upgrading moto: bump the pin, run ``pytest tests/emulator/test_seam.py``; a missing symbol fails
there by name.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

# name -> "module:attribute" of every moto internal the extensions use or patch.
SYMBOLS: dict[str, str] = {
    # accounts and backends
    "iam_backends": "moto.iam.models:iam_backends",
    "sts_backends": "moto.sts.models:sts_backends",
    "STSBackend": "moto.sts.models:STSBackend",
    "s3_backends": "moto.s3.models:s3_backends",
    "get_partition": "moto.utilities.utils:get_partition",
    "utcnow": "moto.core.utils:utcnow",
    "mock_random": "moto.moto_api._internal:mock_random",
    # the server
    "DomainDispatcherApplication": "moto.moto_server.werkzeug_app:DomainDispatcherApplication",
    "create_backend_app": "moto.moto_server.werkzeug_app:create_backend_app",
    "MotoRequestHandler": "moto.moto_server.werkzeug_app:MotoRequestHandler",
    # core responses and errors
    "ActionResult": "moto.core.responses:ActionResult",
    "EmptyResult": "moto.core.responses:EmptyResult",
    "JsonRESTError": "moto.core.exceptions:JsonRESTError",
    # s3
    "S3Backend": "moto.s3.models:S3Backend",
    "S3Response": "moto.s3.responses:S3Response",
    "FakeBucket": "moto.s3.models:FakeBucket",
    "FakeDeleteMarker": "moto.s3.models:FakeDeleteMarker",
    # logs
    "LogsResponse": "moto.logs.responses:LogsResponse",
    "LogsInvalidParameterException": "moto.logs.exceptions:InvalidParameterException",
    "PublicAccessBlock": "moto.s3.models:PublicAccessBlock",
    "s3_notifications": "moto.s3.notifications:",
    "S3ClientError": "moto.s3.exceptions:S3ClientError",
    "InvalidArgumentError": "moto.s3.exceptions:InvalidArgumentError",
    "MissingBucket": "moto.s3.exceptions:MissingBucket",
    # iam (managed policies, policy statements)
    "IAMBackend": "moto.iam.models:IAMBackend",
    "IAMResponse": "moto.iam.responses:IamResponse",
    "AWSManagedPolicy": "moto.iam.models:AWSManagedPolicy",
    "aws_managed_policies_data": "moto.iam.aws_managed_policies:aws_managed_policies_data",
    "IAMPolicyStatement": "moto.iam.access_control:IAMPolicyStatement",
    "PermissionResult": "moto.iam.access_control:PermissionResult",
    "CONDITION_OPERATIONS": "moto.iam.policy_conditions:CONDITION_OPERATIONS",
    # awslambda
    "LambdaBackend": "moto.awslambda.models:LambdaBackend",
    "LambdaFunction": "moto.awslambda.models:LambdaFunction",
    "LambdaResponse": "moto.awslambda.responses:LambdaResponse",
    "lambda_zipfile_content": "moto.awslambda.models:_zipfile_content",
    "lambda_backend": "moto.awslambda.utils:get_backend",
    "LambdaClientError": "moto.awslambda.exceptions:LambdaClientError",
    "InvalidParameterValueException": "moto.awslambda.exceptions:InvalidParameterValueException",
    "UnknownFunctionException": "moto.awslambda.exceptions:UnknownFunctionException",
    # glue
    "GlueBackend": "moto.glue.models:GlueBackend",
    "GlueResponse": "moto.glue.responses:GlueResponse",
    "FakeCrawler": "moto.glue.models:FakeCrawler",
    "FakeJob": "moto.glue.models:FakeJob",
    "FakeTable": "moto.glue.models:FakeTable",
    "FakePartition": "moto.glue.models:FakePartition",
    "GlueClientError": "moto.glue.exceptions:GlueClientError",
    "CrawlerRunningException": "moto.glue.exceptions:CrawlerRunningException",
    "CrawlerNotRunningException": "moto.glue.exceptions:CrawlerNotRunningException",
    "ConcurrentRunsExceededException": "moto.glue.exceptions:ConcurrentRunsExceededException",
    "GlueTriggerPredicate": "moto.glue.utils:Predicate",
    "GlueTriggerAction": "moto.glue.utils:Action",
    # emrserverless
    "EMRServerlessBackend": "moto.emrserverless.models:EMRServerlessBackend",
    "EMRServerlessResponse": "moto.emrserverless.responses:EMRServerlessResponse",
    "EMRServerlessValidationException": "moto.emrserverless.exceptions:ValidationException",
    # kinesis
    "KinesisBackend": "moto.kinesis.models:KinesisBackend",
    "KinesisStream": "moto.kinesis.models:Stream",
    "KinesisShard": "moto.kinesis.models:Shard",
    "KinesisRecord": "moto.kinesis.models:Record",
    "KinesisResponse": "moto.kinesis.responses:KinesisResponse",
    # sns
    "SNSBackend": "moto.sns.models:SNSBackend",
    "SNSSubscription": "moto.sns.models:Subscription",
    "SNSResponse": "moto.sns.responses:SNSResponse",
    "SNSInvalidParameter": "moto.sns.exceptions:SNSInvalidParameter",
    # athena
    "AthenaResponse": "moto.athena.responses:AthenaResponse",
    # redshift (clusters' IAM roles, for COPY, UNLOAD and Spectrum)
    "RedshiftResponse": "moto.redshift.responses:RedshiftResponse",
    "RedshiftBackend": "moto.redshift.models:RedshiftBackend",
    "RedshiftCluster": "moto.redshift.models:Cluster",
    # --- rds (a postgres instance runs a real server) and dms (tasks that replicate) ---
    "RDSBackend": "moto.rds.models:RDSBackend",
    "RDSDBInstance": "moto.rds.models:DBInstance",
    "RDSInvalidParameterValue": "moto.rds.exceptions:InvalidParameterValue",
    "RDSInvalidParameterCombination": "moto.rds.exceptions:InvalidParameterCombination",
    "RDSInvalidDBInstanceStateError": "moto.rds.exceptions:InvalidDBInstanceStateError",
    "DMSBackend": "moto.dms.models:DatabaseMigrationServiceBackend",
    "DMSResponse": "moto.dms.responses:DatabaseMigrationServiceResponse",
    "DMSReplicationTask": "moto.dms.models:FakeReplicationTask",
    "DMSResourceNotFoundFault": "moto.dms.exceptions:ResourceNotFoundFault",
    "DMSInvalidResourceStateFault": "moto.dms.exceptions:InvalidResourceStateFault",
    "DMSResourceAlreadyExistsFault": "moto.dms.exceptions:ResourceAlreadyExistsFault",
    # --- cloudtrail ---
    "CloudTrailResponse": "moto.cloudtrail.responses:CloudTrailResponse",
    "CloudTrailBackend": "moto.cloudtrail.models:CloudTrailBackend",
    "CloudTrailTrail": "moto.cloudtrail.models:Trail",
    "cloudtrail_backends": "moto.cloudtrail.models:cloudtrail_backends",
    "S3BucketDoesNotExistException": "moto.cloudtrail.exceptions:S3BucketDoesNotExistException",
    # --- firehose ---
    "FirehoseBackend": "moto.firehose.models:FirehoseBackend",
    "FirehoseInvalidArgumentException": "moto.firehose.exceptions:InvalidArgumentException",
    "FirehoseValidationException": "moto.firehose.exceptions:ValidationException",
    "FirehoseResourceNotFoundException": "moto.firehose.exceptions:ResourceNotFoundException",
    # --- cloudwatch (alarms evaluated, metric math, dashboards) ---
    "CloudWatchBackend": "moto.cloudwatch.models:CloudWatchBackend",
    "CloudWatchResponse": "moto.cloudwatch.responses:CloudWatchResponse",
    "CloudWatchAlarm": "moto.cloudwatch.models:Alarm",
    "CloudWatchMetricDatum": "moto.cloudwatch.models:MetricDatum",
    "CloudWatchAggregatedDatum": "moto.cloudwatch.models:MetricAggregatedDatum",
    "CloudWatchValidationError": "moto.cloudwatch.exceptions:ValidationError",
    "CloudWatchInvalidParameterValue": "moto.cloudwatch.exceptions:InvalidParameterValue",
    "CloudWatchInvalidParameterCombination": "moto.cloudwatch.exceptions:InvalidParameterCombination",
    "CloudWatchResourceNotFound": "moto.cloudwatch.exceptions:ResourceNotFound",
    "CloudWatchDashboardInvalidInput": "moto.cloudwatch.exceptions:DashboardInvalidInputError",
    # --- logs (metric filters, subscription filters, Logs Insights) ---
    "LogsBackend": "moto.logs.models:LogsBackend",
    "LogsLogStream": "moto.logs.models:LogStream",
    "LogsLogEvent": "moto.logs.models:LogEvent",
    "LogsResourceNotFound": "moto.logs.exceptions:ResourceNotFoundException",
    # --- kms (key rotation; S3's use of SSE-KMS keys) ---
    "KmsResponse": "moto.kms.responses:KmsResponse",
    # --- iam enforcement ---
    "MalformedPolicyDocument": "moto.iam.exceptions:MalformedPolicyDocument",
    "IAMTrustPolicyDocumentValidator": "moto.iam.policy_validation:IAMTrustPolicyDocumentValidator",
    # --- stepfunctions (moto's API, and LocalStack's interpreter that moto ships as its parser) ---
    "StepFunctionResponse": "moto.stepfunctions.responses:StepFunctionResponse",
    "StepFunctionsParserBackend": "moto.stepfunctions.parser.models:StepFunctionsParserBackend",
    "SfnSyncExecution": "moto.stepfunctions.parser.backend.execution:SyncExecution",
    "AmazonStateLanguageParser": "moto.stepfunctions.parser.asl.parse.asl_parser:AmazonStateLanguageParser",
    "IntrinsicParser": "moto.stepfunctions.parser.asl.parse.intrinsic.intrinsic_parser:IntrinsicParser",
    "IntrinsicPreprocessor": "moto.stepfunctions.parser.asl.parse.intrinsic.preprocessor:Preprocessor",
    "ASLIntrinsicLexer": "moto.stepfunctions.parser.asl.antlr.runtime.ASLIntrinsicLexer:ASLIntrinsicLexer",
    "ASLIntrinsicParser": "moto.stepfunctions.parser.asl.antlr.runtime.ASLIntrinsicParser:ASLIntrinsicParser",
    "ExpressStaticAnalyser": "moto.stepfunctions.parser.asl.static_analyser.express_static_analyser:"
                             "ExpressStaticAnalyser",
    "sfn_history_event_type": "moto.stepfunctions.parser.api:HistoryEventType",
    "sfn_task_failed_event_details": "moto.stepfunctions.parser.api:TaskFailedEventDetails",
    "sfn_lambda_function_failed_event_details": "moto.stepfunctions.parser.api:LambdaFunctionFailedEventDetails",
    "sfn_failure_event": "moto.stepfunctions.parser.asl.component.common.error_name.failure_event:FailureEvent",
    "sfn_failure_event_exception":
        "moto.stepfunctions.parser.asl.component.common.error_name.failure_event:FailureEventException",
    "sfn_custom_error_name": "moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name:CustomErrorName",
    "sfn_states_error_name": "moto.stepfunctions.parser.asl.component.common.error_name.states_error_name:StatesErrorName",
    "sfn_states_error_name_type":
        "moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type:StatesErrorNameType",
    "sfn_event_details": "moto.stepfunctions.parser.asl.eval.event.event_detail:EventDetails",
    "sfn_resource_condition": "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource:"
                              "ResourceCondition",
    "sfn_service_resource": "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource:"
                            "ServiceResource",
    "sfn_lambda_resource": "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource:"
                           "LambdaResource",
    "sfn_to_json_str": "moto.stepfunctions.parser.asl.utils.encoding:to_json_str",
    "StateTaskService": "moto.stepfunctions.parser.asl.component.state.exec.state_task.service."
                        "state_task_service:StateTaskService",
    "StateTaskServiceCallback": "moto.stepfunctions.parser.asl.component.state.exec.state_task.service."
                                "state_task_service_callback:StateTaskServiceCallback",
    "StateTaskServiceLambda": "moto.stepfunctions.parser.asl.component.state.exec.state_task.service."
                              "state_task_service_lambda:StateTaskServiceLambda",
    "StateTaskServiceGlue": "moto.stepfunctions.parser.asl.component.state.exec.state_task.service."
                            "state_task_service_glue:StateTaskServiceGlue",
    "StateTaskLambda": "moto.stepfunctions.parser.asl.component.state.exec.state_task.state_task_lambda:StateTaskLambda",
    "sfn_started_threads": "moto.stepfunctions.parser.utils:TMP_THREADS",
    "sfn_no_such_json_path": "moto.stepfunctions.parser.asl.utils.json_path:NoSuchJsonPathError",
    "StateTaskServiceAwsSdk": "moto.stepfunctions.parser.asl.component.state.exec.state_task.service."
                              "state_task_service_aws_sdk:StateTaskServiceAwsSdk",
    # the interpreter's modules whose names the package's patches replace
    "sfn_json_path": "moto.stepfunctions.parser.asl.utils.json_path:",
    "sfn_encoding": "moto.stepfunctions.parser.asl.utils.encoding:",
    "sfn_string_expression": "moto.stepfunctions.parser.asl.component.common.string.string_expression:",
    "sfn_intrinsic_argument": "moto.stepfunctions.parser.asl.component.intrinsic.argument.argument:",
    "sfn_eval_states": "moto.stepfunctions.parser.asl.eval.states:",
    **{f"sfn_choice_{name}": "moto.stepfunctions.parser.asl.component.state.choice.comparison.operator."
                             f"implementations.{name}:"
       for name in ("timestamp_operators", "boolean_equals", "numeric", "string_operators")},
    "sfn_preprocessor": "moto.stepfunctions.parser.asl.parse.preprocessor:",
    "sfn_program": "moto.stepfunctions.parser.asl.component.program.program:",
    "sfn_execute_state": "moto.stepfunctions.parser.asl.component.state.exec.execute_state:",
    "sfn_execution_worker": "moto.stepfunctions.parser.backend.execution_worker:",
    "sfn_inline_iteration": "moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration."
                            "inline_iteration_component:",
    "sfn_branch_worker": "moto.stepfunctions.parser.asl.component.state.exec.state_parallel.branch_worker:",
    "sfn_lambda_calls": "moto.stepfunctions.parser.asl.component.state.exec.state_task.lambda_eval_utils:",
    "sfn_item_reader_s3": "moto.stepfunctions.parser.asl.component.state.exec.state_map.item_reader.eval."
                          "resource_eval_s3:",
    "sfn_result_writer_s3": "moto.stepfunctions.parser.asl.component.state.exec.state_map.result_writer."
                            "resource_eval.resource_eval_s3:",
    **{f"sfn_task_{name}": "moto.stepfunctions.parser.asl.component.state.exec.state_task.service."
                           f"state_task_service_{name}:"
       for name in ("unsupported", "glue", "events", "ecs", "sqs", "sfn", "dynamodb", "batch", "sns", "aws_sdk")},
}

# moto backend name -> "module:attribute" of its BackendDict.
BACKENDS: dict[str, str] = {
    "iam": "moto.iam.models:iam_backends",
    "sts": "moto.sts.models:sts_backends",
    "s3": "moto.s3.models:s3_backends",
    "awslambda": "moto.awslambda.models:lambda_backends",
    "glue": "moto.glue.models:glue_backends",
    "athena": "moto.athena.models:athena_backends",
    "emrserverless": "moto.emrserverless.models:emrserverless_backends",
    "logs": "moto.logs.models:logs_backends",
    "sqs": "moto.sqs.models:sqs_backends",
    "kinesis": "moto.kinesis.models:kinesis_backends",
    "sns": "moto.sns.models:sns_backends",
    "kms": "moto.kms.models:kms_backends",
    # --- cloudtrail ---
    "cloudtrail": "moto.cloudtrail.models:cloudtrail_backends",
    # --- firehose (and the CloudWatch metrics it puts) ---
    "firehose": "moto.firehose.models:firehose_backends",
    "cloudwatch": "moto.cloudwatch.models:cloudwatch_backends",
    "events": "moto.events.models:events_backends",  # Glue's job state change events
    # --- iam enforcement ---
    # --- stepfunctions: the interpreting backend, which the API always uses here ---
    "stepfunctions": "moto.stepfunctions.parser.models:stepfunctions_parser_backends",
    # --- redshift: the clusters the Data API and COPY's IAM_ROLE check read ---
    "redshift": "moto.redshift.models:redshift_backends",
    "secretsmanager": "moto.secretsmanager.models:secretsmanager_backends",
    # --- rds and dms ---
    "rds": "moto.rds.models:rds_backends",
    "dms": "moto.dms.models:dms_backends",
}

_resolved: dict[str, Any] = {}
_lock = threading.RLock()  # patch() resolves symbols while holding it


def resolve(name: str) -> Any:
    """The moto object :data:`SYMBOLS` names ``name`` (``AttributeError`` naming it if moto lost it)."""
    try:
        return _resolved[name]
    except KeyError:
        pass
    module_name, _, attribute_path = SYMBOLS[name].partition(":")
    found: Any = importlib.import_module(module_name)
    for part in filter(None, attribute_path.split(".")):  # "moto.s3.notifications:" is the module
        found = getattr(found, part)
    _resolved[name] = found
    return found


def __getattr__(name: str) -> Any:  # ``seam.S3Backend`` reads SYMBOLS["S3Backend"] lazily
    if name in SYMBOLS:
        return resolve(name)
    raise AttributeError(f"lakelab.emulator.seam names no moto symbol {name!r}: add it to SYMBOLS")


def backend(service: str, account_id: str, region: str = "us-east-1") -> Any:
    """moto's backend of ``service`` for one account and region (S3 and IAM are global)."""
    if service == "awslambda":  # moto's own lookup, which honours its "use_docker" setting
        return resolve("lambda_backend")(account_id, region)
    module_name, _, attribute = BACKENDS[service].partition(":")
    backends = getattr(importlib.import_module(module_name), attribute)
    if service == "s3":
        return backends[account_id]["global"]
    partition = resolve("get_partition")(region)
    if service == "iam":
        return backends[account_id][partition]
    if service == "sts":
        return backends[account_id][partition]
    return backends[account_id][region]


def accounts(service: str) -> list[str]:
    """Account ids that have a backend of ``service`` already (moto creates them on first use)."""
    module_name, _, attribute = BACKENDS[service].partition(":")
    return list(getattr(importlib.import_module(module_name), attribute).keys())


# --- patches ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Patch:
    """One change to moto: ``owner.attribute`` replaced, for the reason ``why``.

    ``wrap`` is called with moto's attribute (or the replacement an earlier patch installed) and
    returns the new one; ``value`` is the new attribute itself. Either may be a ``"module:name"``
    reference (``".hooks:invoke"`` relative to the declaring package), so declaring a patch
    imports nothing. ``adds`` marks an operation moto lacks, whose attribute moto does not have.
    """

    owner: str  # a SYMBOLS name: a class, a module or a dict
    attribute: str
    why: str
    wrap: Callable[[Any], Any] | str | None = None
    value: Any = None
    adds: bool = False
    service: str = ""  # the moto service whose first use installs it; default: the owner's package

    @property
    def moto_service(self) -> str:
        """``"moto.s3.models:S3Backend"`` -> ``"s3"``."""
        return self.service or SYMBOLS[self.owner].split(".")[1].split(":")[0]


_applied: dict[tuple[str, str], list[str]] = {}  # (owner, attribute) -> names of patches, in order
_originals: dict[tuple[str, str], Any] = {}


def patch(declared: Patch, package: str = "") -> bool:
    """Install ``declared`` unless it is installed already; True when it was installed now."""
    key, name = (declared.owner, declared.attribute), _patch_name(declared, package)
    with _lock:
        chain = _applied.setdefault(key, [])
        if name in chain:
            return False
        owner = resolve(declared.owner)
        current = _read(owner, declared.attribute)
        _originals.setdefault(key, current)
        replacement = _replacement(declared, package, current)
        _write(owner, declared.attribute, replacement)
        chain.append(name)
        return True


def install(patches: Iterable[Patch], service: str, package: str = "") -> list[str]:
    """Install, in declaration order, those of ``patches`` that ``service``'s first use installs."""
    return [_patch_name(p, package) for p in patches if p.moto_service == service and patch(p, package)]


def chain(owner: str, attribute: str) -> list[str]:
    """Names of the patches wrapped around ``owner.attribute``, innermost first."""
    return list(_applied.get((owner, attribute), []))


def original(owner: str, attribute: str) -> Any:
    """moto's own ``owner.attribute`` from before any patch (None if moto has none)."""
    key = (owner, attribute)
    return _originals[key] if key in _originals else _read(resolve(owner), attribute)


def _patch_name(declared: Patch, package: str) -> str:
    target = declared.wrap if declared.wrap is not None else declared.value
    label = target if isinstance(target, str) else getattr(target, "__qualname__", repr(target))
    return f"{package}{label}" if isinstance(target, str) and target.startswith(".") else f"{package}:{label}"


def _replacement(declared: Patch, package: str, current: Any) -> Any:
    if declared.wrap is not None:
        return load(declared.wrap, package)(current)
    return load(declared.value, package)


def load(reference: Any, package: str = "") -> Any:
    """The object a ``"module:name"`` reference names (``".module:name"`` relative to ``package``)."""
    if not isinstance(reference, str):
        return reference
    module_name, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module_name, package or None), attribute)


def _read(owner: Any, attribute: str) -> Any:
    if isinstance(owner, dict):
        return owner.get(attribute)
    return owner.__dict__.get(attribute, getattr(owner, attribute, None))


def _write(owner: Any, attribute: str, replacement: Any) -> None:
    if isinstance(owner, dict):
        owner[attribute] = replacement
    else:
        setattr(owner, attribute, replacement)
