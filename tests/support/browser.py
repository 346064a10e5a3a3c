"""Headless Chromium (Debian system build) via Playwright + a live Flask server.

Playwright's own browser download is not available, so we always launch the
system chromium at CHROMIUM_PATH.

Usage::

    from playwright.sync_api import sync_playwright
    with LiveServer(app) as server, sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()
        page.goto(server.url + "/")
"""

from __future__ import annotations

import os
import threading
from typing import Self

__all__ = [
    "CHROMIUM_ARGS",
    "CHROMIUM_PATH",
    "LiveServer",
    "chromium_available",
    "launch",
]

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_available() -> bool:
    """True if the system chromium binary exists and is executable."""
    return os.path.isfile(CHROMIUM_PATH) and os.access(CHROMIUM_PATH, os.X_OK)


def launch(playwright, **kwargs):
    """Launch headless system chromium; returns a playwright Browser.

    ``playwright`` is the object from sync_playwright() (or async_playwright();
    then await the result).  Extra kwargs go to ``chromium.launch`` (``args``
    are appended to CHROMIUM_ARGS).
    """
    extra_args = list(kwargs.pop("args", []) or [])
    options = {
        "executable_path": CHROMIUM_PATH,
        "headless": True,
        **kwargs,
        "args": CHROMIUM_ARGS + extra_args,
    }
    return playwright.chromium.launch(**options)


class LiveServer:
    """Serve a WSGI/Flask app on 127.0.0.1:<free port> in a daemon thread."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self._port = port
        self._server = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("LiveServer is not running; call start()")
        return self._server.server_port

    @property
    def url(self) -> str:
        """Base URL without trailing slash, e.g. http://127.0.0.1:41234"""
        return f"http://{self.host}:{self.port}"

    def start(self) -> LiveServer:
        if self._server is not None:
            return self
        from werkzeug.serving import make_server

        self._server = make_server(self.host, self._port, self.app, threaded=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"LiveServer:{self._server.server_port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        server, thread = self._server, self._thread
        self._server = self._thread = None
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
