"""Step Functions executions really run: Lambda tasks, flow states, errors, history, stop, sync."""

import dataclasses
import json

import pytest
from botocore.exceptions import ClientError

INVOKE = "arn:aws:states:::lambda:invoke"


def _invoke(payload, **state):
    """A ``lambda:invoke`` task of the module's function; a string payload is a path."""
    parameters = {"Payload.$": payload} if isinstance(payload, str) else {"Payload": payload}
    return {"Type": "Task", "Resource": INVOKE, "Parameters": {"FunctionName": "steps", **parameters}, **state}


def test_five_states_with_two_lambda_tasks_succeed_with_their_output(lake):
    definition = {"StartAt": "First", "States": {
        "First": {**_invoke({"n.$": "$.n"}), "InputPath": "$.order", "ResultSelector": {"n.$": "$.Payload.n"},
                  "ResultPath": "$.first", "OutputPath": "$.first", "Next": "Second"},
        "Second": {"Type": "Task", "Resource": lake.function_arn, "Next": "Shape"},
        "Shape": {"Type": "Pass", "Parameters": {"total.$": "$.n", "label.$": "States.Format('n={}', $.n)"},
                  "Next": "Big?"},
        "Big?": {"Type": "Choice", "Choices": [{"Variable": "$.total", "NumericGreaterThan": 2, "Next": "Done"}],
                 "Default": "Small"},
        "Small": {"Type": "Fail", "Error": "TooSmall"},
        "Done": {"Type": "Succeed"}}}
    described = lake.run(lake.machine("five-states", definition), {"order": {"n": 1}, "source": "test"})
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"total": 3, "label": "n=3"}
    events = [event["type"] for event in lake.history(described["executionArn"])]
    assert events[:6] == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded",
                          "TaskStateExited"]
    assert events[7:10] == ["LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded"]
    assert events[-3:] == ["SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"]


def test_a_lambda_that_raises_is_retried_then_caught_with_its_error(lake):
    retry = {"ErrorEquals": ["ValueError"], "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 2.0,
             "MaxDelaySeconds": 1, "JitterStrategy": "FULL"}
    definition = {"StartAt": "Flaky", "States": {
        "Flaky": {**_invoke({"action": "fail", "message": "row 7 has no id"}), "Retry": [retry],
                  "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.problem", "Next": "Quarantine"}],
                  "End": True},
        "Quarantine": {"Type": "Pass", "End": True}}}
    described = lake.run(lake.machine("retried", definition), {"file": "orders.csv"})
    assert described["status"] == "SUCCEEDED"
    output = json.loads(described["output"])
    assert output["file"] == "orders.csv" and output["problem"]["Error"] == "ValueError"
    assert json.loads(output["problem"]["Cause"])["errorMessage"] == "row 7 has no id"
    history = lake.history(described["executionArn"])
    events = [event["type"] for event in history]
    assert events.count("TaskFailed") == 3 and events.count("TaskScheduled") == 3  # the first try and 2 retries
    scheduled = next(event["taskScheduledEventDetails"] for event in history if event["type"] == "TaskScheduled")
    assert scheduled["parameters"] == '{"FunctionName":"steps","Payload":{"action":"fail","message":"row 7 has no id"}}'


def test_an_uncaught_error_fails_the_execution_with_error_and_cause(lake):
    definition = {"StartAt": "Bare", "States": {"Bare": {"Type": "Task", "Resource": lake.function_arn, "End": True}}}
    described = lake.run(lake.machine("uncaught", definition), {"action": "fail"})
    assert described["status"] == "FAILED" and described["error"] == "ValueError"
    assert json.loads(described["cause"])["errorMessage"] == "bad input"
    failed = [event for event in lake.history(described["executionArn"]) if event["type"] == "LambdaFunctionFailed"]
    assert failed[0]["lambdaFunctionFailedEventDetails"]["error"] == "ValueError"
    assert lake.history(described["executionArn"])[-1]["type"] == "ExecutionFailed"


def test_a_role_not_allowed_to_invoke_fails_the_task_with_aws_error(lake):
    definition = {"StartAt": "Call", "States": {"Call": {**_invoke({}), "End": True}}}
    described = lake.run(lake.machine("not-allowed", definition, role=lake.powerless_role))
    assert described["status"] == "FAILED" and described["error"] == "Lambda.AWSLambdaException"
    assert "assumed-role/powerless/" in described["cause"]
    assert "is not authorized to perform: lambda:InvokeFunction on resource: " + lake.function_arn in described["cause"]
    assert "(Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException;" in described["cause"]


def test_an_emulator_that_does_not_enforce_iam_lets_the_same_role_invoke(lake):
    from lakelab.emulator import Emulator

    machine = lake.machine("not-enforced", {"StartAt": "Call", "States": {"Call": {**_invoke({}), "End": True}}},
                           role=lake.powerless_role)
    with Emulator(iam=False) as lenient:  # another server on the same state, as `lakelab serve --iam off`
        described = dataclasses.replace(lake, endpoint=lenient.endpoint).run(machine)
    assert described["status"] == "SUCCEEDED"


def test_parallel_and_map_run_their_branches_and_items(lake):
    count = {"StartAt": "Count", "States": {"Count": {"Type": "Pass", "Parameters": {"items.$": "States.ArrayLength($.items)"},
                                                      "End": True}}}
    add = {"StartAt": "Add", "States": {"Add": {**_invoke({"n.$": "$.value", "step.$": "$.index"}),
                                                "OutputPath": "$.Payload.n", "End": True}}}
    definition = {"StartAt": "Both", "States": {
        "Both": {"Type": "Parallel", "Branches": [count, {"StartAt": "Pause", "States": {
            "Pause": {"Type": "Wait", "Seconds": 0, "End": True}}}], "ResultPath": "$.parallel", "Next": "Each"},
        "Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "ResultPath": "$.sums",
                 "ItemSelector": {"value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"},
                 "ItemProcessor": add, "End": True}}}
    described = lake.run(lake.machine("fan-out", definition), {"items": [10, 20, 30]})
    assert described["status"] == "SUCCEEDED"
    output = json.loads(described["output"])
    assert output["parallel"][0] == {"items": 3} and output["sums"] == [10, 21, 32]


def test_json_paths_select_one_value_when_definite_and_a_list_when_not(lake):
    definition = {"StartAt": "Pick", "States": {"Pick": {"Type": "Pass", "End": True, "Parameters": {
        "first.$": "$.rows[0].id", "ids.$": "$.rows[*].id", "ok.$": "$.rows[?(@.ok == true)].id",
        "length.$": "States.ArrayLength($.rows)", "key.$": "States.Format('{}/{}', $.zone, $.rows[1].id)"}}}}
    described = lake.run(lake.machine("paths", definition), {"zone": "raw", "rows": [{"id": "a", "ok": False},
                                                                                     {"id": "b", "ok": True}]})
    assert json.loads(described["output"]) == {"first": "a", "ids": ["a", "b"], "ok": ["b"], "length": 2,
                                               "key": "raw/b"}


def test_escaped_characters_in_intrinsic_literals_read_as_aws_reads_them(lake):
    # AWS: "\\'" is a quote inside a literal, "\\{" and "\\}" are braces, "\\\\" a backslash.
    definition = {"StartAt": "Sql", "States": {"Sql": {"Type": "Pass", "End": True, "Parameters": {
        "sql.$": "States.Format('SELECT 1 WHERE dt = \\'{}\\' -- \\{kept\\} \\\\', $.ds)",
        "array.$": "States.Array('it\\'s')"}}}}
    described = lake.run(lake.machine("escapes", definition), {"ds": "2024-06-27"})
    assert json.loads(described["output"]) == {"sql": "SELECT 1 WHERE dt = '2024-06-27' -- {kept} \\",
                                               "array": ["it's"]}


def test_stop_execution_aborts_with_its_error_and_cause_and_list_executions_shows_it(lake):
    sfn = lake.client("stepfunctions")
    machine = lake.machine("long-wait", {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 600,
                                                                                "End": True}}})
    execution = sfn.start_execution(stateMachineArn=machine, name="nightly")["executionArn"]
    assert execution.endswith(":execution:long-wait:nightly")
    sfn.stop_execution(executionArn=execution, error="Operator", cause="stopped for maintenance")
    described = sfn.describe_execution(executionArn=execution)
    assert (described["status"], described["error"], described["cause"]) == ("ABORTED", "Operator",
                                                                             "stopped for maintenance")
    assert lake.history(execution)[-1]["executionAbortedEventDetails"] == {"error": "Operator",
                                                                          "cause": "stopped for maintenance"}
    second = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    listed = sfn.list_executions(stateMachineArn=machine)["executions"]
    assert [(e["executionArn"], e["status"]) for e in listed] == [(second, "RUNNING"), (execution, "ABORTED")]
    assert sfn.list_executions(stateMachineArn=machine, statusFilter="ABORTED")["executions"][0]["name"] == "nightly"
    sfn.stop_execution(executionArn=second)
    with pytest.raises(ClientError, match="ExecutionAlreadyExists"):
        sfn.start_execution(stateMachineArn=machine, name="nightly")


def test_history_pages_newest_first_on_request(lake):
    machine = lake.machine("two-passes", {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
                                                                     "B": {"Type": "Pass", "End": True}}})
    execution = lake.run(machine)["executionArn"]
    sfn = lake.client("stepfunctions")
    page = sfn.get_execution_history(executionArn=execution, reverseOrder=True, maxResults=2)
    assert [event["type"] for event in page["events"]] == ["ExecutionSucceeded", "PassStateExited"]
    rest = sfn.get_execution_history(executionArn=execution, reverseOrder=True, nextToken=page["nextToken"])
    assert rest["events"][-1]["type"] == "ExecutionStarted" and "nextToken" not in rest
    quiet = sfn.get_execution_history(executionArn=execution, includeExecutionData=False)["events"]
    assert "input" not in quiet[0]["executionStartedEventDetails"]


def test_start_sync_execution_answers_an_express_outcome(lake, monkeypatch):
    monkeypatch.setenv("AWS_DISABLE_HOST_PREFIX_INJECTION", "true")  # as the course's targets set it
    express = lake.machine("express-add", {"StartAt": "Add", "States": {"Add": {**_invoke("$"),
                                                                                "OutputPath": "$.Payload",
                                                                                "End": True}}}, type="EXPRESS")
    sfn = lake.client("stepfunctions")
    answer = sfn.start_sync_execution(stateMachineArn=express, input=json.dumps({"n": 41}))
    assert answer["status"] == "SUCCEEDED" and json.loads(answer["output"]) == {"n": 42}
    assert ":express:express-add:" in answer["executionArn"]
    failed = sfn.start_sync_execution(stateMachineArn=express, input=json.dumps({"n": 1, "action": "fail"}))
    assert failed["status"] == "FAILED" and failed["error"] == "ValueError"
    standard = lake.machine("standard-pass", {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    with pytest.raises(ClientError, match="StateMachineTypeNotSupported"):
        sfn.start_sync_execution(stateMachineArn=standard)
