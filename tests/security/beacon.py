"""A local HTTP server that records every request: the place hostile payloads phone home.

Every payload that would make a request (an ``<img src>``, a ``fetch``, a CSS ``url()``,
a refresh, a form) points at ``http://127.0.0.1:PORT/<payload id>``, so a hit names the
payload that got through and the test can say which one ran.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Recorder(BaseHTTPRequestHandler):
    server: BeaconServer

    def _record(self) -> None:
        self.server.record(self.command, self.path)
        body = b"GIF89a"  # enough of an image that an <img> does not retry
        self.send_response(200)
        self.send_header("Content-Type", "image/gif")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_HEAD = do_PUT = do_OPTIONS = _record

    def log_message(self, format: str, *args: object) -> None:
        # Hits are recorded, not printed: the test reports them.
        return


class BeaconServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer on a free port of 127.0.0.1 that remembers each request.

    Use it as a context manager: it serves in a daemon thread until the block ends.

    Examples
    --------
    >>> with BeaconServer() as beacon:  # doctest: +SKIP
    ...     url = beacon.url("img-onerror")
    ...     assert beacon.hits == []
    """

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Recorder)
        self._lock = threading.Lock()
        self._hits: list[tuple[str, str]] = []
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self, payload_id: str) -> str:
        """The address a payload with ``payload_id`` calls when it gets to run."""
        return f"http://127.0.0.1:{self.port}/{payload_id}"

    def record(self, method: str, path: str) -> None:
        with self._lock:
            self._hits.append((method, path))

    @property
    def hits(self) -> list[tuple[str, str]]:
        """``(method, path)`` of every request so far, in arrival order."""
        with self._lock:
            return list(self._hits)

    def clear(self) -> None:
        with self._lock:
            self._hits.clear()

    def __enter__(self) -> BeaconServer:
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
