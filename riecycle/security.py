"""Security headers on every response (README: Security).

The Content-Security-Policy allows scripts and styles only from riecycle's own static files:
templates carry no inline handlers, <script> blocks or style attributes (tests/test_headers.py
scans them). Every response except static files is `no-store`: pages and downloads hold
personal data, and a shared browser or proxy must not keep them.
"""

from flask import Flask, current_app, request

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
    )
)
# One year; without includeSubDomains, since riecycle cannot know whether sibling hosts serve HTTPS.
HSTS = "max-age=31536000"


def add_headers(response):
    """Set the security headers; every response except a static file is no-store."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
    if current_app.config.get("ENV_NAME") == "production":
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def install(app: Flask) -> None:
    from riecycle.logredact import install_werkzeug_filter

    app.after_request(add_headers)
    install_werkzeug_filter()
