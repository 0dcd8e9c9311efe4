"""IAM enforcement's cost per request: ``denial_for`` on an S3 PutObject signed by an assumed role.

The role has three attached policies and the bucket a policy of its own. Warm: the role's
compiled policies are cached (every request after the first, until IAM changes). Cold: IAM
changed before every call, so each call reads and evaluates the role's policies afresh.
Prints one JSON line of figures; ``run.py`` may read it as it reads ``service_cases.py``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

ACCOUNT = "123456789012"
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}
POLICIES = [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::lake/raw/*"},
    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::lake",
     "Condition": {"StringLike": {"s3:prefix": ["raw/*", ""]}}},
    {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::lake/secret/*"},
]


def _set_up_role() -> None:
    from lakelab.emulator import seam

    iam = seam.backend("iam", ACCOUNT)
    iam.create_role("etl", json.dumps(TRUST), "/", None, "", [], None)
    for number, statement in enumerate(POLICIES):
        document = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
        policy = iam.create_policy("", "/", document, f"etl-{number}", [])
        iam.attach_role_policy(policy.arn, "etl")
    s3 = seam.backend("s3", ACCOUNT)
    s3.create_bucket("lake", "us-east-1")
    s3.put_bucket_policy("lake", json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::lake/*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}).encode())


def _request_and_context() -> tuple:
    from lakelab.emulator.context import ASSUMED_ROLE, Principal, RequestContext
    from lakelab.emulator.requests import RequestView

    caller = Principal(ASSUMED_ROLE, ACCOUNT, f"arn:aws:sts::{ACCOUNT}:assumed-role/etl/bench", "AROAETL:bench",
                       access_key_id="ASIABENCH", role_arn=f"arn:aws:iam::{ACCOUNT}:role/etl", session_name="bench")
    request = RequestView("PUT", "/lake/raw/a.csv", {}, {}, b"a,b\n", signing_name="s3", service="s3",
                          operation="PutObject", params={"Bucket": "lake", "Key": "raw/a.csv"}, protocol="rest-xml")
    return request, RequestContext(caller)


def _calls_per_second(call, seconds: float = 1.0) -> float:
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for _ in range(100):
            call()
        count += 100
    return count / elapsed


def denial_for_figures(seconds: float = 1.0) -> dict[str, float]:
    """Calls per second of ``denial_for`` (allowed PutObject), with a warm cache and a cold one."""
    from lakelab.emulator.services.iam import enforcement, iam_changes

    _set_up_role()
    request, context = _request_and_context()
    assert enforcement.denial_for(request, context) is None, "the benchmark's request must be allowed"
    warm = _calls_per_second(lambda: enforcement.denial_for(request, context), seconds)

    def cold() -> None:
        iam_changes.bump()
        enforcement.denial_for(request, context)

    cold_rate = _calls_per_second(cold, seconds)
    return {"warm_calls_per_s": round(warm), "cold_calls_per_s": round(cold_rate),
            "warm_us_per_call": round(1e6 / warm, 1), "cold_us_per_call": round(1e6 / cold_rate, 1)}


if __name__ == "__main__":
    print(json.dumps(denial_for_figures(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)))
