"""The server is not a way into its own network: a provider URL chosen by a beheerder reaches only
public addresses, or the networks the server's administrator allowed (SSO_PRIVATE_NETWORKS).
The check holds for every connection, redirects included, on the addresses actually used."""

import http.server
import threading

import pytest

from riecycle import oidc
from tests.support.ports import free_port
from tests.test_sso import admin, connect, logged_in, refused  # noqa: F401 - fixtures


class _Server:
    """A local HTTP server on `host` that counts the requests it gets and answers with `reply`."""

    def __init__(self, host: str, reply):
        self.hits = 0
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server API
                owner.hits += 1
                reply(self)

            def log_message(self, *args):
                pass

        self.httpd = http.server.HTTPServer((host, free_port()), Handler)
        self.url = f"http://{host}:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def _not_found(handler):
    handler.send_response(404)
    handler.end_headers()


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.9", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # a cloud's metadata service
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("::1", False),
        ("fd00::1", False),
        ("fe80::1%eth0", False),
        ("::ffff:127.0.0.1", False),  # loopback written as IPv6
        ("::ffff:10.0.0.1", False),
    ],
)
def test_only_public_addresses_by_default(app, address, allowed):
    app.config["SSO_PRIVATE_NETWORKS"] = ()
    assert oidc._permitted(address) is allowed


def test_the_administrator_allows_an_intranet_network(app):
    app.config["SSO_PRIVATE_NETWORKS"] = ("10.20.0.0/16", "fd00:1::/64")
    assert oidc._permitted("10.20.4.5") and oidc._permitted("fd00:1::7")
    assert not oidc._permitted("10.21.0.1") and not oidc._permitted("192.168.0.1")


def test_a_provider_on_an_internal_address_is_never_contacted(app, world, admin, client):  # noqa: F811
    with _Server("127.0.0.1", _not_found) as internal:
        connect(world, admin, internal.url, jit_enabled=True)
        app.config["SSO_PRIVATE_NETWORKS"] = ()
        response = client.get("/login/sso/start/acme")
        refused(response, "De inlogdienst staat op een intern netwerkadres", 502)
        assert internal.hits == 0 and not logged_in(client)
        # Allowed by the server's administrator: the same provider is contacted (and answers 404).
        app.config["SSO_PRIVATE_NETWORKS"] = ("127.0.0.0/8",)
        client.get("/login/sso/start/acme")
        assert internal.hits == 1


def test_a_redirect_cannot_lead_into_a_network_that_is_not_allowed(app, world, admin, client):  # noqa: F811
    with _Server("127.0.0.2", _not_found) as internal:

        def redirect(handler):
            handler.send_response(302)
            handler.send_header("Location", internal.url + "/.well-known/openid-configuration")
            handler.end_headers()

        with _Server("127.0.0.1", redirect) as allowed:
            connect(world, admin, allowed.url, jit_enabled=True)
            app.config["SSO_PRIVATE_NETWORKS"] = ("127.0.0.1/32",)
            response = client.get("/login/sso/start/acme")
            refused(response, "De inlogdienst staat op een intern netwerkadres", 502)
            assert allowed.hits == 1 and internal.hits == 0
