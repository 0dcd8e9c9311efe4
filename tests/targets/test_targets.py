"""Target selection: the default, bad values, LocalStack that is down, and the aws guardrails."""

import os

import boto3
import pytest
from moto import mock_aws

from lakelab import course, targets
from lakelab.targets import TargetError


@pytest.fixture(autouse=True)
def fresh_target(monkeypatch):
    """Resolving a target rewrites AWS_* variables: give them back afterwards."""
    saved = dict(os.environ)
    targets.forget()
    yield
    targets.forget()
    os.environ.clear()
    os.environ.update(saved)


def test_default_is_local(monkeypatch):
    monkeypatch.delenv("LAKELAB_TARGET", raising=False)
    assert targets.selected() == "local"


def test_unknown_target_lists_the_valid_ones(monkeypatch):
    monkeypatch.setenv("LAKELAB_TARGET", "azure")
    with pytest.raises(TargetError, match="local, localstack, aws"):
        targets.selected()


def test_bad_port_is_refused(monkeypatch):
    monkeypatch.setenv("LAKELAB_PORT", "fifty")
    with pytest.raises(TargetError, match="not a port number"):
        targets.course_port()


def test_local_embedded_points_boto3_at_its_own_emulator(monkeypatch):
    monkeypatch.setenv("LAKELAB_EMBEDDED", "1")
    chosen = targets.activate()
    assert chosen.emulator is not None and os.environ["AWS_ENDPOINT_URL"] == chosen.endpoint
    boto3.client("s3").create_bucket(Bucket="lakelab-embedded-check")
    assert "lakelab-embedded-check" in [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]]


def test_local_attaches_to_a_running_emulator(emulator, monkeypatch, capsys):
    monkeypatch.setenv("LAKELAB_EMBEDDED", "0")
    monkeypatch.setenv("LAKELAB_PORT", str(emulator.port))
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    chosen = targets.activate()
    assert chosen.emulator is None and chosen.endpoint == emulator.endpoint
    assert "shared emulator" in chosen.summary()


def test_local_without_a_server_says_so_and_embeds(monkeypatch, capsys):
    monkeypatch.setenv("LAKELAB_EMBEDDED", "0")
    monkeypatch.setenv("LAKELAB_PORT", "1")  # nothing answers on port 1
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    chosen = targets.activate()
    assert chosen.emulator is not None
    assert "No `lakelab serve` answers on port 1" in capsys.readouterr().out


def test_localstack_that_does_not_answer_says_how_to_start_it(monkeypatch):
    monkeypatch.setenv("LAKELAB_TARGET", "localstack")
    monkeypatch.setenv("LOCALSTACK_HOST", "127.0.0.1:1")
    with pytest.raises(TargetError, match="docker compose up -d localstack"):
        targets.activate()


@pytest.fixture
def aws_account(monkeypatch):
    """A pretend real account: moto's in-process mock, with no endpoint configured."""
    monkeypatch.setenv("LAKELAB_TARGET", "aws")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield "123456789012"


def test_aws_requires_an_explicit_account(aws_account, monkeypatch):
    monkeypatch.delenv("LAKELAB_AWS_ACCOUNT", raising=False)
    with pytest.raises(TargetError, match="LAKELAB_AWS_ACCOUNT"):
        targets.activate()


def test_aws_refuses_a_different_account(aws_account, monkeypatch):
    monkeypatch.setenv("LAKELAB_AWS_ACCOUNT", "999999999999")
    with pytest.raises(TargetError, match="not LAKELAB_AWS_ACCOUNT=999999999999"):
        targets.activate()


def test_aws_refuses_a_production_alias(aws_account, monkeypatch):
    monkeypatch.setenv("LAKELAB_AWS_ACCOUNT", aws_account)
    boto3.client("iam").create_account_alias(AccountAlias="acme-prod-main")
    with pytest.raises(TargetError, match="looks like production"):
        targets.activate()


def test_aws_refuses_an_endpoint_override(aws_account, monkeypatch):
    monkeypatch.setenv("LAKELAB_AWS_ACCOUNT", aws_account)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:4566")
    with pytest.raises(TargetError, match="AWS_ENDPOINT_URL_S3"):
        targets.activate()


def test_aws_accepts_the_named_sandbox(aws_account, monkeypatch):
    monkeypatch.setenv("LAKELAB_AWS_ACCOUNT", aws_account)
    chosen = targets.activate()
    assert (chosen.kind, chosen.account, chosen.region) == ("aws", aws_account, "us-east-1")
    assert "account 123456789012 · region us-east-1" in chosen.summary()


def test_resolvers_cover_every_target():
    assert set(targets.RESOLVERS) == set(targets.TARGETS)


def test_localstack_that_answers_becomes_the_endpoint(monkeypatch):
    """A stand-in for LocalStack's health route: the path is validated without Docker."""
    import http.server
    import threading

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b'{"services": {"s3": "running"}}' if self.path == "/_localstack/health" else b"{}"
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("LAKELAB_TARGET", "localstack")
        monkeypatch.setenv("LOCALSTACK_HOST", f"127.0.0.1:{server.server_port}")
        chosen = targets.activate()
        assert chosen.endpoint == f"http://127.0.0.1:{server.server_port}"
        assert os.environ["AWS_ENDPOINT_URL"] == chosen.endpoint and chosen.account == "000000000000"
    finally:
        server.shutdown()


def test_localstack_endpoint_is_configurable_and_4566_only_the_default(monkeypatch):
    from lakelab.targets.localstack import configured_endpoint

    for name in ("LOCALSTACK_ENDPOINT", "AWS_ENDPOINT_URL", "LOCALSTACK_HOST"):
        monkeypatch.delenv(name, raising=False)
    assert configured_endpoint() == "http://localhost:4566"
    monkeypatch.setenv("LOCALSTACK_HOST", "127.0.0.1:4600")
    assert configured_endpoint() == "http://127.0.0.1:4600"
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4700/")
    assert configured_endpoint() == "http://127.0.0.1:4700"
    monkeypatch.setenv("LOCALSTACK_ENDPOINT", "http://127.0.0.1:4800")
    assert configured_endpoint() == "http://127.0.0.1:4800"


def test_localstack_that_does_not_answer_is_one_sentence_naming_the_endpoint(monkeypatch):
    monkeypatch.setenv("LAKELAB_TARGET", "localstack")
    monkeypatch.setenv("LOCALSTACK_ENDPOINT", "http://127.0.0.1:1")
    with pytest.raises(TargetError) as refused:
        targets.activate()
    message = str(refused.value)
    assert message.startswith("LocalStack does not answer at http://127.0.0.1:1: start it with `make localstack-up`")
    assert "unset LAKELAB_TARGET" in message and "\n" not in message and targets.current() is None


def test_localstack_without_a_resolved_target_refuses_paid_services_without_a_token(monkeypatch):
    refuse = targets.localstack_tier_warning
    week1, week2 = course.week(1).services, course.week(2).services
    monkeypatch.delenv("LOCALSTACK_AUTH_TOKEN", raising=False)
    with pytest.raises(TargetError, match="This lab uses glue, athena, which this LocalStack does not offer"):
        refuse("localstack", week2)
    assert refuse("localstack", week1) is None
    assert refuse("local", week2) is None
    monkeypatch.setenv("LOCALSTACK_AUTH_TOKEN", "token")
    assert refuse("localstack", week2) is None


def test_localstack_refuses_what_its_health_does_not_list_even_with_a_token(monkeypatch):
    from lakelab.targets import choice

    monkeypatch.setenv("LOCALSTACK_AUTH_TOKEN", "token")
    community = targets.Target("localstack", "000000000000", "us-east-1", "http://127.0.0.1:4566",
                               services=frozenset({"s3", "sqs", "lambda", "logs", "iam"}))
    monkeypatch.setattr(choice, "_current", community)
    with pytest.raises(TargetError, match="restart LocalStack with LOCALSTACK_AUTH_TOKEN set"):
        targets.localstack_tier_warning("localstack", course.week(4).services)
    assert targets.localstack_tier_warning("localstack", course.week(3).services) is None
    assert community.offers("s3") and not community.offers("glue")
    assert targets.Target("local", "123456789012", "us-east-1").offers("glue")


def test_a_target_resolved_earlier_does_not_outlive_the_environment(monkeypatch):
    """Once resolved, the target still follows the environment: a wrong name is refused, another name is
    resolved afresh, and a removed endpoint is put back rather than letting boto3 reach a real account."""
    from lakelab.targets import choice

    monkeypatch.setattr(choice, "_current", choice.Target("local", "123456789012", "us-east-1",
                                                          "http://127.0.0.1:1", "local"))
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("LAKELAB_TARGET", raising=False)
    assert targets.activate().endpoint == "http://127.0.0.1:1"
    assert os.environ["AWS_ENDPOINT_URL"] == "http://127.0.0.1:1"
    monkeypatch.setenv("LAKELAB_TARGET", "prod")
    with pytest.raises(targets.TargetError, match="'prod' is not a target"):
        targets.activate()
    monkeypatch.setenv("LAKELAB_TARGET", "aws")
    with pytest.raises(targets.TargetError, match="AWS_ENDPOINT_URL is set"):
        targets.activate()  # the local endpoint is still in the environment: aws refuses it
    os.environ.pop("AWS_ENDPOINT_URL")  # not monkeypatch: it would put back the value activate() set
    monkeypatch.delenv("LAKELAB_AWS_ACCOUNT", raising=False)
    with pytest.raises(targets.TargetError, match="LAKELAB_AWS_ACCOUNT"):
        targets.activate()
