"""CreateStateMachine refuses what AWS refuses, with InvalidDefinition and AWS's codes and locations."""

import json

import pytest
from botocore.exceptions import ClientError

PASS = {"Type": "Pass", "End": True}


def _refusal(lake, definition, **kwargs):
    text = definition if isinstance(definition, str) else json.dumps(definition)
    with pytest.raises(ClientError) as refused:
        lake.client("stepfunctions").create_state_machine(name="refused", definition=text, roleArn=lake.role, **kwargs)
    return refused.value.response["Error"]


@pytest.mark.parametrize("definition, problem", [
    ('{"StartAt": "A",', "INVALID_JSON_DESCRIPTION: Expecting property name enclosed in double quotes at line 1"),
    ({"States": {"A": PASS}}, "SCHEMA_VALIDATION_FAILED: The field 'StartAt' is required but was missing at /"),
    ({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "Orphan": PASS}},
     "MISSING_TRANSITION_TARGET: Missing 'Next' target: B at /States/A/Next, "
     'MISSING_TRANSITION_TARGET: State "Orphan" is not reachable. at /States/Orphan'),
    ({"StartAt": "A", "States": {"A": {"Type": "Step", "End": True}}},
     "SCHEMA_VALIDATION_FAILED: The field 'Type' should have one of these values: "
     "[Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map] at /States/A/Type"),
    ({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 1, "Retries": 3, "End": True}}},
     "SCHEMA_VALIDATION_FAILED: Field 'Retries' is not supported at /States/A"),
    ({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.waitForTaskToken",
                                       "End": True}}},
     "SCHEMA_VALIDATION_FAILED: The resource provided arn:aws:states:::glue:startJobRun.waitForTaskToken not "
     "recognized. The value is not a valid resource ARN, or the resource is not available in this region. "
     "at /States/A/Resource"),
    ({"StartAt": "A", "States": {"A": {"Type": "Choice", "Choices": [
        {"Variable": "$.n", "NumericEqualz": 1, "Next": "A"}], "Default": "A"}}},
     "SCHEMA_VALIDATION_FAILED: Field 'NumericEqualz' is not supported at /States/A/Choices[0]"),
    ({"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": {"n.$": "States.Sum($.a)"}, "End": True}}},
     "SCHEMA_VALIDATION_FAILED: The value for the field 'n.$' must be a valid JSONPath or a valid intrinsic "
     "function call at /States/A/Parameters"),
    ({"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:glue:startCrawlr",
                                       "End": True}}},
     "SCHEMA_VALIDATION_FAILED: The resource provided arn:aws:states:::aws-sdk:glue:startCrawlr not recognized."),
    ({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "A", "States": {"A": PASS}}, {"StartAt": "A", "States": {"A": PASS}}]}}},
     "DUPLICATE_STATE_NAME: Duplicate State name: A at /States/P/Branches[1]/States/A"),
], ids=["bad-json", "no-start-at", "missing-target", "unknown-type", "unknown-field", "unsupported-pattern",
        "unknown-comparison", "unknown-intrinsic", "unknown-sdk-action", "duplicate-name"])
def test_a_bad_definition_is_refused_with_its_problems(lake, definition, problem):
    error = _refusal(lake, definition)
    assert error["Code"] == "InvalidDefinition"
    assert error["Message"].startswith(f"Invalid State Machine Definition: '{problem}")


def test_an_express_machine_refuses_job_and_callback_integrations(lake):
    definition = {"StartAt": "Run", "States": {"Run": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync",
                                                       "Parameters": {"JobName": "j"}, "End": True}}}
    error = _refusal(lake, definition, type="EXPRESS")
    assert error["Code"] == "InvalidDefinition" and "Express state machine does not support" in error["Message"]


@pytest.mark.parametrize("definition, reason", [
    ({"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": PASS}},
     "UNSUPPORTED_BY_THE_EMULATOR: QueryLanguage 'JSONata' is not evaluated by the local emulator"),
    ({"StartAt": "A", "States": {"A": {"Type": "Task", "End": True,
                                       "Resource": "arn:aws:states:us-east-1:123456789012:activity:review"}}},
     "UNSUPPORTED_BY_THE_EMULATOR: Activity tasks are not run by the local emulator"),
], ids=["jsonata", "activity"])
def test_what_the_emulator_cannot_run_is_refused_by_name(lake, definition, reason):
    error = _refusal(lake, definition)
    assert error["Code"] == "InvalidDefinition" and reason in error["Message"]


def test_validate_state_machine_definition_answers_diagnostics(lake):
    sfn = lake.client("stepfunctions")
    assert sfn.validate_state_machine_definition(definition=json.dumps({"StartAt": "A", "States": {"A": PASS}}))[
        "result"] == "OK"
    answer = sfn.validate_state_machine_definition(definition=json.dumps(
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}))
    assert answer["result"] == "FAIL" and answer["diagnostics"] == [{
        "severity": "ERROR", "code": "MISSING_TRANSITION_TARGET", "message": "Missing 'Next' target: B",
        "location": "/States/A/Next"}]


def test_a_role_step_functions_may_not_assume_is_refused(lake):
    with pytest.raises(ClientError) as refused:
        lake.client("stepfunctions").create_state_machine(
            name="wrong-role", definition=json.dumps({"StartAt": "A", "States": {"A": PASS}}),
            roleArn="arn:aws:iam::123456789012:role/steps-handler")  # trusts only Lambda
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    assert refused.value.response["Error"]["Message"] == (
        "Neither the global service principal states.amazonaws.com, nor the regional one is authorized to assume "
        "the provided role.")


def test_update_state_machine_checks_the_new_definition(lake):
    sfn = lake.client("stepfunctions")
    arn = lake.machine("to-update", {"StartAt": "A", "States": {"A": PASS}})
    with pytest.raises(ClientError, match="InvalidDefinition"):
        sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps({"StartAt": "B", "States": {"A": PASS}}))
    assert json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"])["StartAt"] == "A"
