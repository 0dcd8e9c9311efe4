"""The local target: a shared emulator (``lakelab serve``, ``make lab``) or one embedded in this process."""

from __future__ import annotations

import os

from lakelab.targets.choice import DEFAULT_REGION, LOCAL_ACCOUNT, Target, course_port, point_boto3_at

SHARED_HINT = "run `make lab` to share one emulator across notebooks and kernel restarts"


def resolve_local() -> Target:
    """Attach to a running emulator if one answers; otherwise run one inside this process."""
    from lakelab.emulator import Emulator
    from lakelab.emulator.server import probe

    embedded_only = os.environ.get("LAKELAB_EMBEDDED", "") == "1"
    for endpoint in _local_candidates():
        if not embedded_only and probe(endpoint):
            _sign_in(endpoint)
            return Target("local", LOCAL_ACCOUNT, DEFAULT_REGION, endpoint, "local · shared emulator (lakelab serve)")
    if not embedded_only:
        print(f"No `lakelab serve` answers on port {course_port()}, so this kernel runs its own emulator; "
              f"its resources last as long as the kernel ({SHARED_HINT}).")
    emulator = Emulator(iam=os.environ.get("LAKELAB_IAM", "on").lower() not in ("off", "0", "false")).start()
    _sign_in(emulator.endpoint)
    return Target("local", LOCAL_ACCOUNT, DEFAULT_REGION, emulator.endpoint,
                  "local · emulator embedded in this kernel", emulator)


def _local_candidates() -> list[str]:
    configured = os.environ.get("AWS_ENDPOINT_URL", "").rstrip("/")
    course = f"http://127.0.0.1:{course_port()}"
    return [url for url in (configured, course) if url]


def _sign_in(endpoint: str) -> None:
    """The course's credentials act as the account's root; ``LAKELAB_LOCAL_CREDENTIALS`` (``key:secret`` or
    ``key:secret:token``, issued by this emulator's IAM or STS) runs the lab as that user or role session
    instead (``lakelab plan`` proves its generated policy this way)."""
    point_boto3_at(endpoint, "testing", DEFAULT_REGION)
    issued = os.environ.get("LAKELAB_LOCAL_CREDENTIALS", "").split(":", 2)
    if len(issued) >= 2 and all(issued):
        os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"] = issued[0], issued[1]
        if len(issued) == 3:
            os.environ["AWS_SESSION_TOKEN"] = issued[2]
