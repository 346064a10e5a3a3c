"""Locale and time zone selection: Dutch unless the user chose English."""

import os
from pathlib import Path

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


# --- compiled catalogues ------------------------------------------------------------------
#
# Flask-Babel reads the compiled .mo files only; without them an English user silently gets
# Dutch. The .mo files are not in git, so an install from the repository has none until
# `make translations` (pybabel compile) runs. The app therefore compiles, when it starts, every
# catalogue whose .mo is missing or older than its .po.


def compile_catalogues(directory: Path, logger=None) -> list[Path]:
    """Compile each <lang>/LC_MESSAGES/messages.po whose .mo is missing or stale; the .mo files written.

    Each file is written next to its target and renamed into place, so workers starting at
    the same time never read half a file. A directory that cannot be written is logged.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(Path(directory).glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        temporary = mo.with_name(f".messages.{os.getpid()}.mo")
        try:
            with po.open("rb") as handle:
                catalog = read_po(handle, locale=po.parent.parent.name)
            with temporary.open("wb") as handle:
                write_mo(handle, catalog)
            os.replace(temporary, mo)
        except OSError as error:
            if logger is not None:
                logger.error("Cannot compile %s (%s): run `make translations` when installing.", po, error)
            temporary.unlink(missing_ok=True)
            continue
        written.append(mo)
    return written


def ensure_catalogues(app) -> None:
    """Compile the app's missing or stale catalogues (see compile_catalogues)."""
    compile_catalogues(Path(app.root_path) / "translations", app.logger)
