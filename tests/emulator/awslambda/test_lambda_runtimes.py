"""Lambda's runtime calendar: a Python runtime is refused once AWS blocks creating (or updating) with it."""

from datetime import date

import pytest
from botocore.exceptions import ClientError
from test_lambda_invoke import TRUST_POLICY, zip_of

from lakelab.emulator.services.awslambda import runtimes

DECEMBER_2026 = date(2026, 12, 6)


def test_the_calendar_on_a_known_day():
    assert runtimes.creatable(DECEMBER_2026) == [f"python3.{minor}" for minor in range(14, 7, -1)]
    assert runtimes.supported(DECEMBER_2026) == ["python3.14", "python3.13", "python3.12", "python3.11"]
    assert runtimes.blocked("python3.7", on=DECEMBER_2026)
    assert not runtimes.blocked("python3.7", for_update=True, on=DECEMBER_2026)  # updates until 2027-03-03
    assert runtimes.blocked("python3.10", on=date(2027, 2, 1)) and not runtimes.blocked("python3.10", on=date(2027, 1, 31))
    assert runtimes.blocked("python3.11", for_update=True, on=date(2027, 8, 31))


def _create(client, runtime):
    iam = client("iam")
    try:
        role = iam.get_role(RoleName="lakelab-runtimes")["Role"]["Arn"]
    except ClientError:
        role = iam.create_role(RoleName="lakelab-runtimes", AssumeRolePolicyDocument=TRUST_POLICY)["Role"]["Arn"]
    return client("lambda").create_function(
        FunctionName=f"lakelab-{runtime.replace('.', '-')}", Runtime=runtime, Handler="app.handler", Role=role,
        Code={"ZipFile": zip_of({"app.py": ""})})


def test_create_follows_the_calendar(client, monkeypatch):
    monkeypatch.setattr(runtimes, "today", lambda: DECEMBER_2026)
    for runtime in ("python3.8", "python3.10", "python3.14"):
        assert _create(client, runtime)["Runtime"] == runtime
    for runtime in ("python3.7", "python2.7"):
        with pytest.raises(ClientError) as raised:
            _create(client, runtime)
        assert raised.value.response["Error"]["Code"] == "InvalidParameterValueException"
        assert raised.value.response["Error"]["Message"] == (
            f"The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda "
            "functions. We recommend you use the new runtime (python3.14) while creating or updating functions.")


def test_updates_are_refused_once_the_runtime_is_update_blocked(client, monkeypatch):
    monkeypatch.setattr(runtimes, "today", lambda: DECEMBER_2026)
    name = _create(client, "python3.10")["FunctionName"]
    aws_lambda = client("lambda")
    aws_lambda.update_function_configuration(FunctionName=name, Timeout=10)
    monkeypatch.setattr(runtimes, "today", lambda: date(2027, 3, 3))
    with pytest.raises(ClientError, match="python3.10 is no longer supported"):
        aws_lambda.update_function_code(FunctionName=name, ZipFile=zip_of({"app.py": "x = 1\n"}))
    with pytest.raises(ClientError, match="python3.10 is no longer supported"):
        aws_lambda.update_function_configuration(FunctionName=name, Timeout=20)
    assert aws_lambda.update_function_configuration(FunctionName=name, Runtime="python3.13")["Runtime"] == "python3.13"
