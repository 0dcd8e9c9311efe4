"""A real Airflow behind an environment: its metadata database, its four processes, its REST API.

Each environment gets a folder of its own (``AIRFLOW_HOME``) with a SQLite metadata database, the
``dags/`` and ``plugins/`` folders its S3 files are synced into, and four processes started as
MWAA runs them: the API server (REST API v2, the Execution API tasks report to, and the UI), the
scheduler (with the LocalExecutor, so tasks run in processes it forks), the DAG processor and the
triggerer. Every process runs under :mod:`.guard`, so it dies with the emulator.

Configuration is MWAA's way: environment variables ``AIRFLOW__SECTION__KEY``, the environment's
``AirflowConfigurationOptions`` on top (except those that would take the environment apart:
executor, database, API address). The processes have the execution role's credentials and this
emulator as ``AWS_ENDPOINT_URL``, so the amazon provider's operators and hooks call it unchanged.
With task logs enabled, Airflow's own CloudWatch task handler writes each task's log to
``airflow-<env>-Task``, as on MWAA, and the REST API reads it back from there.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

AIRFLOW_VERSION = "3.0.6"  # the version the course's lock installs: the one environments run
PROCESSES = ("api-server", "scheduler", "dag-processor", "triggerer")
# Options an environment's AirflowConfigurationOptions may not change here: they hold it together.
PROTECTED_OPTIONS = ("core.executor", "core.dags_folder", "core.plugins_folder", "database.", "api.host",
                     "api.port", "api.base_url", "core.execution_api_server_url", "api_auth.jwt_secret",
                     "logging.remote_base_log_folder", "logging.remote_logging", "logging.remote_log_conn_id",
                     "core.simple_auth_manager_all_admins", "core.auth_manager")
TEMPLATE_DB = Path.home() / ".cache" / "lakelab" / f"airflow-{AIRFLOW_VERSION}-metadata.db"


class AirflowError(RuntimeError):
    """Airflow could not be prepared or started; the message says what failed."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def settings(home: Path, port: int, task_log_group_arn: str | None, log_level: str,
             options: dict[str, str]) -> dict[str, str]:
    """The ``AIRFLOW__*`` variables of an environment's processes."""
    values = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(home / "plugins"),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": "4",  # a laptop's share; mw1.small runs 5 tasks per worker
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(16),
        # New DAG files are seen within seconds (MWAA syncs S3 every 30-60 s); a changed file is parsed again
        # within 10 s, without parsing every file every second on a 2-core laptop.
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "2",
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "10",
        "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.5",
        # A laptop running Spark beside Airflow can take longer than Airflow's default 30 s to import a DAG.
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
        "AIRFLOW__DAG_PROCESSOR__DAG_FILE_PROCESSOR_TIMEOUT": "180",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": log_level,
        "AIRFLOW__LOGGING__COLORED_CONSOLE_LOG": "False",
        # The provider's connection: no keys (the role's are in the environment), as MWAA's aws_default.
        "AIRFLOW_CONN_AWS_DEFAULT": "aws://",
    }
    if task_log_group_arn:
        values.update({
            "AIRFLOW__LOGGING__REMOTE_LOGGING": "True",
            "AIRFLOW__LOGGING__REMOTE_BASE_LOG_FOLDER": f"cloudwatch://{task_log_group_arn}",
            "AIRFLOW__LOGGING__REMOTE_LOG_CONN_ID": "aws_default",
        })
    for option, value in options.items():
        if "." not in option or any(option == p or (p.endswith(".") and option.startswith(p))
                                    for p in PROTECTED_OPTIONS):
            continue
        section, key = option.split(".", 1)
        values[f"AIRFLOW__{section.upper()}__{key.upper()}"] = str(value)
    return values


class Airflow:
    """One environment's Airflow: prepared once, started, called, stopped."""

    def __init__(self, home: Path, env: dict[str, str], port: int) -> None:
        self.home = home
        self.env = env
        self.port = port
        self._processes: dict[str, subprocess.Popen[bytes]] = {}
        self._token: str | None = None
        for folder in ("dags", "plugins", "logs", "output"):
            (home / folder).mkdir(parents=True, exist_ok=True)

    # --- lifecycle ------------------------------------------------------------------------------

    def prepare_database(self) -> None:
        """A migrated metadata database: a copy of the cached one, or ``airflow db migrate`` (once).

        It is put in SQLite's write-ahead-log mode, which the file keeps: the API server then reads while
        the scheduler writes, instead of waiting for its lock (on a loaded laptop, past MWAA's 10 s)."""
        target = self.home / "airflow.db"
        if TEMPLATE_DB.exists():
            shutil.copyfile(TEMPLATE_DB, target)
            _write_ahead_log(target)
            return
        done = subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=self.env, cwd=self.home,
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise AirflowError("airflow db migrate failed: " + (done.stderr or done.stdout)[-2000:])
        _write_ahead_log(target)
        TEMPLATE_DB.parent.mkdir(parents=True, exist_ok=True)
        partial = TEMPLATE_DB.with_suffix(f".{os.getpid()}.part")
        shutil.copyfile(target, partial)
        partial.replace(TEMPLATE_DB)

    def start(self) -> None:
        for name in PROCESSES:
            self._start(name)

    def _start(self, name: str) -> None:
        output = open(self.home / "output" / f"{name}.log", "ab")  # noqa: SIM115 - the process owns it
        command = [sys.executable, "-m", "lakelab.emulator.services.mwaa.guard", str(os.getpid()),
                   sys.executable, "-m", "airflow", name]
        self._processes[name] = subprocess.Popen(command, env=self.env, cwd=self.home, stdout=output,
                                                 stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                                 start_new_session=True)
        output.close()

    def wait_healthy(self, limit_seconds: float = 180.0) -> None:
        """Until the API server answers and the scheduler and DAG processor report in."""
        deadline = time.monotonic() + limit_seconds
        while time.monotonic() < deadline:
            for name, process in self._processes.items():
                if process.poll() is not None:
                    raise AirflowError(f"the Airflow {name} stopped at start: " + self.output_tail(name))
            try:
                status, health = self.call("GET", "/monitor/health", timeout=2)
            except (OSError, AirflowError):
                status, health = 0, {}
            if status == 200 and all((health.get(part) or {}).get("status") == "healthy"
                                     for part in ("metadatabase", "scheduler", "dag_processor")):
                return
            time.sleep(0.5)
        raise AirflowError(f"Airflow did not become healthy in {limit_seconds:.0f} s: " + self.output_tail("scheduler"))

    def stop(self) -> None:
        for process in self._processes.values():
            _kill_group(process, signal.SIGTERM)
        deadline = time.monotonic() + 3  # then killed: nothing of a stopped environment needs a clean exit
        for process in self._processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            _kill_group(process, signal.SIGKILL)
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                pass
        self._processes.clear()

    def running(self) -> bool:
        return bool(self._processes) and all(p.poll() is None for p in self._processes.values())

    def output_tail(self, name: str, characters: int = 1500) -> str:
        path = self.home / "output" / f"{name}.log"
        return path.read_text(errors="replace")[-characters:] if path.exists() else "(no output)"

    def memory_mb(self) -> float:
        """Proportional set size (shared pages split between sharers) of every process this Airflow
        started (their process groups), in MB; 0 where /proc is missing (not Linux)."""
        groups = {p.pid for p in self._processes.values()}
        total_kb = 0
        for status in Path("/proc").glob("[0-9]*/stat"):
            try:
                if int(status.read_text().rsplit(")", 1)[1].split()[2]) not in groups:  # pgrp
                    continue
                for line in (status.parent / "smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        total_kb += int(line.split()[1])
            except (OSError, ValueError, IndexError):
                continue
        return total_kb / 1024

    # --- the REST API ---------------------------------------------------------------------------

    def call(self, method: str, path: str, query: dict[str, Any] | None = None, body: Any = None,
             timeout: float = 10.0) -> tuple[int, Any]:
        """Call the REST API v2 (``path`` as MWAA takes it: ``/dags``); ``(status, decoded body)``."""
        url = f"http://127.0.0.1:{self.port}/api/v2{path}"
        if query:
            url += "?" + urllib.parse.urlencode(_query_pairs(query))
        data = None if body is None else json.dumps(body).encode()
        for attempt in range(2):
            request = urllib.request.Request(url, data=data, method=method.upper())
            request.add_header("Authorization", f"Bearer {self._bearer(timeout)}")
            if data is not None:
                request.add_header("Content-Type", "application/json")
            try:
                with urllib.request.urlopen(request, timeout=timeout) as answer:
                    return answer.status, _decode(answer.read())
            except urllib.error.HTTPError as error:
                status, answer = error.code, _decode(error.read())
            # The token is the emulator's own way in, never the caller's concern (MWAA signs InvokeRestApi's call
            # itself): one the API server no longer takes (it restarted with a new secret) is fetched again.
            if status in (401, 403) and attempt == 0 and "token" in json.dumps(answer).lower():
                self._token = None
                continue
            return status, answer
        return status, answer

    def _bearer(self, timeout: float) -> str:
        if self._token is None:
            # With every user an admin (a local environment), the API server issues a token unasked.
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/auth/token", timeout=timeout) as answer:
                self._token = json.loads(answer.read())["access_token"]
        return self._token


def _write_ahead_log(database: Path) -> None:
    with contextlib.closing(sqlite3.connect(database)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")


def _query_pairs(query: dict[str, Any]) -> list[tuple[str, str]]:
    pairs = []
    for name, value in query.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, json.dumps(item) if isinstance(item, bool) else str(item)))
    return pairs


def _decode(raw: bytes) -> Any:
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        return {"detail": raw.decode(errors="replace")}


def _kill_group(process: subprocess.Popen[bytes], sig: int) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
