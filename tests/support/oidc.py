"""A real OpenID provider for the tests (node-oidc-provider, tests/support/oidc_provider.js), and a
small HTTP walker that signs in at it the way a browser would.

Usage::

    with OidcProvider(redirect_uris=["http://localhost/login/sso/terug"]) as provider:
        provider.issuer                      # http://127.0.0.1:<port>
        callback = walk(authorize_url, "jan@acme.example")   # the app URL the provider sends back to

Clients: "riecycle", "ander" and "riecycle-aud" (id tokens for "ander"); the secret of each is
"<id>-geheim". The login is the account: "email[;email_verified=false|absent][;anything]".
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import select
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from html import unescape
from pathlib import Path
from typing import Self

from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("oidc_provider.js")


def node_available() -> bool:
    """Node.js and the oidc-provider package (make test installs both)."""
    return shutil.which("node") is not None and (ROOT / "node_modules" / "oidc-provider").is_dir()


def secret(client_id: str) -> str:
    return f"{client_id}-geheim"


class OidcProvider:
    """node-oidc-provider on 127.0.0.1:<port of this worker's block>; start() waits until it listens."""

    def __init__(self, redirect_uris: list[str], id_token_ttl: int | None = None) -> None:
        self.redirect_uris = list(redirect_uris)
        self.id_token_ttl = id_token_ttl
        self.port: int | None = None
        self._process: subprocess.Popen | None = None
        self._log = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> Self:
        if self._process is not None:
            return self
        self.port = free_port()
        command = ["node", str(SCRIPT), "--port", str(self.port)]
        for uri in self.redirect_uris:
            command += ["--redirect-uri", uri]
        if self.id_token_ttl:
            command += ["--id-token-ttl", str(self.id_token_ttl)]
        self._log = open(os.devnull, "w")  # noqa: SIM115 - closed in stop()
        self._process = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=self._log, text=True
        )
        ready, _, _ = select.select([self._process.stdout], [], [], timeout)
        line = self._process.stdout.readline() if ready else ""  # "ready <issuer>" once it listens
        if not line.startswith("ready "):
            self.stop()
            raise RuntimeError(f"the OpenID provider did not start: {line!r}")
        return self

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.stdout.close()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S)
_INPUT = re.compile(r"<input([^>]*)>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')


def walk(url: str, login: str, opener=None) -> str:
    """Sign in at the provider as `login` (its login and consent forms), starting at the
    authorization URL; returns the first URL outside the provider (the app's callback)."""
    opener = opener or urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
    )
    origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(url))
    data = None
    for _ in range(20):
        if not url.startswith(origin):
            return url
        request = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode() if data else None)
        try:
            with opener.open(request, timeout=10) as response:
                html = response.read().decode()
        except urllib.error.HTTPError as answer:
            if answer.code not in (302, 303):
                raise
            url, data = urllib.parse.urljoin(url, answer.headers["Location"]), None
            continue
        action, body = _FORM.search(html).groups()
        fields = {}
        for attrs in _INPUT.findall(body):
            values = dict(_ATTR.findall(attrs))
            if "name" in values:
                fields[values["name"]] = unescape(values.get("value", ""))
        if fields.get("prompt") == "login":
            fields.update(login=login, password="wachtwoord")
        url, data = urllib.parse.urljoin(url, unescape(action)), fields
    raise RuntimeError("the provider did not send the browser back")
