"""The shape of a definition: its fields, state types, choice rules and task resources.

Each check yields :class:`Problem` records in AWS's terms (``SCHEMA_VALIDATION_FAILED``, the field,
the location). Two things AWS accepts are refused here, by name, because the emulator cannot run
them: JSONata (the interpreter has no JSONata engine) and activities (moto has no GetActivityTask,
so no worker could ever take the task).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

SCHEMA = "SCHEMA_VALIDATION_FAILED"
UNSUPPORTED = "UNSUPPORTED_BY_THE_EMULATOR"
STATE_TYPES = ("Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map")
_COMMON = {"Type", "Comment", "QueryLanguage", "InputPath", "OutputPath", "Assign", "Output"}
_FLOW = {"Next", "End"}
_RESULT = {"ResultPath", "Parameters", "ResultSelector", "Arguments"}
_ERRORS = {"Retry", "Catch"}
FIELDS = {
    "Pass": _COMMON | _FLOW | {"ResultPath", "Parameters", "Result"},
    "Task": _COMMON | _FLOW | _RESULT | _ERRORS | {
        "Resource", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath",
        "Credentials"},
    "Choice": _COMMON | {"Choices", "Default"},
    "Wait": _COMMON | _FLOW | {"Seconds", "Timestamp", "SecondsPath", "TimestampPath"},
    "Succeed": _COMMON,
    "Fail": {"Type", "Comment", "QueryLanguage", "Error", "Cause", "ErrorPath", "CausePath"},
    "Parallel": _COMMON | _FLOW | _RESULT | _ERRORS | {"Branches"},
    "Map": _COMMON | _FLOW | _RESULT | _ERRORS | {
        "ItemProcessor", "Iterator", "ItemsPath", "Items", "ItemSelector", "ItemReader", "ResultWriter",
        "ItemBatcher", "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath", "ToleratedFailureCount", "ToleratedFailureCountPath", "Label"},
}
_REQUIRED = {"Task": ("Resource",), "Choice": ("Choices",), "Parallel": ("Branches",)}
_TOP_LEVEL = {"Comment", "StartAt", "States", "Version", "TimeoutSeconds", "QueryLanguage"}
_BRANCH_LEVEL = {"Comment", "StartAt", "States", "ProcessorConfig", "QueryLanguage"}
_WAIT_FOR = ("Seconds", "Timestamp", "SecondsPath", "TimestampPath")
_COMPARISONS = {f"{kind}{test}{path}" for kind in ("String", "Numeric", "Timestamp")
                for test in ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
                for path in ("", "Path")} | {"BooleanEquals", "BooleanEqualsPath", "StringMatches", "IsNull",
                                            "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"}
_RULE_FIELDS = {"Variable", "Comment", "And", "Or", "Not", "Condition"} | _COMPARISONS
# Integration patterns AWS offers per optimized integration ("" is Request Response); the AWS SDK
# integrations take no ".sync". Others are left to the interpreter.
_PATTERNS = {
    ("lambda", "invoke"): {"", "waitForTaskToken"}, ("glue", "startJobRun"): {"", "sync"},
    ("athena", "startQueryExecution"): {"", "sync"}, ("athena", "stopQueryExecution"): {""},
    ("athena", "getQueryExecution"): {""}, ("athena", "getQueryResults"): {""},
    ("sns", "publish"): {"", "waitForTaskToken"}, ("sqs", "sendMessage"): {"", "waitForTaskToken"},
}
# The optimized integrations the interpreter knows (the others fail at CreateStateMachine).
_INTERPRETED = {"lambda", "sqs", "sns", "states", "dynamodb", "apigateway", "events", "ecs", "glue", "batch", "athena",
                "bedrock", "codebuild", "eks", "elasticmapreduce", "emr-containers", "emr-serverless", "databrew",
                "mediaconvert", "sagemaker"}
# The AWS SDK integrations name services as the SDKs do; botocore names some otherwise.
SDK_TO_BOTOCORE = {"sfn": "stepfunctions", "emrserverless": "emr-serverless", "redshiftdata": "redshift-data",
                   "cloudwatchlogs": "logs", "eventbridge": "events", "cloudwatch": "cloudwatch"}


@dataclass(frozen=True)
class Problem:
    """One reason AWS refuses a definition: ValidateStateMachineDefinition's diagnostic."""

    code: str
    message: str
    location: str | None = None

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" + (f" at {self.location}" if self.location else "")


def _schema(message: str, at: str) -> Problem:
    return Problem(SCHEMA, message, at or "/")


def _missing(field: str, at: str) -> Problem:
    return _schema(f"The field '{field}' is required but was missing", at)


def machine_problems(machine: dict[str, Any], at: str = "") -> Iterator[Problem]:
    """The problems of a state machine's (or a branch's) fields and states."""
    if machine.get("QueryLanguage") == "JSONata" or _any_state(machine, lambda s: s.get("QueryLanguage") == "JSONata"):
        yield Problem(UNSUPPORTED, "QueryLanguage 'JSONata' is not evaluated by the local emulator (its interpreter "
                                   "has no JSONata engine); write this state machine in JSONPath, the default", at or "/")
        return
    yield from (_missing(name, at) for name in ("StartAt", "States") if name not in machine)
    allowed = _BRANCH_LEVEL if at else _TOP_LEVEL
    yield from (_schema(f"Field '{name}' is not supported", at) for name in machine if name not in allowed)
    states = machine.get("States")
    if "States" in machine and (not isinstance(states, dict) or not states):
        yield _schema("The field 'States' should be non-empty", f"{at}/States")
        return
    for name, state in (states or {}).items():
        yield from _state_problems(name, state, f"{at}/States/{name}")


def _state_problems(name: str, state: Any, at: str) -> Iterator[Problem]:
    if not isinstance(state, dict):
        yield _schema(f"The state '{name}' must be a JSON object", at)
        return
    kind = state.get("Type")
    if kind not in STATE_TYPES:
        yield _missing("Type", at) if kind is None else _schema(
            f"The field 'Type' should have one of these values: [{', '.join(STATE_TYPES)}]", f"{at}/Type")
        return
    yield from (_schema(f"Field '{field}' is not supported", at) for field in state if field not in FIELDS[kind])
    yield from (_missing(field, at) for field in _REQUIRED.get(kind, ()) if field not in state)
    yield from _flow_problems(kind, state, at)
    yield from _error_handling_problems(state, at)
    for number, rule in enumerate(state.get("Choices") or [] if kind == "Choice" else []):
        yield from _rule_problems(rule, f"{at}/Choices[{number}]", top=True)
    if kind == "Task" and isinstance(state.get("Resource"), str):
        yield from _resource_problems(state["Resource"], f"{at}/Resource")
    yield from _nested_problems(kind, state, at)


def _flow_problems(kind: str, state: dict[str, Any], at: str) -> Iterator[Problem]:
    if "Next" in FIELDS[kind]:
        if "Next" in state and state.get("End"):
            yield _schema("Only one of 'Next' or 'End' may be set", at)
        elif "Next" not in state and state.get("End") is not True:
            yield _missing("Next' or 'End", at)
    if kind == "Wait" and sum(field in state for field in _WAIT_FOR) != 1:
        yield _schema("Exactly one of 'Seconds', 'Timestamp', 'SecondsPath' or 'TimestampPath' is required", at)


def _error_handling_problems(state: dict[str, Any], at: str) -> Iterator[Problem]:
    for number, catcher in enumerate(state.get("Catch") or []):
        for field in ("ErrorEquals", "Next"):
            if not isinstance(catcher, dict) or field not in catcher:
                yield _missing(field, f"{at}/Catch[{number}]")
    for number, retrier in enumerate(state.get("Retry") or []):
        if not isinstance(retrier, dict) or "ErrorEquals" not in retrier:
            yield _missing("ErrorEquals", f"{at}/Retry[{number}]")


def _rule_problems(rule: Any, at: str, top: bool = False) -> Iterator[Problem]:
    if not isinstance(rule, dict):
        yield _schema("A choice rule must be a JSON object", at)
        return
    if top and "Next" not in rule:
        yield _missing("Next", at)
    for field in rule:
        if field not in _RULE_FIELDS and not (top and field in ("Next", "Assign", "Output")):
            yield _schema(f"Field '{field}' is not supported", at)
    for field in ("And", "Or"):
        for number, inner in enumerate(rule.get(field) or []):
            yield from _rule_problems(inner, f"{at}/{field}[{number}]")
    if "Not" in rule:
        yield from _rule_problems(rule["Not"], f"{at}/Not")


def _resource_problems(resource: str, at: str) -> Iterator[Problem]:
    prefix = "arn:aws:states:::"
    if resource.startswith("arn:aws:states:") and ":activity:" in resource:
        yield Problem(UNSUPPORTED, "Activity tasks are not run by the local emulator (it has no GetActivityTask for "
                                   "a worker to take them); use a Lambda task", at)
    elif resource.startswith(f"{prefix}http:"):
        yield Problem(UNSUPPORTED, "HTTP tasks are not run by the local emulator; call the endpoint from a Lambda "
                                   "task", at)
    elif not _recognized(resource, prefix):
        yield _schema(f"The resource provided {resource} not recognized. The value is not a valid resource ARN, or "
                      "the resource is not available in this region.", at)


def _recognized(resource: str, prefix: str) -> bool:
    if not resource.startswith(prefix):
        return resource.startswith("arn:")
    name, _, pattern = resource[len(prefix):].partition(".")
    service, _, action = name.partition(":")
    if service == "aws-sdk":
        return pattern in ("", "waitForTaskToken") and _sdk_operation_exists(*action.partition(":")[::2])
    return service in _INTERPRETED and pattern in _PATTERNS.get((service, action), {pattern})


def botocore_service_name(sdk_name: str) -> str:
    return SDK_TO_BOTOCORE.get(sdk_name, sdk_name)


@functools.lru_cache(maxsize=512)
def _sdk_operation_exists(service: str, action: str) -> bool:
    import botocore.exceptions
    import botocore.session

    try:
        model = _botocore_session().get_service_model(botocore_service_name(service))
    except botocore.exceptions.UnknownServiceError:
        return False
    return action[:1].upper() + action[1:] in model.operation_names


@functools.lru_cache(maxsize=1)
def _botocore_session() -> Any:
    import botocore.session

    return botocore.session.get_session()


def _nested_problems(kind: str, state: dict[str, Any], at: str) -> Iterator[Problem]:
    for branch_at, branch in branches(kind, state, at):
        if isinstance(branch, dict):
            yield from machine_problems(branch, branch_at)
        else:
            yield _schema("The branch must be a JSON object", branch_at)
    if kind == "Map" and "ItemProcessor" not in state and "Iterator" not in state:
        yield _missing("ItemProcessor", at)


def branches(kind: str, state: dict[str, Any], at: str) -> Iterator[tuple[str, Any]]:
    """(location, machine) of the state machines a Parallel or Map state holds."""
    if kind == "Parallel":
        for number, branch in enumerate(state.get("Branches") or []):
            yield f"{at}/Branches[{number}]", branch
    if kind == "Map":
        for field in ("ItemProcessor", "Iterator"):
            if field in state:
                yield f"{at}/{field}", state[field]


def _any_state(machine: dict[str, Any], test: Any) -> bool:
    states = machine.get("States")
    for state in states.values() if isinstance(states, dict) else ():
        if isinstance(state, dict) and (test(state) or any(
                isinstance(branch, dict) and _any_state(branch, test)
                for _, branch in branches(str(state.get("Type")), state, ""))):
            return True
    return False
