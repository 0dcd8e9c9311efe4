import signal
import socket
import subprocess
import sys

import pytest

from lakelab.cli import main
from lakelab.emulator.server import probe


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_prints_one_line_answers_and_stops_on_sigterm():
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "lakelab.cli", "serve", "--port", str(port)],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().startswith(f"Lake Labs emulator answering on http://127.0.0.1:{port}")
        assert probe(f"http://127.0.0.1:{port}")["service"] == "lakelab-emulator"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        assert "stopped" in process.stdout.read()
    finally:
        process.kill()


def test_serve_with_iam_off_says_so_and_lets_a_role_do_anything():
    """The switch is per emulator: ``--iam off`` serves with enforcement off, and its health says so."""
    import json

    import boto3

    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "lakelab.cli", "serve", "--port", str(port), "--iam", "off"],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert "IAM off" in process.stdout.readline()
        endpoint = f"http://127.0.0.1:{port}"
        assert probe(endpoint)["iam"] == "off"
        client = lambda service, **keys: boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", **keys)
        client("iam").create_role(RoleName="nothing-allowed", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]}))
        keys = client("sts").assume_role(RoleArn="arn:aws:iam::123456789012:role/nothing-allowed",
                                         RoleSessionName="anything")["Credentials"]
        as_role = client("s3", aws_access_key_id=keys["AccessKeyId"], aws_secret_access_key=keys["SecretAccessKey"],
                         aws_session_token=keys["SessionToken"])
        as_role.create_bucket(Bucket="allowed-because-iam-is-off")
    finally:
        process.kill()


def test_serve_on_a_port_in_use_says_so(capsys):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        assert main(["serve", "--port", str(sock.getsockname()[1])]) == 2
    assert "already in use" in capsys.readouterr().err


def test_unknown_target_is_one_clear_sentence(monkeypatch, capsys):
    monkeypatch.setenv("LAKELAB_TARGET", "prod")
    assert main(["teardown"]) == 2
    assert capsys.readouterr().err.strip() == (
        "lakelab: LAKELAB_TARGET='prod' is not a target: use one of local, localstack, aws "
        "(local is the default and needs no account)")


def test_teardown_on_aws_without_opt_in_is_refused(monkeypatch, capsys):
    monkeypatch.setenv("LAKELAB_TARGET", "aws")
    monkeypatch.delenv("LAKELAB_AWS_ACCOUNT", raising=False)
    assert main(["teardown"]) == 2
    assert "LAKELAB_AWS_ACCOUNT" in capsys.readouterr().err


def test_build_check_passes_on_the_committed_labs(capsys):
    assert main(["build", "--check"]) == 0
    assert "in sync" in capsys.readouterr().out


def test_data_generate_refuses_too_few_rows(tmp_path, capsys):
    assert main(["data", "generate", "--rows", "5", "--out", str(tmp_path)]) == 2
    assert "rows must be at least" in capsys.readouterr().err
