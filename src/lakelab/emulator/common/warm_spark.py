"""One warm Spark JVM per emulator process, lent to one Spark job run at a time.

Starting Spark's JVM costs most of a lab-sized job run (a few seconds of start-up and JIT before the
first row). So the JVM PySpark would launch (``spark-submit pyspark-shell``, whose gateway lets a
Python process drive it) is started once and kept; each run still gets its own Python process, which
connects to it (``PYSPARK_GATEWAY_PORT``, as PySpark does when a JVM already exists) and builds its
own ``SparkContext`` in it. Between runs the JVM is brought back to a blank state (``release``):

- the run's ``SparkContext`` is stopped (its sessions, catalog, temporary views, cached data, Python
  workers and local files go with it) and the default session cleared;
- Hadoop's ``FileSystem`` cache is closed, so no S3A client keeps a run's credentials or endpoint;
- Spark's settings, which a ``SparkConf`` reads from the JVM's system properties (where spark-submit
  puts ``spark-defaults.conf``), are removed: the next run sets its own before its script starts;
- log4j is configured again from its file (a script's ``setLogLevel`` stays with its run);
- a garbage collection gives the heap back.

A JVM that a run left in a state we cannot clean (stopped or timed out while working, a release that
fails or hangs) is killed, and the next run starts a fresh one. A JVM is also retired after
``MAX_RUNS_PER_JVM`` runs and after ``IDLE_SECONDS`` without a run, which bounds its memory.
``LAKELAB_SPARK_WARM=0`` turns the warm JVM off: every run starts its own, as before.
"""

from __future__ import annotations

import atexit
import importlib.util
import logging
import os
import signal
import struct
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from lakelab.emulator.common import spark, user_code

log = logging.getLogger("lakelab.emulator")

SETTING = "LAKELAB_SPARK_WARM"
MAX_RUNS_PER_JVM = 25  # then a fresh JVM: whatever a run left behind (metaspace, codegen caches) is bounded
IDLE_SECONDS = 600.0  # a JVM no run has used for this long gives its memory back
START_LIMIT_SECONDS = 120.0
RELEASE_LIMIT_SECONDS = 60.0
# Launcher settings spark-submit adds beside spark-defaults.conf, as it would for a run's own JVM.
LAUNCHER_PROPERTIES = {"spark.submit.deployMode": "client", "spark.submit.pyFiles": "",
                       "spark.app.name": "pyspark-shell"}


def enabled() -> bool:
    return os.environ.get(SETTING, "1").strip().lower() not in ("0", "false", "no", "off") and os.name == "posix"


class WarmJvm:
    """A started JVM: its process, the gateway the emulator talks to it through, its output."""

    def __init__(self) -> None:
        self.folder = user_code.run_folder(FOLDER_PREFIX)
        self.runs = 0
        self._sink: dict[str, list[tuple[int, str]]] | None = None
        self._sink_lock = threading.Lock()
        try:
            self.values = spark.settings(user_code.endpoint() or "http://127.0.0.1", "us-east-1", self.folder)
            (self.folder / "idle-local").mkdir()
            (self.folder / "spark-local").symlink_to(self.folder / "idle-local", target_is_directory=True)
            self.process = subprocess.Popen(
                [str(_spark_home() / "bin" / "spark-submit"), "pyspark-shell"], env=self._environment(),
                cwd=str(self.folder), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                start_new_session=True)  # a run's kill (its process group) never reaches it
        except BaseException:
            user_code.remove(self.folder)
            raise
        (self.folder / "jvm.pid").write_text(str(self.process.pid), encoding="ascii")  # for sweep_stale_folders
        self._readers = [threading.Thread(target=self._read, args=(name,), daemon=True,
                                          name=f"lakelab-spark-jvm-{name}") for name in ("stdout", "stderr")]
        for reader in self._readers:
            reader.start()
        try:
            self.port, self.secret = self._connection_info()
            self.gateway = _connect(self.port, self.secret)
        except BaseException:
            self.kill()
            raise

    def _environment(self) -> dict[str, str]:
        env = user_code.passed_through()
        env.update(spark.environment(spark.write_conf_dir(self.folder / "spark-conf", self.values), self.folder))
        # Spark's local files go where SPARK_LOCAL_DIRS says, read once per JVM: a link each run points
        # at its own folder (setting spark.local.dir instead logs a warning the cold path never shows).
        env["SPARK_LOCAL_DIRS"] = str(self.folder / "spark-local")
        env.update(LANG="en_US.UTF-8", TMPDIR=str(self.folder / "tmp"),
                   _PYSPARK_DRIVER_CONN_INFO_PATH=str(self.folder / "gateway"))
        return env

    def _connection_info(self) -> tuple[int, str]:
        """The gateway's port and secret, which PySpark's JVM writes to a file once it listens."""
        path, limit = self.folder / "gateway", time.monotonic() + START_LIMIT_SECONDS
        while not path.is_file():
            if self.process.poll() is not None or time.monotonic() > limit:
                raise RuntimeError(f"the Spark JVM did not start (exit code {self.process.poll()})")
            time.sleep(0.05)
        time.sleep(0.05)  # written then closed: let the writer finish
        data = path.read_bytes()
        port, length = struct.unpack(">ii", data[:8])
        return port, data[8:8 + length].decode("utf-8")

    def _read(self, name: str) -> None:
        stream = getattr(self.process, name)
        with stream:
            for raw in stream:
                line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                with self._sink_lock:
                    if self._sink is not None:  # between runs nobody reads the JVM's lines
                        self._sink[name].append((int(time.time() * 1000), line))

    def attach(self, sink: dict[str, list[tuple[int, str]]] | None) -> dict[str, list[tuple[int, str]]] | None:
        """Send the JVM's lines to ``sink`` from now on; the sink they went to until now."""
        with self._sink_lock:
            previous, self._sink = self._sink, sink
        return previous

    def alive(self) -> bool:
        if self.process.poll() is not None:
            return False
        try:
            self.gateway.jvm.java.lang.System.currentTimeMillis()
        except Exception:
            return False
        return True

    def prepare(self, properties: dict[str, str], local_dir: Path) -> None:
        """The run's Spark settings, where ``new SparkConf()`` reads them (the JVM's system properties),
        and its local files in ``local_dir``."""
        link, new_link = self.folder / "spark-local", self.folder / "spark-local.next"
        new_link.unlink(missing_ok=True)
        new_link.symlink_to(local_dir, target_is_directory=True)
        os.replace(new_link, link)  # atomic: the link is never missing
        system = self.gateway.jvm.java.lang.System
        _clear_spark_properties(system)
        for key, value in properties.items():
            system.setProperty(key, value)

    def release(self) -> None:
        """Back to a blank JVM (module docstring); raises if it cannot be done."""
        jvm = self.gateway.jvm
        active = _scala_object(jvm.org.apache.spark, "SparkContext").getActive()
        if active.isDefined():
            active.get().cancelAllJobs()
            active.get().stop()
        jvm.org.apache.spark.sql.SparkSession.clearDefaultSession()
        jvm.org.apache.spark.sql.SparkSession.clearActiveSession()
        jvm.org.apache.hadoop.fs.FileSystem.closeAll()
        _scala_object(jvm.org.apache.spark.util, "Utils").clearLocalRootDirs()  # the next run's spark.local.dir
        jvm.org.apache.logging.log4j.LogManager.getContext(False).reconfigure()
        _clear_spark_properties(jvm.java.lang.System)
        jvm.java.lang.System.gc()
        self.runs += 1

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        gateway = getattr(self, "gateway", None)
        if gateway is not None:
            try:
                gateway.close()
            except Exception:  # its JVM is gone: nothing to close cleanly
                pass
        user_code.remove(self.folder)


FOLDER_PREFIX = "lakelab-spark-jvm-"


def sweep_stale_folders() -> list[Path]:
    """Remove the folders of warm JVMs that are gone: a process killed without its exit handlers (a
    kernel shut down hard) leaves its JVM to end by itself, when its input closes, and its folder behind."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(FOLDER_PREFIX + "*"):
        try:
            pid = int((folder / "jvm.pid").read_text(encoding="ascii"))
        except (OSError, ValueError):
            continue  # being created by another process, or not one of ours
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            user_code.remove(folder)
            removed.append(folder)
        except PermissionError:
            continue  # someone else's live process
    return removed


def _scala_object(package: Any, name: str) -> Any:
    """A Scala object (its ``private[spark]`` methods have no static forwarders for py4j to call)."""
    return getattr(package, f"{name}$").__getattr__("MODULE$")


def _clear_spark_properties(system: Any) -> None:
    names = [str(name) for name in system.getProperties().stringPropertyNames()]
    for name in names:
        if name.startswith("spark."):
            system.clearProperty(name)


def _connect(port: int, secret: str) -> Any:
    """A gateway client as PySpark builds one (pinned threads), from py4j alone: no pyspark import here.

    Without memory management: the few Java objects a release touches stay referenced until the JVM
    goes (bounded by MAX_RUNS_PER_JVM), and no background thread sends their release to a JVM that
    was just killed (which py4j would log as an error)."""
    from py4j.clientserver import ClientServer, JavaParameters, PythonParameters

    return ClientServer(java_parameters=JavaParameters(port=port, auth_token=secret, auto_convert=True,
                                                       enable_memory_management=False),
                        python_parameters=PythonParameters(port=0, eager_load=False))


def _spark_home() -> Path:
    found = importlib.util.find_spec("pyspark")  # found, not imported
    if found is None or not found.submodule_search_locations:
        raise spark.SparkUnavailable("pyspark is not installed: run `make install` again")
    return Path(list(found.submodule_search_locations)[0])


class Pool:
    """At most one warm JVM, lent to one run at a time; a run that finds it busy starts its own JVM."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jvm: WarmJvm | None = None
        self._busy = False
        self._last_used = time.monotonic()
        self._failed_starts = 0
        self._reaper: threading.Timer | None = None
        atexit.register(self.shut_down)

    def acquire(self) -> WarmJvm | None:
        """The warm JVM for one run, started if need be; None when it is busy or cannot start."""
        with self._lock:
            if self._busy or self._failed_starts >= 2:
                return None
            self._busy, jvm, self._jvm = True, self._jvm, None
        if jvm is not None and not jvm.alive():
            jvm.kill()
            jvm = None
        if jvm is None:
            try:
                sweep_stale_folders()
                jvm = WarmJvm()
            except Exception as error:
                log.warning("the warm Spark JVM did not start (%s): runs start their own", error)
                with self._lock:
                    self._busy, self._failed_starts = False, self._failed_starts + 1
                return None
        return jvm

    def give_back(self, jvm: WarmJvm, reusable: bool) -> None:
        """After a run: keep ``jvm`` for the next one, or kill it (a fresh one starts when needed)."""
        if not reusable or jvm.runs >= MAX_RUNS_PER_JVM:
            jvm.kill()
            jvm = None
        with self._lock:
            self._jvm, self._busy, self._last_used = jvm, False, time.monotonic()
            self._schedule_reaper()

    def _schedule_reaper(self) -> None:
        if self._reaper is not None:
            self._reaper.cancel()
        self._reaper = threading.Timer(IDLE_SECONDS, self._reap)
        self._reaper.daemon = True
        self._reaper.start()

    def _reap(self) -> None:
        with self._lock:
            if self._busy or self._jvm is None or time.monotonic() - self._last_used < IDLE_SECONDS * 0.9:
                return
            jvm, self._jvm = self._jvm, None
        jvm.kill()

    def warm_pid(self) -> int | None:
        """The idle warm JVM's process id (for tests and the bench)."""
        with self._lock:
            return self._jvm.process.pid if self._jvm is not None else None

    def shut_down(self) -> None:
        with self._lock:
            jvm, self._jvm = self._jvm, None
            if self._reaper is not None:
                self._reaper.cancel()
        if jvm is not None:
            jvm.kill()


pool = Pool()
