"""docker-compose.yaml, checked statically: no Docker engine is needed (or present) to run these.

Each property is read by a small helper, and each helper is also run on a broken copy of the
file, so a test cannot pass because its helper stopped looking.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yaml"
SCHEMA_FILE = REPO.parent / "shared" / "data" / "compose-spec.json"
PINNED = "localstack/localstack:4.14.0"
HEALTH_URL = "http://localhost:4566/_localstack/health"
COURSE_SERVICES = {"s3", "sqs", "sns", "lambda", "kinesis", "firehose", "iam", "sts", "logs",
                   "cloudwatch", "stepfunctions", "redshift", "events",
                   "glue", "athena", "emr", "lakeformation", "cloudtrail"}
_VARIABLE = re.compile(r"\$\{(\w+)(?:(:?-)([^}]*))?\}")


@pytest.fixture
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ``${NAME}``, ``${NAME-default}`` and ``${NAME:-default}``, for the tests."""
    def substitute(match: re.Match) -> str:
        name, operator, default = match.groups()
        if operator == ":-" and not env.get(name):
            return default
        return env[name] if name in env else (default or "")
    return _VARIABLE.sub(substitute, value)


def localstack(compose: dict) -> dict:
    return compose["services"]["localstack"]


def environment(service: dict) -> dict[str, str]:
    entries = service.get("environment") or {}
    if isinstance(entries, list):  # the "KEY=VALUE" list form is also valid compose
        entries = dict(entry.split("=", 1) for entry in entries)
    return {key: str(value) for key, value in entries.items()}


def host_ips(service: dict) -> list[str | None]:
    """The host address of every published port; None means every interface."""
    addresses = []
    for port in service.get("ports", []):
        if isinstance(port, dict):
            addresses.append(port.get("host_ip"))
        else:
            parts = str(port).split(":")
            addresses.append(parts[0] if len(parts) == 3 else None)
    return addresses


def healthcheck_urls(service: dict) -> list[str]:
    check = service.get("healthcheck") or {}
    if check.get("disable") in (True, "true"):
        return []
    test = check.get("test", [])
    words = test.split() if isinstance(test, str) else test
    return [word for word in words if word.startswith("http")]


def token_passed_through(service: dict) -> bool:
    """The container gets the caller's token, and nothing at all without one."""
    value = environment(service).get("LOCALSTACK_AUTH_TOKEN", "")
    caller_token = "ls-test-not-a-real-token"
    return (interpolate(value, {"LOCALSTACK_AUTH_TOKEN": caller_token}) == caller_token
            and interpolate(value, {}) == "")


def mounts_docker_socket(service: dict) -> bool:
    targets = [interpolate(v, {}).split(":")[1] if isinstance(v, str) else v.get("target")
               for v in service.get("volumes", [])]
    return "/var/run/docker.sock" in targets


@pytest.mark.skipif(not SCHEMA_FILE.is_file(), reason=f"compose-spec schema not found at {SCHEMA_FILE}")
def test_file_is_valid_against_the_compose_spec(compose):
    import jsonschema

    # The spec declares draft 7 by a URL jsonschema does not recognise, so name it here.
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    validator.validate(compose)
    broken = copy.deepcopy(compose)
    localstack(broken)["healthcheck"]["retry"] = 3  # a typo compose would reject
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(broken)


def test_image_is_pinned_to_4_14_0_and_overridable(compose):
    image = localstack(compose)["image"]
    assert interpolate(image, {}) == PINNED
    assert interpolate(image, {"LOCALSTACK_VERSION": "4.15.0"}) == "localstack/localstack:4.15.0"
    assert "latest" not in image
    assert interpolate("localstack/localstack:latest", {}) != PINNED


def test_every_published_port_binds_loopback_only(compose):
    service = localstack(compose)
    assert host_ips(service) and set(host_ips(service)) == {"127.0.0.1"}
    published = {str(port).rsplit(":", 1)[-1] for port in service["ports"]}
    assert {"4566", "4510-4559"} <= published
    for exposed in ("4566:4566", "0.0.0.0:4566:4566", {"target": 4566, "published": 4566}):
        broken = copy.deepcopy(service)
        broken["ports"].append(exposed)
        assert set(host_ips(broken)) != {"127.0.0.1"}, exposed


def test_auth_token_comes_from_the_environment_and_is_not_hard_coded(compose):
    service = localstack(compose)
    assert token_passed_through(service)
    for value in ("ls-hard-coded-token", "${LOCALSTACK_AUTH_TOKEN:-ls-default-token}"):
        broken = copy.deepcopy(service)
        broken["environment"]["LOCALSTACK_AUTH_TOKEN"] = value
        assert not token_passed_through(broken), value
    assert re.search(r"\bls-\w{6,}", COMPOSE_FILE.read_text(encoding="utf-8")) is None


def test_healthcheck_polls_the_localstack_health_endpoint(compose):
    service = localstack(compose)
    assert HEALTH_URL in healthcheck_urls(service)
    assert localstack(compose)["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL")
    disabled, missing = copy.deepcopy(service), copy.deepcopy(service)
    disabled["healthcheck"]["disable"] = True
    del missing["healthcheck"]
    assert healthcheck_urls(disabled) == [] and healthcheck_urls(missing) == []


def test_services_cover_the_course_and_lambda_can_start_containers(compose):
    service = localstack(compose)
    assert COURSE_SERVICES <= set(environment(service)["SERVICES"].split(","))
    assert mounts_docker_socket(service)
    broken = copy.deepcopy(service)
    broken["volumes"] = [v for v in broken["volumes"] if "docker.sock" not in v]
    assert not mounts_docker_socket(broken)


def test_environment_helper_reads_both_compose_forms():
    listed = {"environment": ["SERVICES=s3,sqs", "DEBUG=0"]}
    assert environment(listed) == {"SERVICES": "s3,sqs", "DEBUG": "0"}


def test_header_says_how_to_start_it_and_what_the_free_tier_lacks():
    header = COMPOSE_FILE.read_text(encoding="utf-8").split("\nname:", 1)[0]
    assert "docker compose up -d localstack" in header
    assert "LAKELAB_TARGET=localstack make lab" in header
    for paid in ("Glue", "Athena", "EMR", "MWAA", "Lake Formation", "DMS", "CloudTrail"):
        assert paid in header, f"the header does not say {paid} is a paid tier"
