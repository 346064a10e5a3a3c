"""Platform administration: creating organisations."""

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from riecycle.extensions import db
from riecycle.forms.beheer import NewOrganisationForm
from riecycle.models import Organisation
from riecycle.services import ServiceError, accounts, notifications_mail, organisations

bp = Blueprint("admin", __name__, url_prefix="/platform")


def platform_admin_required(view):
    """Only platform administrators."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_platform_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


@bp.get("/organisaties")
@platform_admin_required
def organisations_index():
    """All organisations on this installation."""
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    return render_template("admin/organisations.html", orgs=orgs)


@bp.route("/organisaties/nieuw", methods=["GET", "POST"])
@platform_admin_required
def organisation_new():
    """Create an organisation and invite its first beheerder."""
    form = NewOrganisationForm()
    if form.validate_on_submit():
        data = {
            k: v for k, v in form.data.items() if k not in ("csrf_token", "slug", "name", "beheerder_email")
        }
        try:
            org = organisations.create_organisation(form.slug.data, form.name.data, **data)
            user = accounts.find_user(form.beheerder_email.data)
            invite = user is None
            if invite:
                user = accounts.create_user(form.beheerder_email.data, form.beheerder_email.data)
            accounts.add_membership(org, user, "beheerder")
        except ServiceError as error:
            db.session.rollback()
            getattr(form, error.field or "name").errors.append(error.message)
        else:
            db.session.commit()
            if invite:
                notifications_mail.send_invitation(user, org, current_user)
            flash(_("Organisatie %(n)s is aangemaakt.", n=org.name), "success")
            return redirect(url_for("admin.organisations_index"))
    return render_template("admin/organisation_new.html", form=form)
