"""LocalStack without Docker: its own virtualenv on Python 3.13, started in host mode, stopped whole.

LocalStack 4.14.0 Community runs from PyPI (``localstack-core[runtime]``) on Python 3.13 only.
``make localstack`` builds ``.localstack-venv`` from ``requirements-localstack.lock``;
``make localstack-up`` serves it on port 4566 until Ctrl-C; the tests and the benchmark start it
on a free loopback port with :class:`HostLocalStack`, one start per test session.

``python -m lakelab.targets.localstack_host python`` prints the Python 3.13 found (or nothing);
``... serve [PORT]`` runs LocalStack in the foreground.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lakelab.targets.localstack import health

VENV = Path(".localstack-venv")
STAMP = ".lakelab-installed"  # written by `make localstack` once the locked requirements are installed
# Free-tier services the labs use today (weeks 1 and 3). Kinesis and Firehose join with week 6: LocalStack
# fetches its Kinesis engine (a Node package) on first use, which a test run must not depend on.
SERVICES = "s3,sqs,sns,lambda,logs,iam,sts,kms,cloudwatch,events"  # kms: week 1's SSE-KMS default encryption
NO_PYTHON = ("LocalStack without Docker needs Python 3.13, and none was found (python3.13 on PATH, under pyenv, "
             "or installed by uv): run `.venv/bin/uv python install 3.13`, or run LocalStack in Docker")


def find_python313() -> str | None:
    """A Python 3.13 that really runs: ``python3.13`` on PATH, pyenv's versions (newest first), then
    one uv installed (``uv python install 3.13``)."""
    candidates = [shutil.which("python3.13") or ""]
    root = _pyenv_root()
    if root:
        candidates += sorted(glob.glob(f"{root}/versions/3.13*/bin/python3.13"), reverse=True)
    candidates.append(_uv_managed_python313())
    for candidate in filter(None, candidates):
        if _is_python313(candidate):
            return candidate
    return None


def _pyenv_root() -> str:
    if os.environ.get("PYENV_ROOT"):
        return os.environ["PYENV_ROOT"]
    try:
        return subprocess.run(["pyenv", "root"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _uv_managed_python313() -> str:
    uv = Path(sys.executable).parent / "uv"  # the course's .venv has uv; never downloads here
    if not uv.is_file():
        return ""
    command = [str(uv), "python", "find", "--managed-python", "--no-python-downloads", "3.13"]
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _is_python313(executable: str) -> bool:
    """pyenv's shim exists even when the selected version lacks 3.13: ask the interpreter itself."""
    check = "import sys; sys.exit(sys.version_info[:2] != (3, 13))"
    try:
        return subprocess.run([executable, "-c", check], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def installed(venv: Path = VENV) -> bool:
    return (venv / STAMP).is_file() and (venv / "bin" / "python").is_file()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class HostLocalStack:
    """One LocalStack process tree on a loopback port, with its state in a directory of its own."""

    def __init__(self, venv: Path = VENV, port: int | None = None, services: str = SERVICES) -> None:
        self.venv, self.port, self.services = Path(venv), port or free_port(), services
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.root = ""
        self.log_path = ""
        self.start_seconds = 0.0  # start to healthy, once started

    def environment(self) -> dict[str, str]:
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LOCALSTACK_"))},
            "GATEWAY_LISTEN": f"127.0.0.1:{self.port}",
            "SERVICES": self.services,
            "OVERRIDE_IN_DOCKER": "0",  # host mode even inside a container: state under FILESYSTEM_ROOT
            "FILESYSTEM_ROOT": self.root,
            "DNS_ADDRESS": "0",  # no DNS server (it would want port 53)
            "SKIP_SSL_CERT_DOWNLOAD": "1",
            "DISABLE_EVENTS": "1",  # no usage analytics
            **({"LOCALSTACK_AUTH_TOKEN": os.environ["LOCALSTACK_AUTH_TOKEN"]}
               if os.environ.get("LOCALSTACK_AUTH_TOKEN") else {}),
        }

    def start(self, timeout: float = 60) -> float:
        """Start LocalStack and wait until its health endpoint answers; return the seconds taken."""
        if not installed(self.venv):
            raise RuntimeError(f"LocalStack is not installed in {self.venv}: run `make localstack`")
        self.root = tempfile.mkdtemp(prefix="lakelab-localstack-")
        self.log_path = os.path.join(self.root, "localstack.log")
        started = time.perf_counter()
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen([str(self.venv / "bin" / "python"), "-m", "localstack.runtime.main"],
                                            env=self.environment(), stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        while time.perf_counter() - started < timeout:
            if self.process.poll() is not None:
                break
            if health(self.endpoint, timeout=1) is not None:
                self.start_seconds = time.perf_counter() - started
                return self.start_seconds
            time.sleep(0.1)
        tail = self.log_tail()
        self.stop()
        raise RuntimeError(f"LocalStack did not become healthy at {self.endpoint} within {timeout:.0f} s:\n{tail}")

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(Path(self.log_path).read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop every process LocalStack started (some, like Kinesis's, start sessions of their own)."""
        if self.process is not None:
            _stop_tree(self.process.pid)
            self.process = None
        if self.root:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = ""

    def __enter__(self) -> HostLocalStack:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _stop_tree(pid: int, grace: float = 3) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds: its state is thrown away, so nothing needs a clean exit."""
    import psutil

    try:
        parent = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    tree = [parent, *parent.children(recursive=True)]
    for process in tree:
        try:
            process.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(tree, timeout=grace)
    for process in alive:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=grace)


def _serve(port: int) -> int:
    localstack = HostLocalStack(port=port)
    print(f"Starting LocalStack {localstack.endpoint} (services: {localstack.services}); Ctrl-C stops it.")
    try:
        localstack.start()
        print(f"LocalStack is ready: LAKELAB_TARGET=localstack LOCALSTACK_ENDPOINT={localstack.endpoint} make lab")
        while localstack.process is not None and localstack.process.poll() is None:
            time.sleep(1)
        print(localstack.log_tail())
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        localstack.stop()


def main(arguments: list[str]) -> int:
    if arguments[:1] == ["python"]:
        print(find_python313() or "")
        return 0
    if arguments[:1] == ["serve"]:
        return _serve(int(arguments[1]) if len(arguments) > 1 else 4566)
    print("usage: python -m lakelab.targets.localstack_host python | serve [PORT]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
