"""CreateStateMachine and UpdateStateMachine refuse a bad definition as AWS does: ``InvalidDefinition``.

AWS's message lists every problem, each with its code and location:
``Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The field 'StartAt' is required but
was missing at /, MISSING_TRANSITION_TARGET: Missing 'Next' target: Load at /States/Extract/Next'``.
The checks cover the shape of the States language (``definition_fields``: JSON, required and
unknown fields, state types, choice rules, task resources), then transitions, reachability and
unique names; then moto's interpreter parses the definition, and whatever it rejects is reported
as ``SCHEMA_VALIDATION_FAILED`` with its reason. ValidateStateMachineDefinition answers the same
problems as diagnostics.

> Fidelity note: AWS documents that codes and wording may change; the messages follow the ones
> AWS returns, but not every one of AWS's checks is made (an invalid JSONPath, say, may be
> reported in the interpreter's words, or only when the execution reaches it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.stepfunctions.definition_fields import SCHEMA, Problem, branches, machine_problems

MISSING_TARGET = "MISSING_TRANSITION_TARGET"


class InvalidDefinition(Exception):
    """A definition AWS would refuse, with its :class:`Problem` records."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"Invalid State Machine Definition: '{', '.join(map(str, problems))}'")


def check(definition: Any, express: bool = False) -> None:
    """Raise :class:`InvalidDefinition` unless AWS would accept ``definition`` (a JSON string)."""
    problems = problems_of(definition, express)
    if problems:
        raise InvalidDefinition(problems)


def problems_of(definition: Any, express: bool = False) -> list[Problem]:
    """Every problem found, in AWS's order: the shape first, then transitions, then the interpreter's."""
    document = _parsed(definition)
    if isinstance(document, Problem):
        return [document]
    return (list(machine_problems(document))
            or list(_transition_problems(document, "")) + _unique_name_problems(document)
            or _interpreter_problems(definition, express))


def _parsed(definition: Any) -> dict[str, Any] | Problem:
    if not isinstance(definition, str) or not definition.strip():
        return Problem("MISSING_DESCRIPTION", "The definition is empty")
    try:
        document = json.loads(definition)
    except json.JSONDecodeError as error:
        return Problem("INVALID_JSON_DESCRIPTION", f"{error.msg} at line {error.lineno}, column {error.colno}")
    return document if isinstance(document, dict) else Problem(SCHEMA, "The definition must be a JSON object", "/")


# --- transitions: targets that exist, states that are reached, names used once --------------------


def _transition_problems(machine: dict[str, Any], at: str) -> Iterator[Problem]:
    states: dict[str, Any] = machine["States"]
    if machine["StartAt"] not in states:
        yield Problem(MISSING_TARGET, f"Missing 'Next' target: {machine['StartAt']}", f"{at}/StartAt")
    for name, state in states.items():
        for target, where in _targets(state, f"{at}/States/{name}"):
            if target not in states:
                yield Problem(MISSING_TARGET, f"Missing 'Next' target: {target}", where)
    reached = _reached(machine)
    for name in states:
        if name not in reached:
            yield Problem(MISSING_TARGET, f'State "{name}" is not reachable.', f"{at}/States/{name}")
    for name, state in states.items():
        for branch_at, branch in branches(state["Type"], state, f"{at}/States/{name}"):
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


def _unique_name_problems(machine: dict[str, Any]) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for name, at in _every_state_name(machine, ""):
        if name in seen:
            problems.append(Problem("DUPLICATE_STATE_NAME", f"Duplicate State name: {name}", at))
        seen.add(name)
    return problems


def _every_state_name(machine: dict[str, Any], at: str) -> Iterator[tuple[str, str]]:
    for name, state in machine["States"].items():
        yield name, f"{at}/States/{name}"
        for branch_at, branch in branches(state["Type"], state, f"{at}/States/{name}"):
            yield from _every_state_name(branch, branch_at)


# --- what the interpreter refuses -------------------------------------------------------------


def _interpreter_problems(definition: str, express: bool) -> list[Problem]:
    from lakelab.emulator.services.stepfunctions.intrinsics import InvalidIntrinsicFunction

    try:
        seam.AmazonStateLanguageParser.parse(definition)
        if express:
            seam.ExpressStaticAnalyser().analyse(definition)
    except InvalidIntrinsicFunction as refused:
        field, at = _where_the_value_is(json.loads(definition), refused.text, "") or ("", "/")
        return [Problem(SCHEMA, f"The value for the field '{field}' must be a valid JSONPath or a valid intrinsic "
                                "function call", at)]
    except ValueError as refused:
        text, prefix = str(refused), "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: "
        return [Problem(SCHEMA, text[len(prefix):].rstrip("'") if text.startswith(prefix) else text)]
    except Exception as refused:  # the grammar's own words (ASLParserException and the like)
        reasons = getattr(refused, "errors", None) or [str(refused) or type(refused).__name__]
        return [Problem(SCHEMA, _without_expectations(reason)) for reason in reasons]
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
