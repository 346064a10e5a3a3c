"""Configuration read from RIECYCLE_* environment variables."""

import os
from datetime import timedelta
from pathlib import Path


def _env(name, default=None):
    return os.environ.get(f"RIECYCLE_{name}", default)


def _env_bool(name, default=False):
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "ja", "on"}


def _env_list(name, default: str = "") -> tuple[str, ...]:
    """A comma-separated setting as a tuple of its non-empty, stripped parts."""
    return tuple(part.strip() for part in (_env(name) or default).split(",") if part.strip())


def _env_int(name, default):
    value = _env(name)
    return int(value) if value not in (None, "") else default


class Config:
    """Defaults shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY = _env("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    SMTP_HOST = _env("SMTP_HOST")
    SMTP_PORT = _env_int("SMTP_PORT", 25)
    SMTP_USER = _env("SMTP_USER")
    SMTP_PASSWORD = _env("SMTP_PASSWORD")
    SMTP_STARTTLS = _env_bool("SMTP_STARTTLS", False)
    MAIL_FROM = _env("MAIL_FROM", "riecycle <no-reply@riecycle.local>")
    BASE_URL = _env("BASE_URL", "http://127.0.0.1:5000")

    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    LANGUAGES = ("nl", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _env_bool("SECURE_COOKIES", False)
    # "Remember me" keeps a login this many days; the server-side session ends with it.
    REMEMBER_COOKIE_DURATION = timedelta(days=_env_int("REMEMBER_DAYS", 14))
    # A session (without "remember me") ends after this many minutes without a request.
    SESSION_IDLE_MINUTES = _env_int("SESSION_IDLE_MINUTES", 120)
    # How many reverse proxies in front of the app to trust for X-Forwarded-For/-Proto (0: none).
    PROXY_HOPS = _env_int("PROXY_HOPS", 0)
    WTF_CSRF_TIME_LIMIT = None

    MAX_CONTENT_LENGTH = _env_int("MAX_UPLOAD_MB", 10) * 1024 * 1024
    UPLOAD_MAX_BYTES = _env_int("MAX_UPLOAD_MB", 10) * 1024 * 1024
    # Filled rows per sheet an Excel import (upload and CLI) reads; more is refused.
    IMPORT_MAX_ROWS = _env_int("IMPORT_MAX_ROWS", 10_000)

    LOGIN_MAX_FAILURES = _env_int("LOGIN_MAX_FAILURES", 5)
    LOGIN_LOCK_MINUTES = _env_int("LOGIN_LOCK_MINUTES", 15)
    # Failures older than this no longer count towards a lock (the counters decay).
    LOGIN_FAILURE_WINDOW_MINUTES = _env_int("LOGIN_FAILURE_WINDOW_MINUTES", 15)
    # Password reset requests per hour: per IP address, and per e-mail address.
    RESET_MAX_PER_IP = _env_int("RESET_MAX_PER_IP", 10)
    RESET_MAX_PER_ADDRESS = _env_int("RESET_MAX_PER_ADDRESS", 3)
    PASSWORD_RESET_HOURS = _env_int("PASSWORD_RESET_HOURS", 2)
    INVITE_DAYS = _env_int("INVITE_DAYS", 7)
    PASSWORD_HASH_METHOD = "scrypt"
    # Platform administrators always need a second factor; only the test configuration exempts them.
    MFA_ADMIN_EXEMPT = False
    # How long the step between a correct password and the second factor may take.
    MFA_PENDING_MINUTES = _env_int("MFA_PENDING_MINUTES", 5)
    MFA_ISSUER = _env("MFA_ISSUER", "riecycle")
    PULSE_MIN_RESPONDENTS = max(3, _env_int("PULSE_MIN_RESPONDENTS", 5))
    # The report RI&E en Plan van Aanpak: above this many measures it is summarised; from this many
    # the scheduler makes it (never a web worker); rows of other long lists in a summarised report;
    # how often the scheduler looks for waiting reports.
    REPORT_FULL_MAX_MEASURES = _env_int("REPORT_FULL_MAX_MEASURES", 300)
    REPORT_JOB_MIN_MEASURES = _env_int("REPORT_JOB_MIN_MEASURES", 2000)
    REPORT_LIST_MAX = _env_int("REPORT_LIST_MAX", 100)
    REPORT_POLL_SECONDS = _env_int("REPORT_POLL_SECONDS", 30)
    # A pulse link opens an answer session on a token-free address; it lasts this long.
    PULSE_ANSWER_SESSION_MINUTES = _env_int("PULSE_ANSWER_SESSION_MINUTES", 60)
    # Scheduler: standby schedulers retry the leader lock this often; an interval (seconds)
    # replaces the daily 07:00 run (tests and troubleshooting only).
    SCHEDULER_LOCK_RETRY_SECONDS = _env_int("SCHEDULER_LOCK_RETRY_SECONDS", 5)
    SCHEDULER_INTERVAL_SECONDS = _env_int("SCHEDULER_INTERVAL_SECONDS", None)
    TIMEZONE = "Europe/Amsterdam"
    # Stored secrets (riecycle/crypto.py): a Fernet key; without it one is derived from SECRET_KEY.
    ENCRYPTION_KEY = _env("ENCRYPTION_KEY")
    # Single sign-on: seconds to wait for an OpenID provider, clock skew allowed on its tokens,
    # and whether a provider may be reached over plain http (development and tests only).
    SSO_HTTP_TIMEOUT = _env_int("SSO_HTTP_TIMEOUT", 5)
    SSO_LEEWAY_SECONDS = _env_int("SSO_LEEWAY_SECONDS", 60)
    SSO_ALLOW_HTTP = _env_bool("SSO_ALLOW_HTTP", False)
    # Networks outside the public internet that a provider may be on (riecycle/oidc.py), e.g. an
    # identity provider on the intranet: "10.20.0.0/16,fd00:1::/64". Nothing by default.
    SSO_PRIVATE_NETWORKS = _env_list("SSO_PRIVATE_NETWORKS")


class DevelopmentConfig(Config):
    """Local development: SQLite in instance/, mail to instance/outbox/."""

    ENV_NAME = "development"
    SECRET_KEY = Config.SECRET_KEY or "dev-only-not-secret"
    SSO_ALLOW_HTTP = _env_bool("SSO_ALLOW_HTTP", True)
    SSO_PRIVATE_NETWORKS = _env_list("SSO_PRIVATE_NETWORKS", "127.0.0.0/8,::1/128")  # a local provider


class TestingConfig(Config):
    """Test runs: fast hashing, no CSRF unless a test turns it on."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret"
    WTF_CSRF_ENABLED = False
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"
    # The fixtures' platform administrators log in with a password only; the MFA tests turn it off.
    MFA_ADMIN_EXEMPT = True
    SMTP_HOST = None
    BASE_URL = "http://localhost"
    SSO_ALLOW_HTTP = True
    SSO_PRIVATE_NETWORKS = ("127.0.0.0/8", "::1/128")  # the suite's provider runs on loopback


class ProductionConfig(Config):
    """Production: refuses to start without a secret key."""

    ENV_NAME = "production"
    # SQL errors in the log must not print their parameters: they can hold tokens and names.
    SQLALCHEMY_ENGINE_OPTIONS = {**Config.SQLALCHEMY_ENGINE_OPTIONS, "hide_parameters": True}
    SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES", True)
    REMEMBER_COOKIE_SECURE = _env_bool("SECURE_COOKIES", True)


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


MIN_PRODUCTION_SECRET_BYTES = 32


def load_config(app, overrides=None):
    """Fill app.config from the class named by RIECYCLE_ENV plus overrides.

    An unknown RIECYCLE_ENV is refused: a typo must not quietly run the development
    configuration (with its public secret key) in production.
    """
    env = (overrides or {}).get("ENV_NAME") or _env("ENV", "development")
    if env not in CONFIGS:
        raise RuntimeError(
            f"RIECYCLE_ENV={env!r} is onbekend (unknown); kies uit (choose from): {', '.join(CONFIGS)}."
        )
    app.config.from_object(CONFIGS[env])
    if overrides:
        app.config.update(overrides)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        db_path = Path(app.instance_path) / "riecycle.sqlite"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_path}"
    if app.config["ENV_NAME"] == "production" and not app.config.get("SECRET_KEY"):
        raise RuntimeError("RIECYCLE_SECRET_KEY is verplicht in productie (required in production).")
    if app.config["ENV_NAME"] == "production":
        key = app.config["SECRET_KEY"]
        size = len(key.encode() if isinstance(key, str) else key)
        if size < MIN_PRODUCTION_SECRET_BYTES:
            raise RuntimeError(
                f"RIECYCLE_SECRET_KEY is te kort (too short): {size} bytes, minstens (at least) "
                f"{MIN_PRODUCTION_SECRET_BYTES} in productie. Maak er een met (make one with): "
                "python -c 'import secrets; print(secrets.token_hex(32))'"
            )
