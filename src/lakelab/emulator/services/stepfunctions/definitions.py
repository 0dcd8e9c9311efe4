"""CreateStateMachine and UpdateStateMachine refuse a bad definition as AWS does: ``InvalidDefinition``.

AWS's message lists every problem, each with its code and location:
``Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The field 'StartAt' is required but
was missing at /, MISSING_TRANSITION_TARGET: Missing 'Next' target: Load at /States/Extract/Next'``.
The checks here cover the shape of the States language (JSON, required and unknown fields, state
types, transitions, reachability, unique names) in that style; then moto's interpreter parses the
definition, and whatever it rejects is reported as ``SCHEMA_VALIDATION_FAILED`` with its reason.

> Fidelity note: AWS documents that codes and wording may change; the messages follow the ones
> AWS returns, but not every one of AWS's checks is made (an invalid JSONPath, say, may be
> reported by the interpreter's words, or only when the execution reaches it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from lakelab.emulator import seam

STATE_TYPES = ("Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map")
_COMMON = {"Type", "Comment", "QueryLanguage", "InputPath", "OutputPath", "Assign", "Output"}
_FLOW = {"Next", "End"}
_RESULT = {"ResultPath", "Parameters", "ResultSelector", "Arguments"}
_ERRORS = {"Retry", "Catch"}
_FIELDS = {
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


class InvalidDefinition(Exception):
    """A definition AWS would refuse; ``problems`` in AWS's ``CODE: message at /path`` form."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"Invalid State Machine Definition: '{', '.join(problems)}'")


def check(definition: Any, express: bool = False) -> None:
    """Raise :class:`InvalidDefinition` unless AWS would accept ``definition`` (a JSON string)."""
    document = _parsed(definition)
    problems = list(_schema_problems(document))
    if not problems:
        problems = list(_transition_problems(document, "")) + _unique_name_problems(document)
    if not problems:
        problems = _interpreter_problems(definition, express)
    if problems:
        raise InvalidDefinition(problems)


def _parsed(definition: Any) -> dict[str, Any]:
    if not isinstance(definition, str) or not definition.strip():
        raise InvalidDefinition(["MISSING_DESCRIPTION: The definition is empty"])
    try:
        document = json.loads(definition)
    except json.JSONDecodeError as error:
        raise InvalidDefinition([f"INVALID_JSON_DESCRIPTION: {error.msg} at line {error.lineno}, "
                                 f"column {error.colno}"]) from None
    if not isinstance(document, dict):
        raise InvalidDefinition(["SCHEMA_VALIDATION_FAILED: The definition must be a JSON object at /"])
    return document


# --- the shape: fields and state types ---------------------------------------------------------


def _schema_problems(machine: dict[str, Any], at: str = "") -> Iterator[str]:
    where = at or "/"
    if machine.get("QueryLanguage") == "JSONata" or _any_state(machine, lambda s: s.get("QueryLanguage") == "JSONata"):
        yield ("UNSUPPORTED_BY_THE_EMULATOR: QueryLanguage 'JSONata' is not evaluated by the local emulator "
               "(its interpreter has no JSONata engine); write this state machine in JSONPath, the default, "
               f"at {where}")
        return
    for name in ("StartAt", "States"):
        if name not in machine:
            yield f"SCHEMA_VALIDATION_FAILED: The field '{name}' is required but was missing at {where}"
    allowed = _TOP_LEVEL if not at else {"StartAt", "States", "Comment", "ProcessorConfig", "QueryLanguage"}
    for name in machine:
        if name not in allowed:
            yield f"SCHEMA_VALIDATION_FAILED: Field '{name}' is not supported at {where}"
    states = machine.get("States")
    if "States" in machine and (not isinstance(states, dict) or not states):
        yield f"SCHEMA_VALIDATION_FAILED: The field 'States' should be non-empty at {at}/States"
        return
    for name, state in (states or {}).items():
        yield from _state_problems(name, state, f"{at}/States/{name}")


def _state_problems(name: str, state: Any, at: str) -> Iterator[str]:
    if not isinstance(state, dict):
        yield f"SCHEMA_VALIDATION_FAILED: The state '{name}' must be a JSON object at {at}"
        return
    kind = state.get("Type")
    if kind is None:
        yield f"SCHEMA_VALIDATION_FAILED: The field 'Type' is required but was missing at {at}"
        return
    if kind not in STATE_TYPES:
        yield (f"SCHEMA_VALIDATION_FAILED: The field 'Type' should have one of these values: "
               f"[{', '.join(STATE_TYPES)}] at {at}/Type")
        return
    for field in state:
        if field not in _FIELDS[kind]:
            yield f"SCHEMA_VALIDATION_FAILED: Field '{field}' is not supported at {at}"
    for field in _REQUIRED.get(kind, ()):
        if field not in state:
            yield f"SCHEMA_VALIDATION_FAILED: The field '{field}' is required but was missing at {at}"
    yield from _flow_problems(kind, state, at)
    yield from _nested_problems(kind, state, at)


def _flow_problems(kind: str, state: dict[str, Any], at: str) -> Iterator[str]:
    if "Next" in _FIELDS[kind]:
        if "Next" in state and state.get("End"):
            yield f"SCHEMA_VALIDATION_FAILED: Only one of 'Next' or 'End' may be set at {at}"
        elif "Next" not in state and state.get("End") is not True:
            yield f"SCHEMA_VALIDATION_FAILED: The field 'Next' or 'End' is required but was missing at {at}"
    if kind == "Wait" and sum(field in state for field in _WAIT_FOR) != 1:
        yield (f"SCHEMA_VALIDATION_FAILED: Exactly one of 'Seconds', 'Timestamp', 'SecondsPath' or "
               f"'TimestampPath' is required at {at}")
    for number, catcher in enumerate(state.get("Catch") or []):
        for field in ("ErrorEquals", "Next"):
            if not isinstance(catcher, dict) or field not in catcher:
                yield f"SCHEMA_VALIDATION_FAILED: The field '{field}' is required but was missing at {at}/Catch[{number}]"
    for number, retrier in enumerate(state.get("Retry") or []):
        if not isinstance(retrier, dict) or "ErrorEquals" not in retrier:
            yield f"SCHEMA_VALIDATION_FAILED: The field 'ErrorEquals' is required but was missing at {at}/Retry[{number}]"
    for number, rule in enumerate(state.get("Choices") or [] if kind == "Choice" else []):
        yield from _rule_problems(rule, f"{at}/Choices[{number}]", top=True)
    if kind == "Task" and isinstance(state.get("Resource"), str):
        yield from _resource_problems(state["Resource"], f"{at}/Resource")


def _rule_problems(rule: Any, at: str, top: bool = False) -> Iterator[str]:
    if not isinstance(rule, dict):
        yield f"SCHEMA_VALIDATION_FAILED: A choice rule must be a JSON object at {at}"
        return
    if top and "Next" not in rule:
        yield f"SCHEMA_VALIDATION_FAILED: The field 'Next' is required but was missing at {at}"
    for field in rule:
        if field not in _RULE_FIELDS and not (top and field in ("Next", "Assign", "Output")):
            yield f"SCHEMA_VALIDATION_FAILED: Field '{field}' is not supported at {at}"
    for field in ("And", "Or"):
        for number, inner in enumerate(rule.get(field) or []):
            yield from _rule_problems(inner, f"{at}/{field}[{number}]")
    if "Not" in rule:
        yield from _rule_problems(rule["Not"], f"{at}/Not")


def _resource_problems(resource: str, at: str) -> Iterator[str]:
    prefix = "arn:aws:states:::"
    if not resource.startswith(prefix):
        return
    name, _, pattern = resource[len(prefix):].partition(".")
    service, _, action = name.partition(":")
    allowed = {"", "waitForTaskToken"} if service == "aws-sdk" else _PATTERNS.get((service, action))
    if allowed is not None and pattern not in allowed:
        yield (f"SCHEMA_VALIDATION_FAILED: The resource provided {resource} not recognized. The value is not a "
               f"valid resource ARN, or the resource is not available in this region. at {at}")


def _nested_problems(kind: str, state: dict[str, Any], at: str) -> Iterator[str]:
    for branch_at, branch in _branches(kind, state, at):
        if isinstance(branch, dict):
            yield from _schema_problems(branch, branch_at)
        else:
            yield f"SCHEMA_VALIDATION_FAILED: The branch must be a JSON object at {branch_at}"
    if kind == "Map" and "ItemProcessor" not in state and "Iterator" not in state:
        yield f"SCHEMA_VALIDATION_FAILED: The field 'ItemProcessor' is required but was missing at {at}"


def _branches(kind: str, state: dict[str, Any], at: str) -> Iterator[tuple[str, Any]]:
    if kind == "Parallel":
        for number, branch in enumerate(state.get("Branches") or []):
            yield f"{at}/Branches[{number}]", branch
    if kind == "Map":
        for field in ("ItemProcessor", "Iterator"):
            if field in state:
                yield f"{at}/{field}", state[field]


def _any_state(machine: dict[str, Any], test: Any) -> bool:
    for state in (machine.get("States") or {}).values() if isinstance(machine.get("States"), dict) else ():
        if isinstance(state, dict) and (test(state) or any(
                isinstance(branch, dict) and _any_state(branch, test)
                for _, branch in _branches(str(state.get("Type")), state, ""))):
            return True
    return False


# --- transitions: targets that exist, states that are reached, names used once --------------------


def _transition_problems(machine: dict[str, Any], at: str) -> Iterator[str]:
    states: dict[str, Any] = machine["States"]
    if machine["StartAt"] not in states:
        yield f"MISSING_TRANSITION_TARGET: Missing 'Next' target: {machine['StartAt']} at {at}/StartAt"
    for name, state in states.items():
        for target, where in _targets(state, f"{at}/States/{name}"):
            if target not in states:
                yield f"MISSING_TRANSITION_TARGET: Missing 'Next' target: {target} at {where}"
    reached = _reached(machine)
    for name in states:
        if name not in reached:
            yield f'MISSING_TRANSITION_TARGET: State "{name}" is not reachable. at {at}/States/{name}'
    for name, state in states.items():
        for branch_at, branch in _branches(state["Type"], state, f"{at}/States/{name}"):
            yield from _transition_problems(branch, branch_at)


def _targets(state: dict[str, Any], at: str) -> Iterator[tuple[str, str]]:
    if "Next" in state:
        yield state["Next"], f"{at}/Next"
    if "Default" in state:
        yield state["Default"], f"{at}/Default"
    for field in ("Choices", "Catch"):
        for number, rule in enumerate(state.get(field) or []):
            yield rule["Next"], f"{at}/{field}[{number}]/Next"


def _reached(machine: dict[str, Any]) -> set[str]:
    states, waiting, reached = machine["States"], [machine["StartAt"]], set()
    while waiting:
        name = waiting.pop()
        if name in reached or name not in states:
            continue
        reached.add(name)
        waiting.extend(target for target, _ in _targets(states[name], ""))
    return reached


def _unique_name_problems(machine: dict[str, Any]) -> list[str]:
    seen: set[str] = set()
    problems = []
    for name, at in _every_state_name(machine, ""):
        if name in seen:
            problems.append(f"DUPLICATE_STATE_NAME: Duplicate State name: {name} at {at}")
        seen.add(name)
    return problems


def _every_state_name(machine: dict[str, Any], at: str) -> Iterator[tuple[str, str]]:
    for name, state in machine["States"].items():
        yield name, f"{at}/States/{name}"
        for branch_at, branch in _branches(state["Type"], state, f"{at}/States/{name}"):
            yield from _every_state_name(branch, branch_at)


# --- what the interpreter refuses -------------------------------------------------------------


def _interpreter_problems(definition: str, express: bool) -> list[str]:
    from lakelab.emulator.services.stepfunctions.intrinsics import InvalidIntrinsicFunction

    try:
        seam.AmazonStateLanguageParser.parse(definition)
        if express:
            seam.ExpressStaticAnalyser().analyse(definition)
    except InvalidIntrinsicFunction as refused:
        field, at = _where_the_value_is(json.loads(definition), refused.text, "") or ("", "/")
        return [f"SCHEMA_VALIDATION_FAILED: The value for the field '{field}' must be a valid JSONPath or a valid "
                f"intrinsic function call at {at}"]
    except ValueError as refused:
        text = str(refused)
        prefix = "Invalid State Machine Definition: '"
        if text.startswith(prefix):
            return [text[len(prefix):].rstrip("'")]
        return [f"SCHEMA_VALIDATION_FAILED: {text}"]
    except Exception as refused:  # the grammar's own words (ASLParserException and the like)
        reasons = [_without_expectations(reason) for reason in getattr(refused, "errors", []) or [str(refused)]]
        return [f"SCHEMA_VALIDATION_FAILED: {reason}" for reason in reasons]
    return []


def _without_expectations(reason: str) -> str:
    """The grammar's error without its list of every token it would have accepted (dozens)."""
    return reason.split(" expecting {", 1)[0]


def _where_the_value_is(node: Any, value: str, at: str) -> tuple[str, str] | None:
    """(field, path of the object holding it) of the first ``"<field>.$": value`` in ``node``."""
    if isinstance(node, list):
        found = (_where_the_value_is(item, value, f"{at}[{number}]") for number, item in enumerate(node))
        return next((hit for hit in found if hit), None)
    if not isinstance(node, dict):
        return None
    for key, item in node.items():
        if key.endswith(".$") and item == value:
            return key, at or "/"
        hit = _where_the_value_is(item, value, f"{at}/{key}")
        if hit:
            return hit
    return None
