"""Dutch error pages; every error rolls the transaction back."""

from flask import render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from riecycle.extensions import db
from riecycle.services import ServiceError


def _has_nul(values) -> bool:
    return any("\x00" in value for value in values)


def register(app) -> None:
    """Install handlers for HTTP errors, CSRF failures and unexpected exceptions."""

    @app.before_request
    def refuse_nul_characters():
        """A NUL character in a field or the address is refused before anything reads it.

        No one types one on purpose, and PostgreSQL rejects it in text, which would otherwise
        surface as a server error. Uploaded files are not affected.
        """
        if _has_nul(request.args.values()) or _has_nul(request.form.values()) or "\x00" in request.path:
            return render_template("errors/400.html", reason="nul"), 400
        return None

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        db.session.rollback()
        return render_template("errors/400.html", reason="csrf"), 400

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error):
        db.session.rollback()
        return render_template("errors/413.html"), 413

    @app.errorhandler(ServiceError)
    def service_error(error):
        """A value refused where the view did not expect it (services/fields.py): 400, nothing saved."""
        db.session.rollback()
        return render_template("errors/400.html", reason="service", message=error.message), 400

    @app.errorhandler(HTTPException)
    def http_error(error):
        db.session.rollback()
        if request.path.startswith("/healthz"):
            return {"status": "error"}, error.code
        code = error.code if error.code in (400, 403, 404, 405, 409) else None
        if code is None:
            return error
        return render_template(f"errors/{code}.html", error=error), code

    @app.errorhandler(Exception)
    def server_error(error):
        db.session.rollback()
        app.logger.exception("Onverwachte fout")
        if app.config.get("TESTING") and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise error
        return render_template("errors/500.html"), 500
