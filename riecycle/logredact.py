"""Keep secret tokens out of access logs (README: Security).

Pulse, calendar, password reset and invitation links carry a personal token in the path. An
access log line holds that token with the time and the IP address, which is enough to tie a
pulse answer to a person or to replay a link. Both the gunicorn access log (gunicorn.conf.py
sets RedactingGunicornLogger) and the werkzeug development server log (a filter installed by
create_app) write "…" instead.
"""

import logging
import re

REDACTED = "…"
# The path prefixes whose next segment is a token; the token-free pulse pages are kept.
TOKEN_PREFIXES = ("puls", "agenda", "wachtwoord-herstellen", "uitnodiging")
KEEP = ("bedankt", "antwoord")
_PREFIXES, _KEEP = "|".join(TOKEN_PREFIXES), "|".join(KEEP)
_PATH_TOKEN = re.compile(rf"(/(?:{_PREFIXES})/)(?!(?:{_KEEP})(?:[/?#\s\"]|$))[^/?#\s\".]+")
_QUERY_TOKEN = re.compile(r"([?&;](?:token|t|key|code|sleutel)=)[^&;#\s\"]+", re.I)


def redact(text):
    """The text with every token in a URL replaced by "…" (non-strings pass unchanged)."""
    if not isinstance(text, str):
        return text
    return _QUERY_TOKEN.sub(r"\1" + REDACTED, _PATH_TOKEN.sub(r"\1" + REDACTED, text))


class RedactTokens(logging.Filter):
    """A logging filter that redacts the message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: redact(value) for key, value in record.args.items()}
        return True


def install_werkzeug_filter() -> None:
    """Redact the development server's request log (idempotent)."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactTokens) for f in logger.filters):
        logger.addFilter(RedactTokens())


def _gunicorn_logger_class():
    from gunicorn.glogging import Logger

    class RedactingGunicornLogger(Logger):
        """gunicorn's logger with every access-log atom redacted (request line, path, query,
        referrer, headers), so no access_log_format can print a token."""

        def atoms(self, resp, req, environ, request_time):
            return {
                key: redact(value) for key, value in super().atoms(resp, req, environ, request_time).items()
            }

    return RedactingGunicornLogger


def __getattr__(name):
    # Lazily, so that importing this module does not need gunicorn (dev server, tests, CLI).
    if name == "RedactingGunicornLogger":
        return _gunicorn_logger_class()
    raise AttributeError(name)
