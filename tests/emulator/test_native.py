"""Native services: a service of our own, routed by its signing name, reset with the rest."""

import datetime as dt
import json
import urllib.request

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from lakelab.emulator import context, native, registry


class Echo:
    """A tiny service moto does not have: it remembers what was put, and who put it."""

    name = "lakelabecho"

    def __init__(self) -> None:
        self.items: list[str] = []
        self.callers: list[str] = []
        self.resets = 0

    def handle(self, request):
        from werkzeug.wrappers import Response

        self.items.append(request.get_data(as_text=True))
        self.callers.append(context.current().service)
        return Response(json.dumps({"items": self.items}), content_type="application/json")

    def reset(self) -> None:
        self.items.clear()
        self.resets += 1


@pytest.fixture
def echo():
    service = Echo()
    unregister = registry.register_native(service)
    yield service
    unregister()


def _signed_post(endpoint: str, service: str, body: bytes) -> dict:
    request = AWSRequest(method="POST", url=f"{endpoint}/items", data=body,
                         headers={"Content-Type": "application/json",
                                  "X-Amz-Date": dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")})
    SigV4Auth(Credentials("testing", "testing"), service, "us-east-1").add_auth(request)
    prepared = urllib.request.Request(request.url, data=body, headers=dict(request.headers), method="POST")
    with urllib.request.urlopen(prepared, timeout=10) as answer:
        return json.loads(answer.read())


def test_a_request_signed_for_a_native_service_reaches_it(emulator, echo):
    assert isinstance(echo, native.NativeService)
    assert _signed_post(emulator.endpoint, "lakelabecho", b'"first"') == {"items": ['"first"']}
    assert _signed_post(emulator.endpoint, "lakelabecho", b'"second"')["items"] == ['"first"', '"second"']
    assert echo.callers == ["lakelabecho", "lakelabecho"]  # served inside the request's context


def test_other_requests_still_reach_moto(emulator, echo, client):
    client("s3").create_bucket(Bucket="still-moto")
    assert [b["Name"] for b in client("s3").list_buckets()["Buckets"]] == ["still-moto"]
    assert echo.items == []


def test_reset_reaches_native_services(emulator, echo):
    _signed_post(emulator.endpoint, "lakelabecho", b'"kept?"')
    emulator.reset()
    assert echo.items == [] and echo.resets == 1


def test_the_signing_name_is_read_from_the_credential_scope():
    header = "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/airflow/aws4_request, SignedHeaders=host, Signature=x"
    assert native.signing_name({"HTTP_AUTHORIZATION": header}) == "airflow"
    presigned = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20250101%2Fus-east-1%2Fairflow%2Faws4_request"
    assert native.signing_name({"QUERY_STRING": presigned}) == "airflow"
    assert native.signing_name({}) is None
