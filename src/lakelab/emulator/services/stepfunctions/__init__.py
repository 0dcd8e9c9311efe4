"""Step Functions extensions: state machines really execute, their tasks really call the services.

moto ships LocalStack's interpreter of the States language but uses it only under a config
switch, and its tasks call ``localhost:$MOTO_PORT`` over HTTP with made-up keys. Here, with no
switch to set:

- ``machines`` and ``api``: the API always runs the interpreter; definitions are refused as AWS
  refuses them (``definitions``); StopExecution, DescribeExecution, GetExecutionHistory answer
  as AWS does; StartSyncExecution runs EXPRESS machines.
- ``transport``: every call a task makes (Lambda, Glue, Athena, SNS, SQS, ``aws-sdk:`` ...) is
  answered in this process by the emulator's own request path, as the state machine's role
  (a session invoked by ``states.amazonaws.com``): IAM evaluates it, CloudTrail records it, and
  a Lambda task runs the handler in its warm worker.
- ``tasks``: Lambda's error names, Glue's and Athena's ``.sync``; ``shapes``: parameters and answers
  mapped to the API's shapes; ``json_paths`` and ``intrinsics``: JSONPath and intrinsic functions as
  Step Functions reads them; ``threads``: the interpreter's threads keep the context of the
  StartExecution that began them.

Fidelity notes:

> JSONata (``QueryLanguage: JSONata``), activity tasks and HTTP tasks are refused at
> CreateStateMachine, by name: the interpreter has no JSONata engine here, moto no
> GetActivityTask for a worker, and nothing here calls out to the internet. JSONPath, intrinsic
> functions, Retry (with ``MaxDelaySeconds`` and ``JitterStrategy``; the intervals are really
> waited), Catch, Choice, Parallel, inline Map, Wait, Pass, Succeed and Fail run. A ``.sync`` task
> looks at its job every half second. Distributed Map runs and execution redrive are moto's
> (partial). A task's output is the service's answer without AWS's ``SdkHttpMetadata`` and
> ``SdkResponseMetadata``. A task's ``Credentials.RoleArn`` is acted as without asking whether the
> execution role may assume it. A state machine's CloudWatch Logs and X-Ray settings are stored,
> not used. EXPRESS executions started with StartExecution are kept like STANDARD ones (AWS keeps
> their history only in CloudWatch Logs).
"""

from __future__ import annotations

from lakelab.emulator.seam import Patch

SERVICES = ("stepfunctions",)

# The interpreter's modules that name boto_client_for: each call a task makes goes through one.
_CALLERS = ("sfn_lambda_calls", "sfn_item_reader_s3", "sfn_result_writer_s3", "sfn_task_unsupported",
            "sfn_task_glue", "sfn_task_events", "sfn_task_ecs", "sfn_task_sqs", "sfn_task_sfn",
            "sfn_task_dynamodb", "sfn_task_batch", "sfn_task_sns", "sfn_task_aws_sdk")
# The interpreter's modules that name extract_json: every JSONPath of a definition is read through one.
_JSON_PATH_READERS = ("sfn_json_path", "sfn_string_expression", "sfn_intrinsic_argument", "sfn_eval_states",
                      "sfn_choice_timestamp_operators", "sfn_choice_boolean_equals", "sfn_choice_numeric",
                      "sfn_choice_string_operators")
# The interpreter's modules that start threads, by the name they use for the thread class's home.
_THREAD_MAKERS = (("sfn_program", "threading"), ("sfn_inline_iteration", "threading"),
                  ("sfn_branch_worker", "threading"), ("sfn_execute_state", "Thread"),
                  ("sfn_execution_worker", "Thread"))

PATCHES = (
    Patch("StepFunctionResponse", "stepfunction_backend", value=".api:BACKEND",
          why="moto executes state machines only under a config switch; here they always execute"),
    Patch("StepFunctionsParserBackend", "_validate_definition", value=".machines:VALIDATE_DEFINITION",
          why="AWS refuses a bad definition with InvalidDefinition and its problems listed; moto with a parser trace"),
    Patch("StepFunctionsParserBackend", "create_state_machine", wrap=".machines:checked_create",
          why="the type must reach the interpreter, and Step Functions must be allowed to assume the role"),
    Patch("StepFunctionsParserBackend", "start_execution", wrap=".machines:named_execution",
          why="AWS names an execution started without a name; moto's interpreter named it None"),
    Patch("StepFunctionResponse", "describe_execution", value=".api:describe_execution",
          why="DescribeExecution answers compact JSON output and the error and cause of a stopped execution"),
    Patch("StepFunctionResponse", "stop_execution", value=".api:stop_execution",
          why="StopExecution keeps its error and cause; moto dropped them"),
    Patch("StepFunctionResponse", "get_execution_history", value=".api:get_execution_history",
          why="GetExecutionHistory pages and honours reverseOrder and includeExecutionData"),
    Patch("StepFunctionResponse", "start_sync_execution", value=".api:start_sync_execution", adds=True,
          why="moto has no StartSyncExecution"),
    Patch("StepFunctionResponse", "validate_state_machine_definition",
          value=".api:validate_state_machine_definition", adds=True,
          why="moto has no ValidateStateMachineDefinition"),
    Patch("StateTaskService", "_normalise_parameters", value=".shapes:normalise_parameters",
          why="parameters reach the API in its own casing and types (JSON text for strings and blobs), as AWS maps them"),
    Patch("StateTaskService", "_normalise_response", value=".shapes:normalise_response",
          why="a task's answer is written in PascalCase with streamed bodies read, as AWS writes it"),
    Patch("IntrinsicParser", "parse", value=".intrinsics:PARSE",
          why="a call that does not parse is reported where it is; moto printed ANTLR's error to the console"),
    Patch("sfn_preprocessor", "state_task_for", wrap=".tasks:state_task_for",
          why="Lambda's error names, Glue's .sync (moto's fails at the end of every wait) and Athena's .sync"),
    *(Patch(module, "boto_client_for", value=".transport:client_for",
            why="a task's calls are made in-process as the state machine's role, never to localhost:$MOTO_PORT")
      for module in _CALLERS),
    Patch("sfn_encoding", "_DateTimeEncoder", wrap=".json_paths:compact",
          why="Step Functions writes JSON without spaces in the history, as {\"n\":1}"),
    *(Patch(module, "extract_json", value=".json_paths:extract_json",
            why="a definite JSONPath through an array index selects one value, as in Step Functions, not a list")
      for module in _JSON_PATH_READERS),
    *(Patch(module, name, value=".threads:THREADING" if name == "threading" else ".threads:ContextThread",
            why="the interpreter's threads must keep the context of the StartExecution that began them")
      for module, name in _THREAD_MAKERS),
)


def install() -> None:
    """Running executions stop on reset; the interpreter's error log stays out of notebooks."""
    import logging

    from lakelab.emulator import registry
    from lakelab.emulator.services.stepfunctions import machines

    # Every failure a Catch handles is logged at ERROR by the interpreter; the history has them all.
    logging.getLogger("moto.stepfunctions.parser").setLevel(logging.CRITICAL)
    registry.on_reset(machines.stop_all)
