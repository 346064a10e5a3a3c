"""Absolute links for e-mails and calendar feeds, inside or outside a request."""

from flask import current_app, has_request_context, url_for


def absolute_url(endpoint: str, **values) -> str:
    """A full URL on the configured BASE_URL (jobs and CLI have no request to copy it from)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context("/", base_url=base):
        return base + url_for(endpoint, **values)
