"""FilterLogEvents reads only the streams a prefix names, as the API reference says."""

import time

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def runs(client):
    logs = client("logs")
    logs.create_log_group(logGroupName="/aws-glue/jobs/output")
    for run, message in (("jr_1", "first run"), ("jr_2", "second run")):
        logs.create_log_stream(logGroupName="/aws-glue/jobs/output", logStreamName=f"{run}-driver")
        logs.put_log_events(logGroupName="/aws-glue/jobs/output", logStreamName=f"{run}-driver",
                            logEvents=[{"timestamp": int(time.time() * 1000), "message": message}])
    return logs


def test_a_prefix_reads_only_its_streams(runs):
    answer = runs.filter_log_events(logGroupName="/aws-glue/jobs/output", logStreamNamePrefix="jr_2")
    assert [e["message"] for e in answer["events"]] == ["second run"]
    assert {e["logStreamName"] for e in answer["events"]} == {"jr_2-driver"}


def test_a_prefix_no_stream_has_reads_nothing(runs):
    answer = runs.filter_log_events(logGroupName="/aws-glue/jobs/output", logStreamNamePrefix="jr_9")
    assert answer["events"] == []


def test_names_and_a_prefix_together_are_refused(runs):
    with pytest.raises(ClientError, match="InvalidParameterException"):
        runs.filter_log_events(logGroupName="/aws-glue/jobs/output", logStreamNamePrefix="jr_",
                               logStreamNames=["jr_1-driver"])
