"""gunicorn settings for riecycle: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value can be set from the environment, so one file serves every machine. Workers are
sync and stateless (sessions are signed cookies, documents live in the database), so scaling
out means more workers per machine or more machines against the same PostgreSQL. The reminder
scheduler is NOT started here: it runs as its own process (`flask --app wsgi scheduler`).
"""

import gc
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


bind = os.environ.get("RIECYCLE_BIND", "127.0.0.1:8000")
# Sync workers: each handles one request at a time. About 2 per core for this I/O-light app.
workers = _int("RIECYCLE_WORKERS", 2)
worker_class = "sync"
# Slow requests (a large evidence export) get this long before the worker is restarted.
timeout = _int("RIECYCLE_WORKER_TIMEOUT", 120)
graceful_timeout = _int("RIECYCLE_GRACEFUL_TIMEOUT", 30)
keepalive = _int("RIECYCLE_KEEPALIVE", 5)
# Recycle workers now and then to bound memory growth; the jitter avoids restarting all at once.
# Not too often: a restarted worker starts with an empty cache (riecycle/cache.py, itself bounded).
max_requests = _int("RIECYCLE_MAX_REQUESTS", 10000)
max_requests_jitter = _int("RIECYCLE_MAX_REQUESTS_JITTER", 200)
# Access log to stdout ("-") by default; RIECYCLE_ACCESS_LOG="" turns it off (the benchmark does).
accesslog = os.environ.get("RIECYCLE_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("RIECYCLE_LOG_LEVEL", "info")
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# Tokens in pulse, calendar, reset and invitation URLs are written as "…" (riecycle/logredact.py).
logger_class = "riecycle.logredact.RedactingGunicornLogger"
# Behind a TLS-terminating proxy: trust X-Forwarded-* only from these addresses.
forwarded_allow_ips = os.environ.get("RIECYCLE_FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    """The loaded app (modules, templates, mappers) moves out of the garbage collector's sight:
    every later full collection would walk those long-lived objects again, a pause of tens of
    milliseconds in the middle of a request."""
    gc.collect()
    gc.freeze()
