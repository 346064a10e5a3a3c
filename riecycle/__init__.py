"""riecycle: the PSA policy cycle for Dutch employers."""

from pathlib import Path

from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    """Build the app from named steps; starts no threads and creates no tables."""
    app = Flask(__name__, instance_relative_config=True)
    from riecycle.config import load_config

    load_config(app, config)
    register_proxy(app)
    register_converters(app)
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_cli(app)
    return app


def register_proxy(app: Flask) -> None:
    """Trust X-Forwarded-For/-Proto from exactly RIECYCLE_PROXY_HOPS proxies (none by default)."""
    hops = app.config.get("PROXY_HOPS") or 0
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def register_converters(app: Flask) -> None:
    """<int:...> in every route is bounded: an id beyond the database's range is a 404, not a 500."""
    from riecycle.inputs import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter


def register_extensions(app: Flask) -> None:
    from riecycle import audit, changes, completion, dbsetup, i18n, references, risk_levels  # noqa: F401 - dbsetup: engine hooks
    from riecycle.extensions import babel, csrf, db, login_manager, migrate

    db.init_app(app)
    from riecycle.services import fields

    fields.install()  # single-line text and plausible dates, for every write
    migrate.init_app(
        app,
        db,
        directory=str(Path(app.root_path).parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.ensure_catalogues(app)
    i18n.install_gettext(app)
    audit.install(db.session)
    risk_levels.install(db.session)
    references.install(db.session)
    completion.install(db.session)
    changes.install(db.session)

    from riecycle.auth_loader import load_user

    login_manager.user_loader(load_user)


def register_blueprints(app: Flask) -> None:
    from riecycle.views import BLUEPRINTS

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    from riecycle.views import common

    common.register(app)


def register_template_helpers(app: Flask) -> None:
    from riecycle import filters

    filters.register(app)


def register_error_handlers(app: Flask) -> None:
    from riecycle.views.errors import register

    register(app)


def register_security_headers(app: Flask) -> None:
    from riecycle import security

    security.install(app)


def register_cli(app: Flask) -> None:
    from riecycle.cli import register

    register(app)
