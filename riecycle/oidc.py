"""The OpenID Connect relying party: discovery, the authorization request (Authorization Code with
PKCE S256, state and nonce), the code exchange and the id token check.

Authlib provides the protocol pieces (PKCE, tokens, the OIDC id-token claims rules) and joserfc,
Authlib's JOSE library, the signature check against the provider's JWKS. The HTTP calls go
through urllib with a short timeout (SSO_HTTP_TIMEOUT seconds): a provider that is down gives a
clear message instead of a hanging login. Nothing is cached: every login reads the provider's
discovery document and keys afresh, so a rotated key is picked up at once.

Every failure raises OidcError with a Dutch message for the user and a short code for the log.

A beheerder chooses the issuer URL, so the server must not become a way into the network it runs
in: every connection goes only to public addresses, or to the networks listed in
SSO_PRIVATE_NETWORKS (an identity provider on the intranet; loopback in development and tests).
The check is made on the addresses the connection itself uses, so a name that resolves to a
public address at one moment and to an internal one the next gains nothing.
"""

from __future__ import annotations

import base64
import http.client
import ipaddress
import json
import secrets
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from flask import current_app
from flask_babel import gettext as _
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

MAX_RESPONSE_BYTES = 512 * 1024
SCOPE = "openid email profile"


class OidcError(Exception):
    """A failed step of the flow: `message` for the user (Dutch), `code` for the log."""

    def __init__(self, message: str, code: str):
        super().__init__(code)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Provider:
    """What the discovery document says about a provider."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    algorithms: tuple[str, ...]


def _unreachable() -> OidcError:
    return OidcError(
        _(
            "De inlogdienst van uw organisatie is nu niet bereikbaar. Probeer het over een paar "
            "minuten opnieuw; blijft het misgaan, neem dan contact op met uw beheerder."
        ),
        "unreachable",
    )


def _blocked() -> OidcError:
    return OidcError(
        _(
            "De inlogdienst staat op een intern netwerkadres. riecycle maakt daar alleen verbinding "
            "mee als de serverbeheerder dat netwerk heeft toegestaan (RIECYCLE_SSO_PRIVATE_NETWORKS)."
        ),
        "blocked_address",
    )


def _misconfigured(code: str) -> OidcError:
    return OidcError(
        _(
            "De inlogdienst van uw organisatie is niet goed ingesteld in riecycle. "
            "Neem contact op met de beheerder van uw organisatie."
        ),
        code,
    )


class BlockedAddressError(OSError):
    """The provider's host resolves to an address outside the public internet and the allowed networks."""


def _permitted(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone id is not part of the address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    networks = current_app.config.get("SSO_PRIVATE_NETWORKS") or ()
    return ip.is_global or any(ip in ipaddress.ip_network(n, strict=False) for n in networks)


def _guarded_connection(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None):  # type: ignore[attr-defined]
    """socket.create_connection, to permitted addresses only: every address the name resolves to
    must be permitted, and the socket connects to one of those very addresses."""
    host, port = address
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not infos or not all(_permitted(info[4][0]) for info in infos):
        raise BlockedAddressError(f"{host} resolves to an address that is not allowed")
    error: OSError | None = None
    for family, kind, proto, _name, sockaddr in infos:
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:  # type: ignore[attr-defined]
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as failed:
            error = failed
            sock.close()
    raise error or OSError(f"could not connect to {host}")


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _guarded_connection


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _guarded_connection


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_GuardedHTTPConnection, req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_GuardedHTTPSConnection, req, context=self._context)


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follow a provider's redirect only to another allowed URL (never file:, ftp: or the like)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not allowed_url(newurl):
            return None
        return super().redirect_request(req, fp, code, msg, headers, newurl)


# No proxy handler: a proxy would make the connection instead, past the address check.
_OPENER = urllib.request.OpenerDirector()
for _handler in (
    urllib.request.UnknownHandler(),
    _GuardedHTTPHandler(),
    _GuardedHTTPSHandler(),
    urllib.request.HTTPDefaultErrorHandler(),
    _Redirects(),
    urllib.request.HTTPErrorProcessor(),
):
    _OPENER.add_handler(_handler)


def _http(url: str, data: dict | None = None, auth: tuple[str, str] | None = None) -> tuple[int, bytes]:
    """GET (or POST a form to) a provider URL; (status, body). Unreachable -> OidcError."""
    headers = {"Accept": "application/json"}
    body = None
    if data is not None:
        body = urllib.parse.urlencode(data).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if auth is not None:
        # RFC 6749 §2.3.1: client id and secret form-encoded, then Basic.
        pair = f"{urllib.parse.quote(auth[0], safe='')}:{urllib.parse.quote(auth[1], safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    # The URLs passed allowed_url (https, or http where allowed); so do redirects (_Redirects).
    request = urllib.request.Request(url, data=body, headers=headers, method="POST" if body else "GET")  # noqa: S310
    timeout = current_app.config.get("SSO_HTTP_TIMEOUT", 5)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.status, response.read(MAX_RESPONSE_BYTES)
    except urllib.error.HTTPError as error:
        return error.code, error.read(MAX_RESPONSE_BYTES)
    except urllib.error.URLError as error:
        if isinstance(error.reason, BlockedAddressError):
            current_app.logger.warning("SSO: refused to connect (%s)", error.reason)
            raise _blocked() from error
        current_app.logger.warning("SSO: provider unreachable (%s)", type(error).__name__)
        raise _unreachable() from error
    except BlockedAddressError as error:
        current_app.logger.warning("SSO: refused to connect (%s)", error)
        raise _blocked() from error
    except (OSError, ValueError) as error:
        current_app.logger.warning("SSO: provider unreachable (%s)", type(error).__name__)
        raise _unreachable() from error


def _json(status: int, body: bytes, code: str) -> dict:
    if status != 200:
        if status >= 500:
            raise _unreachable()
        raise _misconfigured(code)
    try:
        value = json.loads(body)
    except ValueError as error:
        raise _misconfigured(code) from error
    if not isinstance(value, dict):
        raise _misconfigured(code)
    return value


def allowed_url(url: str) -> bool:
    """An absolute https URL (http too where SSO_ALLOW_HTTP is set: development and tests)."""
    parts = urllib.parse.urlsplit(url or "")
    schemes = ("https", "http") if current_app.config.get("SSO_ALLOW_HTTP") else ("https",)
    return parts.scheme in schemes and bool(parts.hostname) and not parts.fragment


def discover(issuer: str) -> Provider:
    """Read the provider's discovery document; its issuer must be exactly the configured one."""
    if not allowed_url(issuer):
        raise _misconfigured("bad_issuer_url")
    status, body = _http(issuer.rstrip("/") + "/.well-known/openid-configuration")
    doc = _json(status, body, "bad_discovery")
    endpoints = [doc.get(k) for k in ("authorization_endpoint", "token_endpoint", "jwks_uri")]
    if doc.get("issuer") != issuer or not all(isinstance(e, str) and allowed_url(e) for e in endpoints):
        raise _misconfigured("discovery_mismatch")
    algorithms = doc.get("id_token_signing_alg_values_supported") or ["RS256"]
    # Never "none" and never a symmetric algorithm keyed with the client secret.
    algorithms = tuple(a for a in algorithms if isinstance(a, str) and a[:2] in ("RS", "PS", "ES", "Ed"))
    return Provider(issuer, *endpoints, algorithms=algorithms or ("RS256",))


def authorization_request(provider: Provider, client_id: str, redirect_uri: str, login_hint: str | None):
    """The URL to send the browser to, and what the callback needs to check the answer."""
    flow = {
        "state": secrets.token_urlsafe(32),
        "nonce": secrets.token_urlsafe(32),
        "verifier": secrets.token_urlsafe(48),
    }
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": SCOPE,
        "state": flow["state"],
        "nonce": flow["nonce"],
        "code_challenge": create_s256_code_challenge(flow["verifier"]),
        "code_challenge_method": "S256",
    }
    if login_hint:
        params["login_hint"] = login_hint
    separator = "&" if urllib.parse.urlsplit(provider.authorization_endpoint).query else "?"
    return provider.authorization_endpoint + separator + urllib.parse.urlencode(params), flow


def exchange_code(
    provider: Provider, client_id: str, secret: str, code: str, verifier: str, redirect_uri: str
):
    """Trade the authorization code for tokens (client_secret_basic, with the PKCE verifier)."""
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    status, body = _http(provider.token_endpoint, data=data, auth=(client_id, secret))
    if status in (400, 401):
        error = _error_code(body)
        if error == "invalid_client":
            raise _misconfigured("invalid_client")
        raise OidcError(
            _(
                "De inlogdienst heeft de aanmelding geweigerd: de code is ongeldig, verlopen of al "
                "gebruikt. Begin opnieuw met inloggen."
            ),
            f"token_{error or status}",
        )
    token = _json(status, body, "bad_token_response")
    if not isinstance(token.get("id_token"), str):
        raise _misconfigured("no_id_token")
    return token


def _error_code(body: bytes) -> str:
    try:
        value = json.loads(body)
    except ValueError:
        return ""
    return str(value.get("error", ""))[:40] if isinstance(value, dict) else ""


def _keys(provider: Provider) -> KeySet:
    status, body = _http(provider.jwks_uri)
    try:
        return KeySet.import_key_set(_json(status, body, "bad_jwks"))
    except (JoseError, ValueError, TypeError, KeyError) as error:
        raise _misconfigured("bad_jwks") from error


def _invalid(code: str) -> OidcError:
    messages = {
        "signature": _("Het identiteitsbewijs van de inlogdienst is ongeldig: de handtekening klopt niet."),
        "expired": _("Het identiteitsbewijs van de inlogdienst is verlopen. Begin opnieuw met inloggen."),
        "aud": _(
            "Het identiteitsbewijs van de inlogdienst is niet voor riecycle bestemd (verkeerde audience). "
            "Neem contact op met de beheerder van uw organisatie."
        ),
        "azp": _(
            "Het identiteitsbewijs van de inlogdienst is niet voor riecycle bestemd (verkeerde audience). "
            "Neem contact op met de beheerder van uw organisatie."
        ),
        "iss": _("Het identiteitsbewijs komt van een andere uitgever dan de inlogdienst van uw organisatie."),
        "nonce": _("Het identiteitsbewijs hoort niet bij deze aanmelding. Begin opnieuw met inloggen."),
    }
    message = messages.get(code) or _("Het identiteitsbewijs van de inlogdienst is ongeldig.")
    return OidcError(message, f"id_token_{code}")


def verify_id_token(
    provider: Provider, token: dict, client_id: str, nonce: str, now: int, leeway: int
) -> dict:
    """The id token's claims after checking signature (JWKS), issuer, audience, expiry and nonce."""
    registry = JWSRegistry(algorithms=list(provider.algorithms), strict_check_header=False)
    keys = _keys(provider)
    try:
        decoded = jwt.decode(token["id_token"], keys, registry=registry)
    except InvalidKeyIdError as error:
        raise _invalid("signature") from error
    except BadSignatureError as error:
        raise _invalid("signature") from error
    except (JoseError, ValueError, TypeError) as error:
        raise _invalid("malformed") from error
    options = {
        "iss": {"essential": True, "value": provider.issuer},
        "aud": {"essential": True, "value": client_id},
        "sub": {"essential": True},
    }
    params = {"nonce": nonce, "client_id": client_id, "access_token": token.get("access_token")}
    claims = CodeIDToken(decoded.claims, decoded.header, options, params)
    try:
        claims.validate(now=now, leeway=leeway)
    except ExpiredTokenError as error:
        raise _invalid("expired") from error
    except (InvalidClaimError, MissingClaimError) as error:
        raise _invalid(error.claim) from error
    except JoseError as error:
        raise _invalid("claims") from error
    return dict(claims)
