"""The emulator's own token for an environment's API server is fetched again when the server no longer takes it."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from lakelab.emulator.services.mwaa.airflow import Airflow


def test_a_token_the_restarted_api_server_refuses_is_fetched_again(tmp_path):
    issued = []

    class Server(BaseHTTPRequestHandler):
        def log_message(self, *_):
            pass

        def _answer(self, status: int, body: dict) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self):
            if self.path == "/auth/token":
                issued.append(f"token-{len(issued)}")
                return self._answer(201, {"access_token": issued[-1]})
            if self.path.startswith("/api/v2") and (len(issued) < 2 or self.headers["Authorization"] != f"Bearer {issued[-1]}"):
                return self._answer(403, {"detail": "Invalid JWT token"})
            return self._answer(200, {"version": "3.0.6"})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        airflow = Airflow(tmp_path, {}, server.server_address[1])
        assert airflow.call("GET", "/version")[0] == 200 and issued == ["token-0", "token-1"]
        assert airflow.call("GET", "/version") == (200, {"version": "3.0.6"}) and len(issued) == 2  # kept once good
    finally:
        server.shutdown()
