"""Lambda logs on the emulator: CloudWatch Logs in Lambda's format, and LogType=Tail."""

import base64
import re

from test_lambda_invoke import deploy, invoke

CHATTY = """
import logging, sys
print("loading module")
logger = logging.getLogger()
logger.setLevel(logging.INFO)
def handler(event, context):
    print("to stdout", event["n"])
    print("to stderr", file=sys.stderr)
    logger.info("a logging line")
    return event["n"]
"""

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def messages(client, function):
    """Every log message of ``function``, per stream: {stream name: [message, ...]}."""
    logs, group = client("logs"), f"/aws/lambda/{function}"
    try:
        streams = [s["logStreamName"] for s in logs.describe_log_streams(logGroupName=group)["logStreams"]]
    except logs.exceptions.ResourceNotFoundException:
        return {}  # the function has not run yet
    return {
        stream: [e["message"] for e in logs.get_log_events(logGroupName=group, logStreamName=stream)["events"]]
        for stream in streams
    }


def test_logs_have_start_end_report_and_what_the_handler_printed(client):
    deploy(client, "lakelab-chatty", {"app.py": CHATTY}, MemorySize=512)
    invoke(client, "lakelab-chatty", {"n": 1})
    invoke(client, "lakelab-chatty", {"n": 2})
    (stream, lines), = messages(client, "lakelab-chatty").items()  # one warm worker, one stream
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", stream)
    assert lines[0] == "loading module", "init output comes before the first START"
    assert re.fullmatch(rf"START RequestId: ({UUID}) Version: \$LATEST", lines[1])
    first_id = lines[1].split()[2]
    assert lines[2:4] == ["to stdout 1", "to stderr"]
    assert re.fullmatch(rf"\[INFO\]\t\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z\t{first_id}\ta logging line", lines[4])
    assert lines[5] == f"END RequestId: {first_id}"
    report = (rf"REPORT RequestId: {first_id}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
              r"Memory Size: 512 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t")
    assert re.fullmatch(report, lines[6])
    assert "Init Duration" not in lines[-1], "a warm invoke has no init"
    assert lines[-1].startswith("REPORT RequestId:") and "to stdout 2" in lines


def test_log_tail_returns_the_last_4_kb(client):
    code = "def handler(event, context):\n    for i in range(400):\n        print('line', i, 'x' * 20)\n"
    deploy(client, "lakelab-tail", {"app.py": code})
    answer, _ = invoke(client, "lakelab-tail", LogType="Tail")
    tail = base64.b64decode(answer["LogResult"])
    assert 3500 < len(tail) <= 4096
    text = tail.decode()
    assert "line 399 " in text and "line 0 " not in text
    assert text.rstrip("\n").splitlines()[-1].startswith("REPORT RequestId:")
    assert "LogResult" not in invoke(client, "lakelab-tail")[0], "no tail unless asked for"


def test_errors_are_logged_as_the_runtime_logs_them(client):
    deploy(client, "lakelab-raises-log", {"app.py": "def handler(e, c):\n    raise KeyError('id')\n"})
    invoke(client, "lakelab-raises-log")
    (lines,) = messages(client, "lakelab-raises-log").values()
    error = next(line for line in lines if line.startswith("[ERROR]"))
    assert error.startswith("[ERROR] KeyError: 'id'\nTraceback (most recent call last):\n")
    assert "in handler" in error

    deploy(client, "lakelab-import-log", {"app.py": "import nothing_by_this_name\n"})
    invoke(client, "lakelab-import-log")
    (lines,) = messages(client, "lakelab-import-log").values()
    assert any(line.startswith("[ERROR] Runtime.ImportModuleError: Unable to import module 'app'") for line in lines)
    assert any(re.match(r"INIT_REPORT Init Duration: \S+ ms\tPhase: init\tStatus: error", line) for line in lines)
    assert re.search(r"\tStatus: error\tError Type: Runtime.ImportModuleError\t$", lines[-1])
