"""Locale and time zone selection: Dutch unless the user chose English."""

from flask import current_app, request, session
from flask.globals import _cv_app
from flask_babel import get_translations
from flask_login import current_user


def select_locale() -> str:
    """The user's language, else the session's choice, else Dutch."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("lang") if request else None
    return chosen if chosen in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["TIMEZONE"]


# --- per-request memo of translations ---------------------------------------------------
#
# Flask-Babel resolves the context, the locale and the catalogue again for every string: a
# page with a hundred table rows asks for a thousand strings. These helpers look the catalogue
# up once per request and locale (force_locale switches locale, and so switches catalogue).


def _locale_memo() -> dict | None:
    """A dict for this request and its current locale, or None outside a request/before the locale is known."""
    ctx = _cv_app.get(None)
    if ctx is None:
        return None
    locale = getattr(ctx.g.__dict__.get("_flask_babel"), "babel_locale", None)
    if locale is None:
        return None
    return ctx.g.__dict__.setdefault("_riecycle_memo", {}).setdefault(locale, {})


def translations():
    """The catalogue of this request's locale (Flask-Babel's, looked up once)."""
    memo = _locale_memo()
    if memo is None:
        return get_translations()
    found = memo.get("catalogue")
    if found is None:
        found = memo["catalogue"] = get_translations()
    return found


def memoised(key, compute):
    """compute() once per request and locale for this key (labels, formatted dates)."""
    memo = _locale_memo()
    if memo is None:
        return compute()
    try:
        return memo[key]
    except KeyError:
        memo[key] = value = compute()
        return value


def language() -> str:
    """The request's language ('nl' or 'en'); Dutch outside a request."""
    from flask_babel import get_locale

    try:
        return str(get_locale() or "nl")
    except RuntimeError:  # no application context
        return "nl"


def install_gettext(app) -> None:
    """Give the templates gettext functions that use the per-request catalogue."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
