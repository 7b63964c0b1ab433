"""An emulated Ecus6 portal: what the branch workstations' daily check reaches over HTTP in the lab.

Letter 497/CHQ-CNTT (2025) gives the officers' portal (`http://10.224.128.226`) and the
administrators' (`http://10.224.128.226/gdc_ktx_iam_ui`) on one host. The lab never reaches that
address: its inventory points the toolkit at this server instead, on loopback (or the lab network
in a container). It answers 200 with a small page on `/` and under `/gdc_ktx_iam_ui`, 404 elsewhere.
`stop()` closes the port (a connection is refused, as for a portal that is down) and `start()`
opens the same port again.
"""

from __future__ import annotations

import ipaddress
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LAB_NETWORKS = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("198.18.0.0/15"))
ADMIN_PATH = "/gdc_ktx_iam_ui"


class _Handler(BaseHTTPRequestHandler):
    server_version = "winlab-ecus6"

    def log_message(self, format: str, *args) -> None:
        return

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path in ("/", "") or path == ADMIN_PATH or path.startswith(ADMIN_PATH + "/"):
            body = b"<html><head><title>Ecus6</title></head><body>Ecus6 (lab)</body></html>"
            self.send_response(200)
        else:
            body = b"Not Found"
            self.send_response(404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Portal:
    """The emulated portal on `address`:`port` (0: a free port, kept across stop and start)."""

    def __init__(self, address: str = "127.0.0.1", port: int = 0) -> None:
        if not any(ipaddress.ip_address(address) in network for network in LAB_NETWORKS):
            raise ValueError(f"the emulated portal listens on loopback or 198.18.0.0/15, not on {address}")
        self.address = address
        self.port = port
        self._server: ThreadingHTTPServer | None = None

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def url(self) -> str:
        """The officers' portal address (ends with /)."""
        return f"http://{self.address}:{self.port}/"

    @property
    def admin_url(self) -> str:
        return f"http://{self.address}:{self.port}{ADMIN_PATH}"

    def start(self) -> Portal:
        if self._server is None:
            ThreadingHTTPServer.allow_reuse_address = True
            self._server = ThreadingHTTPServer((self.address, self.port), _Handler)
            self._server.daemon_threads = True
            self.port = self._server.server_address[1]
            threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="winlab-ecus6-portal",
                daemon=True,
            ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Portal:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
