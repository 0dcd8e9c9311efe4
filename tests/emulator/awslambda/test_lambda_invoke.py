"""Lambda Invoke on the emulator: handlers really run, warm, and fail as they fail on AWS."""

import io
import json
import os
import re
import time
import zipfile

import pytest
from botocore.exceptions import ClientError

TRUST_POLICY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
})

COUNTER = """
import os
count = 0
def handler(event, context):
    global count
    count += 1
    return {"count": count, "marker": MARKER, "setting": os.environ.get("SETTING")}
"""


# --- helpers shared with the other test_lambda_* modules ------------------------------------


def zip_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def deploy(client, name, files, handler="app.handler", **settings) -> str:
    """Create a python3.12 function from ``files`` (name -> source) and return its ARN."""
    iam = client("iam")
    try:
        role = iam.get_role(RoleName="lakelab-test-lambda")["Role"]["Arn"]
    except ClientError:
        role = iam.create_role(RoleName="lakelab-test-lambda", AssumeRolePolicyDocument=TRUST_POLICY)["Role"]["Arn"]
        # Handlers run as their execution role, whose policy IAM now evaluates: let it work on S3.
        work = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*", "sqs:*", "sns:*"],
                                                          "Resource": "*"}]}
        iam.put_role_policy(RoleName="lakelab-test-lambda", PolicyName="work", PolicyDocument=json.dumps(work))
    answer = client("lambda").create_function(
        FunctionName=name, Runtime="python3.12", Role=role, Handler=handler, Code={"ZipFile": zip_of(files)},
        **settings,
    )
    return answer["FunctionArn"]


def invoke(client, name, event=None, **kwargs):
    """Invoke and return (answer, decoded payload)."""
    answer = client("lambda").invoke(FunctionName=name, Payload=json.dumps(event or {}), **kwargs)
    raw = answer["Payload"].read()
    return answer, (json.loads(raw) if raw else None)


def wait_for(predicate, timeout=15.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


# --- results, environment, context ------------------------------------------------------------


def test_invoke_returns_the_handler_result(client):
    deploy(client, "lakelab-echo", {"app.py": "def handler(event, context):\n    return {'got': event['x'] * 2}\n"})
    answer, payload = invoke(client, "lakelab-echo", {"x": 21})
    assert answer["StatusCode"] == 200
    assert "FunctionError" not in answer
    assert answer["ExecutedVersion"] == "$LATEST"
    assert payload == {"got": 42}


def test_environment_and_context_are_lambdas(emulator, client):
    code = """
import os, boto3
def handler(event, context):
    env = {k: os.environ.get(k) for k in ["AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_REGION",
        "AWS_DEFAULT_REGION", "LAMBDA_TASK_ROOT", "_HANDLER", "AWS_EXECUTION_ENV", "AWS_ENDPOINT_URL", "STAGE",
        "AWS_ACCESS_KEY_ID", "AWS_PROFILE"]}
    ctx = {k: getattr(context, k) for k in ["function_name", "function_version", "invoked_function_arn",
        "memory_limit_in_mb", "aws_request_id", "log_group_name", "log_stream_name"]}
    ctx["remaining"] = context.get_remaining_time_in_millis()
    caller = boto3.client("sts").get_caller_identity()["Arn"]
    return {"env": env, "context": ctx, "cwd": os.getcwd(), "caller": caller}
"""
    arn = deploy(client, "lakelab-env", {"app.py": code}, MemorySize=256, Timeout=30,
                 Environment={"Variables": {"STAGE": "dev"}})
    _, result = invoke(client, "lakelab-env")
    env, ctx = result["env"], result["context"]
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == ctx["function_name"] == "lakelab-env"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == ctx["function_version"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == ctx["memory_limit_in_mb"] == "256"  # a string, as on AWS
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == ctx["log_group_name"] == "/aws/lambda/lakelab-env"
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", env["AWS_LAMBDA_LOG_STREAM_NAME"])
    assert env["AWS_LAMBDA_LOG_STREAM_NAME"] == ctx["log_stream_name"]
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["LAMBDA_TASK_ROOT"] == result["cwd"] and env["_HANDLER"] == "app.handler"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    assert env["AWS_ENDPOINT_URL"] == emulator.endpoint
    assert env["STAGE"] == "dev" and env["AWS_PROFILE"] is None
    assert env["AWS_ACCESS_KEY_ID"].startswith("ASIA")  # the execution role's temporary credentials
    assert result["caller"].endswith(":assumed-role/lakelab-test-lambda/lakelab-env")
    assert ctx["invoked_function_arn"] == arn
    assert re.fullmatch(r"[0-9a-f-]{36}", ctx["aws_request_id"])
    assert 25_000 < ctx["remaining"] <= 30_000


# --- warm workers ------------------------------------------------------------------------------


def test_a_warm_worker_is_reused_and_replaced_by_new_code_or_settings(client):
    deploy(client, "lakelab-warm", {"app.py": "MARKER = 'v1'\n" + COUNTER})
    # The module-level counter survives between invokes only in the same warm process (no timing needed).
    assert [invoke(client, "lakelab-warm")[1]["count"] for _ in range(4)] == [1, 2, 3, 4]

    new_code = zip_of({"app.py": "MARKER = 'v2'\n" + COUNTER})
    client("lambda").update_function_code(FunctionName="lakelab-warm", ZipFile=new_code)
    assert invoke(client, "lakelab-warm")[1] == {"count": 1, "marker": "v2", "setting": None}

    settings = {"Variables": {"SETTING": "on"}}
    client("lambda").update_function_configuration(FunctionName="lakelab-warm", Environment=settings)
    assert invoke(client, "lakelab-warm")[1] == {"count": 1, "marker": "v2", "setting": "on"}


def test_a_published_version_keeps_its_code(client):
    deploy(client, "lakelab-versions", {"app.py": "MARKER = 'v1'\n" + COUNTER})
    version = client("lambda").publish_version(FunctionName="lakelab-versions")["Version"]
    new_code = zip_of({"app.py": "MARKER = 'v2'\n" + COUNTER})
    client("lambda").update_function_code(FunctionName="lakelab-versions", ZipFile=new_code)
    answer, payload = invoke(client, "lakelab-versions", Qualifier=version)
    assert (answer["ExecutedVersion"], payload["marker"]) == (version, "v1")
    assert invoke(client, "lakelab-versions")[1]["marker"] == "v2"


# --- failures ----------------------------------------------------------------------------------


def test_a_timeout_kills_the_worker_and_answers_sandbox_timedout(client):
    code = "import time\ncount = 0\ndef handler(event, context):\n    global count\n    count += 1\n" \
           "    time.sleep(event.get('sleep', 0))\n    return count\n"
    deploy(client, "lakelab-slow", {"app.py": code}, Timeout=1)
    started = time.perf_counter()
    answer, payload = invoke(client, "lakelab-slow", {"sleep": 30})
    assert time.perf_counter() - started < 5
    assert answer["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Sandbox.Timedout"
    assert re.fullmatch(r"RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds", payload["errorMessage"])
    assert invoke(client, "lakelab-slow")[1] == 1, "the next invoke gets a fresh worker"


def test_an_exception_is_an_unhandled_function_error(client):
    deploy(client, "lakelab-raises", {"app.py": "def handler(event, context):\n    raise ValueError('bad input')\n"})
    answer, payload = invoke(client, "lakelab-raises")
    assert answer["StatusCode"] == 200 and answer["FunctionError"] == "Unhandled"
    assert set(payload) == {"errorMessage", "errorType", "requestId", "stackTrace"}
    assert (payload["errorType"], payload["errorMessage"]) == ("ValueError", "bad input")
    assert re.fullmatch(r"[0-9a-f-]{36}", payload["requestId"])
    assert "in handler" in payload["stackTrace"][0] and "raise ValueError" in payload["stackTrace"][0]


@pytest.mark.parametrize(
    ("files", "handler", "error_type", "message"),
    [
        ({"app.py": "def handler(e, c):\n    return 1\n"}, "missing.handler", "Runtime.ImportModuleError",
         "Unable to import module 'missing': No module named 'missing'"),
        ({"app.py": "import not_installed_anywhere\n"}, "app.handler", "Runtime.ImportModuleError",
         "Unable to import module 'app': No module named 'not_installed_anywhere'"),
        ({"app.py": "def other(e, c):\n    return 1\n"}, "app.handler", "Runtime.HandlerNotFound",
         "Handler 'handler' missing on module 'app'"),
        ({"app.py": "def handler(e, c)\n    return 1\n"}, "app.handler", "Runtime.UserCodeSyntaxError",
         "Syntax error in module 'app': "),
        ({"app.py": "x = 1\n"}, "nodot", "Runtime.MalformedHandlerName", "Bad handler 'nodot'"),
    ],
)
def test_code_that_cannot_load_fails_as_on_aws(client, files, handler, error_type, message):
    deploy(client, "lakelab-broken", files, handler=handler)
    answer, payload = invoke(client, "lakelab-broken")
    assert answer["FunctionError"] == "Unhandled"
    assert payload["errorType"] == error_type
    assert payload["errorMessage"].startswith(message)


def test_a_runtime_that_exits_is_a_runtime_exit_error(client):
    deploy(client, "lakelab-exits", {"app.py": "import sys\ndef handler(e, c):\n    sys.exit(3)\n"})
    answer, payload = invoke(client, "lakelab-exits")
    assert answer["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Runtime.ExitError"
    assert payload["errorMessage"].endswith("Error: Runtime exited with error: exit status 3")


# --- invocation types and request checks --------------------------------------------------------


def test_event_invocation_answers_202_and_runs_afterwards(emulator, client):
    code = """
import time, boto3
def handler(event, context):
    time.sleep(0.3)
    boto3.client("s3").put_object(Bucket="lakelab-async-out", Key="done.txt", Body=context.aws_request_id)
"""
    client("s3").create_bucket(Bucket="lakelab-async-out")
    deploy(client, "lakelab-async", {"app.py": code}, Timeout=10)
    answer = client("lambda").invoke(FunctionName="lakelab-async", InvocationType="Event", Payload=b"{}")
    assert answer["StatusCode"] == 202
    assert client("s3").list_objects_v2(Bucket="lakelab-async-out")["KeyCount"] == 0, "ran inside the request"
    emulator.drain()
    assert client("s3").get_object(Bucket="lakelab-async-out", Key="done.txt")["Body"].read()


def test_dry_run_validates_without_running(client):
    deploy(client, "lakelab-dry", {"app.py": "MARKER = 'x'\n" + COUNTER})
    assert client("lambda").invoke(FunctionName="lakelab-dry", InvocationType="DryRun")["StatusCode"] == 204
    groups = client("logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/lakelab-dry")["logGroups"]
    assert groups == [], "DryRun must not run the handler (a run writes logs)"
    assert invoke(client, "lakelab-dry")[1]["count"] == 1
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        client("lambda").invoke(FunctionName="lakelab-nowhere", InvocationType="DryRun")


def test_a_payload_that_is_not_json_is_refused(client):
    deploy(client, "lakelab-json", {"app.py": "def handler(e, c):\n    return e\n"})
    with pytest.raises(ClientError, match="InvalidRequestContentException"):
        client("lambda").invoke(FunctionName="lakelab-json", Payload=b"{not json")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"Environment": {"Variables": {"AWS_REGION": "eu-west-1"}}}, "Reserved keys used in this request: AWS_REGION"),
        ({"Runtime": "python3.7"}, "The runtime parameter of python3.7 is no longer supported"),
        ({"Runtime": "nodejs20.x"}, "runs Python functions only"),
        ({"Code": {"ZipFile": b"not a zip"}}, "Could not unzip uploaded file"),
    ],
)
def test_deployments_lambda_refuses_are_refused(client, settings, message):
    spec = {"FunctionName": "lakelab-refused", "Runtime": "python3.12", "Handler": "app.handler",
            "Role": "arn:aws:iam::123456789012:role/any", "Code": {"ZipFile": zip_of({"app.py": ""})}, **settings}
    with pytest.raises(ClientError, match="InvalidParameterValueException") as raised:
        client("lambda").create_function(**spec)
    assert message in str(raised.value)


def test_worker_processes_end_on_reset(emulator, client):
    from lakelab.emulator.services.awslambda import invocation

    deploy(client, "lakelab-reset", {"app.py": "import os\ndef handler(e, c):\n    return os.getpid()\n"})
    pid = invoke(client, "lakelab-reset")[1]
    assert pid in invocation.workers.pids()
    emulator.reset()
    assert invocation.workers.pids() == []
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
