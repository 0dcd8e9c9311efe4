"""A lab cell's wait stops as soon as the outcome can no longer come, saying what failed and where to look."""

from __future__ import annotations

import time

import pytest

from lakelab.lab import waiting
from tests.checks.test_user_code import RAISING, _deploy, _invoke, _zip


def test_the_outcome_ends_the_wait_with_the_conditions_value(capsys):
    answers = iter([None, [], ["done"]])
    assert waiting.wait_until(lambda: next(answers), "the answer", timeout=5, interval=0.01) == ["done"]
    assert capsys.readouterr().out == ""


def test_a_reason_stops_the_wait_at_once_and_says_so(capsys):
    started = time.monotonic()
    value = waiting.wait_until(lambda: 0, "the verdicts on 7 files", timeout=30, interval=0.01,
                               failed=lambda: "the function broke")
    assert value == 0 and time.monotonic() - started < 2
    assert capsys.readouterr().out == "⛔ stopped waiting for the verdicts on 7 files:\n   the function broke\n"


def test_a_timeout_says_so_and_an_error_while_looking_for_a_failure_is_no_reason(capsys):
    from botocore.exceptions import EndpointConnectionError

    def unreadable():
        raise EndpointConnectionError(endpoint_url="http://nowhere")

    assert waiting.wait_until(lambda: None, "nothing", timeout=0.05, interval=0.01, failed=unreadable) is None
    assert capsys.readouterr().out == "⌛ gave up waiting for nothing after 0.05 s\n"
    waiting.wait_until(lambda: None, "nothing", timeout=0.05, interval=0.01, quiet=True)
    assert capsys.readouterr().out == ""


def test_an_aws_error_from_the_condition_stops_the_wait_when_failed_explains_it(capsys):
    from botocore.exceptions import ClientError

    def no_log_group():
        raise ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "no group"}}, "FilterLogEvents")

    assert waiting.wait_until(no_log_group, "the logs", failed=lambda: "the function does not exist") is None
    assert capsys.readouterr().out == "⛔ stopped waiting for the logs:\n   the function does not exist\n"
    with pytest.raises(ClientError):
        waiting.wait_until(no_log_group, "the logs", failed=lambda: None)


def test_an_interrupt_is_one_line_without_a_traceback_from_the_kit():
    def interrupted():
        raise KeyboardInterrupt

    with pytest.raises(waiting.WaitInterrupted) as stopped:
        waiting.wait_until(interrupted, "the verdicts", timeout=5)
    assert stopped.value._render_traceback_() == [
        "⏹ interrupted while waiting for the verdicts: run this cell again to wait again"]
    assert stopped.value.__suppress_context__


def test_lambda_stopped_names_a_missing_function_an_uninvoking_bucket_and_the_logged_error(client):
    assert "lakelab-nobody does not exist: run the cell that creates it" in waiting.lambda_stopped("lakelab-nobody")()
    _deploy(client, "lakelab-waits-raises", RAISING)
    client("s3").create_bucket(Bucket="lakelab-waits")
    reason = waiting.lambda_stopped("lakelab-waits-raises", bucket="lakelab-waits")()
    assert reason.startswith("no event notification of the bucket lakelab-waits invokes lakelab-waits-raises")
    assert waiting.lambda_stopped("lakelab-waits-raises")() is None  # deployed, not invoked yet: it may still work
    _invoke(client, "lakelab-waits-raises")
    reason = waiting.lambda_stopped("lakelab-waits-raises")()
    assert reason.startswith("lakelab-waits-raises failed: ValueError: invalid literal for int()")
    assert "open log group /aws/lambda/lakelab-waits-raises, stream " in reason


def test_an_error_logged_before_the_last_deploy_is_no_reason_to_stop(client):
    _deploy(client, "lakelab-waits-fixed", RAISING)
    _invoke(client, "lakelab-waits-fixed")
    assert waiting.lambda_stopped("lakelab-waits-fixed")() is not None
    time.sleep(0.01)
    client("lambda").update_function_code(FunctionName="lakelab-waits-fixed",
                                          ZipFile=_zip("def handler(e, c):\n    print('ok')\n"))
    assert waiting.lambda_stopped("lakelab-waits-fixed")() is None


def _crawl(client, role: str, name: str, body: bytes) -> None:
    client("s3").create_bucket(Bucket="lakelab-waits-lake")
    client("s3").put_object(Bucket="lakelab-waits-lake", Key=f"raw/{name}/part-0", Body=body)
    client("glue").create_database(DatabaseInput={"Name": "lakelab_waits"})
    client("glue").create_crawler(Name=name, Role=role, DatabaseName="lakelab_waits",
                                  Targets={"S3Targets": [{"Path": f"s3://lakelab-waits-lake/raw/{name}/"}]})
    client("glue").start_crawler(Name=name)


def test_a_crawl_is_waited_for_until_it_succeeds(client, service_role, capsys):
    missing = waiting.crawler_stopped("lakelab-nowhere")()
    assert "lakelab-nowhere does not exist: run the cell that creates it" in missing
    _crawl(client, service_role("glue", "lakelab-waits-crawler"), "orders", b"order_id,amount\n1,12.5\n2,3\n")
    assert waiting.wait_until(waiting.crawl_succeeded("orders"), "the crawl", 30, interval=0.1,
                              failed=waiting.crawler_stopped("orders")) is True
    assert capsys.readouterr().out == ""


def test_a_failed_crawl_stops_the_wait_with_its_error_and_log_stream(client, service_role, capsys):
    _crawl(client, service_role("glue", "lakelab-waits-crawler", actions=("glue:*", "logs:*")), "denied",
           b"order_id,amount\n1,12.5\n")
    started = time.monotonic()
    assert not waiting.wait_until(waiting.crawl_succeeded("denied"), "the crawl of denied", 30, interval=0.1,
                                  failed=waiting.crawler_stopped("denied"))
    out = capsys.readouterr().out
    assert time.monotonic() - started < 10 and out.startswith("⛔ stopped waiting for the crawl of denied:\n")
    assert "the crawl of denied FAILED: " in out and "open log group /aws-glue/crawlers, stream denied" in out


def test_a_delivery_stream_that_failed_to_create_stops_the_wait(client, monkeypatch):
    from lakelab.lab import waiting

    firehose, s3 = client("firehose"), client("s3")
    s3.create_bucket(Bucket="probe-bucket")
    firehose.create_delivery_stream(DeliveryStreamName="probe", DeliveryStreamType="DirectPut",
                                    ExtendedS3DestinationConfiguration={
                                        "RoleARN": "arn:aws:iam::123456789012:role/r", "BucketARN": "arn:aws:s3:::probe-bucket"})
    assert waiting.wait_until(waiting.delivery_stream_active("probe"), "probe to be ACTIVE", timeout=30,
                              failed=waiting.delivery_stream_failed("probe")) is True
    assert waiting.delivery_stream_failed("probe")() is None
    real = firehose.describe_delivery_stream(DeliveryStreamName="probe")  # as AWS answers when its key cannot be used
    failed = {**real, "DeliveryStreamDescription": {**real["DeliveryStreamDescription"], "DeliveryStreamStatus": "CREATING_FAILED",
              "FailureDescription": {"Type": "INVALID_KMS_KEY", "Details": "the key is disabled"}}}
    import boto3
    monkeypatch.setattr(boto3, "client", lambda *a, **k: type("F", (), {"describe_delivery_stream": lambda self, **_: failed})())
    reason = waiting.delivery_stream_failed("probe")()
    assert reason.startswith("the delivery stream probe is CREATING_FAILED: INVALID_KMS_KEY the key is disabled")
    assert waiting.wait_until(waiting.delivery_stream_active("probe"), "probe to be ACTIVE", timeout=30,
                              failed=waiting.delivery_stream_failed("probe")) is False
