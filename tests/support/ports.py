"""TCP ports for the test servers (PostgreSQL, SMTP sinks, app processes), one range per worker.

A port is chosen before the server binds it, so two processes that both asked the operating
system for "any free port" could pick the same one in between. Under pytest-xdist each worker
(PYTEST_XDIST_WORKER = gw0, gw1, ...) takes its ports from its own block below the ephemeral
range, so workers never race each other for a port; within a worker a port is handed out once.
"""

from __future__ import annotations

import itertools
import os
import re
import socket

BASE = 20000  # below Linux's ephemeral range (32768-60999): bind(0) elsewhere never lands here
BLOCK = 500  # ports per worker: 24 workers fit below 32768

_given: set[int] = set()
_offset = itertools.count(os.getpid() % BLOCK)  # two runs side by side start apart


def worker_index() -> int:
    """0 for gw0 (or without xdist), 1 for gw1, ..."""
    match = re.fullmatch(r"gw(\d+)", os.environ.get("PYTEST_XDIST_WORKER", ""))
    return int(match.group(1)) if match else 0


def free_port(host: str = "127.0.0.1") -> int:
    """A port of this worker's block that is free right now and not handed out before."""
    start = BASE + worker_index() * BLOCK
    for _ in range(BLOCK):
        port = start + next(_offset) % BLOCK
        if port in _given:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
        _given.add(port)
        return port
    raise RuntimeError(f"no free port in {start}-{start + BLOCK - 1}")
