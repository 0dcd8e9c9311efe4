"""The emulator's HTTP server: moto's dispatcher, our extensions and native services, health.

``Emulator`` runs in a background thread of the current process: inside a notebook kernel
(the embedded mode), inside a test, or as ``lakelab serve`` for state shared by every notebook.
"""

from __future__ import annotations

import errno
import json
import socket
import threading
from typing import Any

from lakelab import __version__

HEALTH_PATH = "/lakelab/health"
DRAIN_PATH = "/lakelab/drain"
IDENTITY = "lakelab-emulator"


class EmulatorError(RuntimeError):
    """The emulator could not start or answer; the message says what to do."""


def _make_app(settings: Any = None) -> Any:
    from lakelab.emulator import dispatch, identity, native, pipeline, registry, seam

    def create_app_with_extensions(backend: str) -> Any:
        registry.install_for_backend(backend)
        return seam.create_backend_app(backend)

    # A request signed for a service of our own goes to it; every other one to moto's dispatcher.
    dispatcher = native.route(seam.DomainDispatcherApplication(create_app_with_extensions))
    registry.on_reset(identity.forget_all)

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH:
            body = {"service": IDENTITY, "version": __version__, "extensions": registry.installed(),
                    "iam": "on" if settings is None or settings.enforce_iam else "off"}
            return _json(start_response, body)
        if path == DRAIN_PATH:
            return _json(start_response, {"drained": dispatch.drain() and pipeline.settle()})
        if path == "/moto-api/reset" and environ.get("REQUEST_METHOD") == "POST":
            dispatch.drain()
            pipeline.settle()  # no event of the old world may be recorded into the new one
            registry.run_reset_hooks()
        return pipeline.serve(environ, start_response, dispatcher, settings)

    return app


def _json(start_response: Any, body: dict[str, Any]) -> list[bytes]:
    payload = json.dumps(body).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]


class Emulator:
    """moto's server with Lake Labs extensions, on ``host:port`` (port 0 picks a free one)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, log_requests: bool = False, iam: bool = True,
                 trail: bool = True) -> None:
        import logging

        # One line per request drowns a notebook's output; `lakelab serve --verbose` keeps them.
        logging.getLogger("werkzeug").setLevel(logging.INFO if log_requests else logging.WARNING)
        from lakelab.emulator.context import Settings

        self.host = host
        self.requested_port = port
        # Per emulator, never process-wide: two emulators in one process may enforce differently.
        self.settings = Settings(enforce_iam=iam, record_trail=trail)
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise EmulatorError("the emulator is not running: call start() first")
        return int(self._server.server_port)

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Emulator:
        from werkzeug.serving import make_server

        from lakelab.emulator.seam import MotoRequestHandler

        self._refuse_a_port_in_use()
        try:
            self._server = make_server(
                self.host, self.requested_port, _make_app(self.settings), threaded=True, request_handler=MotoRequestHandler
            )
        except (OSError, SystemExit):  # werkzeug turns a bind error into SystemExit
            self._refuse_a_port_in_use()
            raise
        self._thread = threading.Thread(target=self._server.serve_forever, name="lakelab-emulator", daemon=True)
        self._thread.start()
        return self

    def _refuse_a_port_in_use(self) -> None:
        if self.requested_port == 0:
            return
        with socket.socket() as sock:
            try:
                sock.bind((self.host, self.requested_port))
            except OSError as error:
                if error.errno != errno.EADDRINUSE:
                    raise
                raise EmulatorError(
                    f"port {self.requested_port} on {self.host} is already in use: stop what runs there, "
                    f"or choose another port with --port (and set LAKELAB_PORT to it for the notebooks)"
                ) from None

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def reset(self) -> None:
        """Forget every resource, as a fresh emulator would."""
        import urllib.request

        urllib.request.urlopen(urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST"), timeout=30)

    def drain(self) -> None:
        """Wait until asynchronous deliveries (notifications, triggers) have happened."""
        from lakelab.emulator import dispatch, pipeline

        dispatch.drain()
        pipeline.settle()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def probe(endpoint: str, timeout: float = 0.5) -> dict[str, Any] | None:
    """Return the health document of a Lake Labs emulator at ``endpoint``, or None."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(endpoint + HEALTH_PATH, timeout=timeout) as response:
            document = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return document if isinstance(document, dict) and document.get("service") == IDENTITY else None
