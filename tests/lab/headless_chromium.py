"""Headless Chromium driven over the DevTools protocol, for tests that look at JupyterLab as a learner does.

Lighter than Playwright: the protocol's JSON over one WebSocket (``websocket-client``, which Jupyter Server
already installs), no browser download, and any installed Chromium (Debian's ``chromium`` package, or
``LAKELAB_CHROMIUM=/path/to/chrome``). The project does not need Chromium: tests skip without one.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import websocket

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-address=127.0.0.1", "--window-size=1400,1000")
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """``LAKELAB_CHROMIUM``, or the first Chromium on ``PATH``; None when there is none."""
    named = os.environ.get("LAKELAB_CHROMIUM")
    if named:
        return named if os.access(named, os.X_OK) else None
    return next((found for found in map(shutil.which, NAMES) if found), None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """One headless Chromium with a fresh profile in ``folder``, showing ``url``; a context manager."""

    def __init__(self, executable: str, folder: Path, url: str) -> None:
        port = free_port()
        folder.mkdir(parents=True, exist_ok=True)
        self.log = (folder / "chromium.log").open("w")
        self.process = subprocess.Popen([executable, *FLAGS, f"--user-data-dir={folder / 'profile'}",
                                         f"--remote-debugging-port={port}", url],
                                        stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            self.socket = websocket.create_connection(self._page_socket(port), suppress_origin=True, timeout=30)
        except BaseException:
            self._stop()
            raise
        self._last_id = 0

    def _page_socket(self, port: int, seconds: float = 20) -> str:
        deadline = time.monotonic() + seconds
        while True:
            try:
                targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2))
                pages = [target for target in targets if target.get("type") == "page"]
                if pages:
                    return pages[0]["webSocketDebuggerUrl"]
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Chromium did not offer its page over DevTools within {seconds} s")
            time.sleep(0.2)

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """One DevTools command and its result (events arriving meanwhile are dropped: none is enabled)."""
        self._last_id += 1
        self.socket.send(json.dumps({"id": self._last_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self._last_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (awaited when it is a promise)."""
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:80]}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def wait_for(self, expression: str, seconds: float, what: str) -> Any:
        """The expression's first truthy value, polled; an AssertionError naming ``what`` after ``seconds``."""
        deadline = time.monotonic() + seconds
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            assert time.monotonic() < deadline, f"{what}: not seen within {seconds} s"
            time.sleep(0.25)

    def click(self, x: float, y: float) -> None:
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)

    def shift_enter(self) -> None:
        """Shift+Enter as a keyboard sends it (JupyterLab: run the cell and select the next)."""
        key = {"key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "modifiers": 8}
        self.send("Input.dispatchKeyEvent", type="rawKeyDown", **key)
        self.send("Input.dispatchKeyEvent", type="keyUp", **key)

    def screenshot(self, path: Path) -> Path:
        path.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"]))
        return path

    def close(self) -> None:
        try:
            self.socket.close()
        finally:
            self._stop()

    def _stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
