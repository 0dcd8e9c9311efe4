"""What a job run runs: its script and extra files from S3, and its arguments as Glue passes them."""

from __future__ import annotations

import hashlib
from pathlib import Path

from lakelab.emulator import s3_store


class ScriptUnavailable(Exception):
    """The script (or an extra file) could not be read from S3; the message names the location."""


def download(location: str, folder: Path, account_id: str) -> Path:
    """Copy the S3 object ``location`` into ``folder`` under its own file name."""
    try:
        bucket, key = s3_store.split_uri(location)
    except ValueError:
        raise ScriptUnavailable(f"{location!r} is not an S3 location (expected s3://bucket/key)") from None
    try:
        body = s3_store.read_bytes(bucket, key, account_id)
    except Exception:  # no such key, or no such bucket
        raise ScriptUnavailable(f"the object {location} does not exist (NoSuchKey)") from None
    target = folder / (Path(key).name or "script.py")
    target.write_bytes(body)
    return target


def download_all(locations: str, folder: Path, account_id: str) -> list[Path]:
    """Files named in a comma-separated list of S3 locations (``--extra-py-files``, ``--py-files``)."""
    folder.mkdir(parents=True, exist_ok=True)
    return [download(location.strip(), folder, account_id) for location in locations.split(",") if location.strip()]


def python_paths(files: list[Path]) -> list[Path]:
    """sys.path entries for extra Python files: a .py file's folder, a .zip or .whl itself."""
    paths: list[Path] = []
    for file in files:
        entry = file.parent if file.suffix == ".py" else file
        if entry not in paths:
            paths.append(entry)
    return paths


def glue_argv(job_name: str, job_arn: str, run_id: str, arguments: dict[str, str]) -> list[str]:
    """Glue's command line after the script: its own arguments first, then the job's, as ``--key value``."""
    bookmark = arguments.get("--job-bookmark-option", "job-bookmark-disable")
    job_id = "j_" + hashlib.sha256(job_arn.encode()).hexdigest()
    argv = ["--JOB_ID", job_id, "--JOB_RUN_ID", run_id, "--job-bookmark-option", bookmark, "--JOB_NAME", job_name]
    for key, value in arguments.items():
        if key not in ("--job-bookmark-option", "--JOB_NAME", "--JOB_ID", "--JOB_RUN_ID"):
            argv += [key, str(value)]
    return argv
