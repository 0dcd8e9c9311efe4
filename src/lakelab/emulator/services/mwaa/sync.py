"""What an environment copies in and ships out while it runs.

In: MWAA copies the DAG folder (``DagS3Path``) from the source bucket to its containers, and unpacks
``plugins.zip``; here a thread does the same every two seconds, as the execution role, so a DAG
uploaded with ``put_object`` appears (and a deleted one disappears) within seconds.

Out: the scheduler's, DAG processor's, web server's and worker's own output goes to CloudWatch Logs
in MWAA's log groups (``airflow-<env>-Scheduler``, ``-DAGProcessing``, ``-WebServer``, ``-Worker``)
when the environment's logging configuration enables them; the DAG processor's per-file logs (where
an import error's traceback is) go to ``-DAGProcessing`` with the file's path as stream name. Task
logs are written by Airflow itself (its CloudWatch task handler) to ``airflow-<env>-Task``.
"""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path

from lakelab.emulator.common import logs, s3_objects

SYNC_SECONDS = 2.0
# Process output file -> the logging module whose group receives it.
OUTPUT_MODULES = {"scheduler": "SchedulerLogs", "dag-processor": "DagProcessingLogs",
                  "api-server": "WebserverLogs", "triggerer": "WorkerLogs"}


class DagFolder:
    """The DAG folder's copy: S3 ``<bucket>/<dag prefix>`` mirrored into ``<home>/dags``."""

    def __init__(self, account_id: str, bucket: str, prefix: str, target: Path) -> None:
        self.account_id, self.bucket, self.target = account_id, bucket, target
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self._seen: dict[str, str] = {}

    def exists(self) -> bool:
        """MWAA's DAG folder must exist: an object under the prefix, or the folder's own marker."""
        return any(True for _ in s3_objects.iter_objects(self.bucket, self.prefix, self.account_id))

    def sync(self) -> bool:
        """Copy what changed; True when a file was added, changed or removed."""
        found = {key: size for key, size in s3_objects.iter_objects(self.bucket, self.prefix, self.account_id)
                 if not key.endswith("/")}
        changed = False
        for key in found:
            relative = key[len(self.prefix):]
            destination = self.target / relative
            fingerprint = _fingerprint(self.account_id, self.bucket, key)
            if self._seen.get(key) != fingerprint or not destination.exists():
                data = s3_objects.read_bytes(self.bucket, key, self.account_id)
                destination.parent.mkdir(parents=True, exist_ok=True)
                partial = destination.with_name(destination.name + ".part")
                partial.write_bytes(data)
                partial.replace(destination)
                changed = True
            self._seen[key] = fingerprint
        for key in set(self._seen) - set(found):
            (self.target / key[len(self.prefix):]).unlink(missing_ok=True)
            del self._seen[key]
            changed = True
        return changed


def _fingerprint(account_id: str, bucket: str, key: str) -> str:
    found = s3_objects.stored_object(account_id, bucket, key)
    return f"{getattr(found, 'version_id', '')}:{getattr(found, 'etag', '')}"


def unpack_plugins(account_id: str, bucket: str, key: str, target: Path) -> None:
    """``plugins.zip`` unpacked into the plugins folder, as MWAA does at start and update."""
    data = s3_objects.read_bytes(bucket, key, account_id)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(target)


class OutputShipper:
    """Tails files into CloudWatch Logs streams, each line an event."""

    def __init__(self, account_id: str, region: str) -> None:
        self.account_id, self.region = account_id, region
        self._offsets: dict[Path, int] = {}

    def ship(self, path: Path, group: str, stream: str) -> None:
        if not path.exists():
            return
        offset = self._offsets.get(path, 0)
        size = path.stat().st_size
        if size <= offset:
            return
        with open(path, "rb") as source:
            source.seek(offset)
            chunk = source.read(size - offset)
        complete = chunk.rfind(b"\n") + 1
        if complete == 0:
            return
        self._offsets[path] = offset + complete
        now = logs.now_ms()
        lines = [line for line in chunk[:complete].decode(errors="replace").splitlines() if line.strip()]
        if lines:
            logs.ensure_stream(self.account_id, self.region, group, stream)
            logs.write(self.account_id, self.region, group, stream, [(now, line) for line in lines])


class Ticker:
    """Calls ``work`` every ``seconds`` on a daemon thread until stopped."""

    def __init__(self, work: Callable[[], None], seconds: float, name: str) -> None:
        self._stop = threading.Event()
        self._work = work
        self._seconds = seconds
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._seconds):
            try:
                self._work()
            except Exception:  # noqa: BLE001 - a bad tick (a bucket gone) must not end the environment
                continue

    def stop(self) -> None:
        self._stop.set()
