"""CloudTrail's Event history at scale: LookupEvents over 100,000 recorded events, and their memory.

Records 100,000 management events (ten event names, so one name matches 10,000), then times a
LookupEvents filtered by EventName in-process (the history's own lookup and result shaping) and
through boto3 against a running emulator, and measures with tracemalloc what the events take.
Prints one JSON line of figures; ``run.py`` may read it as it reads ``service_cases.py``.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

ACCOUNT, REGION = "123456789012", "us-east-1"
EVENTS = 100_000
NAMES = ["CreateBucket", "PutBucketPolicy", "CreateRole", "AttachRolePolicy", "CreateFunction20150331",
         "StartQueryExecution", "CreateCrawler", "StartJobRun", "CreateTable", "DeleteBucket"]


def _record(count: int) -> None:
    from lakelab.emulator.context import Principal, RequestContext
    from lakelab.emulator.services import cloudtrail

    ctx = RequestContext(Principal.root(ACCOUNT, "AKIAEXAMPLEROOT01"), region=REGION, user_agent="bench")
    for index in range(count):
        name = NAMES[index % len(NAMES)]
        cloudtrail.record_service_call(ctx, "s3.amazonaws.com", name, {"bucketName": f"bucket-{index}",
                                                                       "Host": "s3.amazonaws.com"})


def _reset_history() -> None:
    from lakelab.emulator.services.cloudtrail import history

    history.clear()


def _median(action, runs: int = 5) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _in_process_lookup() -> None:
    from lakelab.emulator.services.cloudtrail import history

    page, _ = history.of(ACCOUNT, REGION).lookup(("EventName", "CreateRole"), None, None, None, 50)
    [history.result(event) for event in page]


def trail_figures() -> dict:
    """Seconds for an EventName lookup over 100,000 events (in-process, boto3) and their memory."""
    import boto3

    from lakelab.emulator import Emulator

    with Emulator() as emulator:
        os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
        trails = boto3.client("cloudtrail", region_name=REGION, endpoint_url=emulator.endpoint)
        trails.list_trails()  # installs the CloudTrail extension
        started = time.perf_counter()
        _record(EVENTS // 10)  # timed without tracemalloc, which slows every allocation
        recording_s = (time.perf_counter() - started) / (EVENTS // 10) * EVENTS
        _reset_history()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        _record(EVENTS)
        held = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        by_name = [{"AttributeKey": "EventName", "AttributeValue": "CreateRole"}]
        boto3_s = _median(lambda: trails.lookup_events(LookupAttributes=by_name, MaxResults=50))
        return {"events": EVENTS, "record_us_per_event": round(recording_s / EVENTS * 1e6, 1),
                "lookup_in_process_s": round(_median(_in_process_lookup), 5),
                "lookup_boto3_s": round(boto3_s, 4),
                "memory_mb": round(held / 2**20, 1), "bytes_per_event": round(held / EVENTS)}


if __name__ == "__main__":
    print(json.dumps(trail_figures()))
