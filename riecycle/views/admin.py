"""Platform administration: creating organisations and repairing their memberships."""

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from riecycle.extensions import db
from riecycle.forms.organisation import AdminMembershipForm, NewOrganisationForm
from riecycle.labels import label
from riecycle.models import Membership, Organisation
from riecycle.models.user import Role
from riecycle.services import ServiceError, accounts, invitations, mfa, notifications_mail, organisations

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
            invitation = None
            if user is None:  # a new person becomes beheerder once they accept
                invitation = invitations.invite(
                    org, form.beheerder_email.data, form.beheerder_email.data, Role.BEHEERDER, current_user
                )
            else:
                accounts.add_membership(org, user, Role.BEHEERDER)
        except ServiceError as error:
            db.session.rollback()
            getattr(form, error.field or "name").errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Organisatie %(n)s is aangemaakt.", n=org.name), "success")
            if invitation is not None:
                sent = notifications_mail.deliver_invitation(invitation, current_user, current_user.locale)
                db.session.commit()
                if not sent:
                    flash(
                        _("De uitnodiging aan %(e)s kon niet worden verstuurd.", e=invitation.email),
                        "error",
                    )
            return redirect(url_for("admin.organisations_index"))
    return render_template("admin/organisation_new.html", form=form)


def _organisation_or_404(org_id: int) -> Organisation:
    org = db.session.get(Organisation, org_id)
    if org is None or org.deleted_at is not None:
        abort(404)
    return org


def _members(org: Organisation) -> list[Membership]:
    members = db.session.scalars(select(Membership).where(Membership.organisation_id == org.id)).all()
    return sorted(members, key=lambda m: (m.user.name.lower(), m.id))


@bp.route("/organisaties/<int:org_id>/leden", methods=["GET", "POST"])
@platform_admin_required
def organisation_members(org_id):
    """An organisation's members; give an existing account a role there, e.g. a new beheerder.

    The repair route when an organisation has lost its beheerders. Changes are audited (the
    platform administrator is the actor) and keep at least one beheerder.
    """
    org = _organisation_or_404(org_id)
    form = AdminMembershipForm()
    status = 200
    if form.validate_on_submit():
        user = accounts.find_user(form.email.data)
        if user is None:
            form.email.errors.append(_("Er is geen account met dit e-mailadres."))
        else:
            membership = user.membership_for(org.id)
            try:
                if membership is None:
                    accounts.lock_memberships(org)
                    accounts.add_membership(org, user, form.role.data)
                else:
                    accounts.change_role(org, membership, form.role.data)
            except ServiceError as error:
                db.session.rollback()
                form.role.errors.append(error.message)
            else:
                db.session.commit()
                flash(
                    _(
                        "%(n)s is nu %(r)s in %(o)s.",
                        n=user.name,
                        r=label(form.role.data, "role"),
                        o=org.name,
                    ),
                    "success",
                )
                return redirect(url_for("admin.organisation_members", org_id=org.id))
    if form.errors:
        status = 400
    return render_template("admin/members.html", org=org, members=_members(org), form=form), status


@bp.post("/organisaties/<int:org_id>/leden/<int:user_id>/tweestaps-reset")
@platform_admin_required
def user_mfa_reset(org_id, user_id):
    """Take away a member's second factor; they set it up again at their next login (audited)."""
    org = _organisation_or_404(org_id)
    membership = db.session.scalar(
        select(Membership).where(Membership.organisation_id == org.id, Membership.user_id == user_id)
    )
    if membership is None:
        abort(404)
    try:
        mfa.reset(membership.user)
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("De tweestapsverificatie van %(n)s is gereset.", n=membership.user.name), "success")
    return redirect(url_for("admin.organisation_members", org_id=org.id))
