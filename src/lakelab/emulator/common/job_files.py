"""What a job process runs: its script and extra files, copied from the emulator's S3."""

from __future__ import annotations

from pathlib import Path

from lakelab.emulator.common import s3_objects


class ScriptUnavailable(Exception):
    """The script (or an extra file) could not be read from S3; the message names the location."""


def download(location: str, folder: Path, account_id: str) -> Path:
    """Copy the S3 object ``location`` into ``folder`` under its own file name."""
    try:
        bucket, key = s3_objects.split_uri(location)
    except ValueError:
        raise ScriptUnavailable(f"{location!r} is not an S3 location (expected s3://bucket/key)") from None
    try:
        body = s3_objects.read_bytes(bucket, key, account_id)
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
