"""Organisation management: the organisation profile, teams, employees, users and the prullenbak.

Blueprint "beheer" (URLs /o/<org>/beheer/...), templates in templates/beheer/.
"""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from riecycle.extensions import db
from riecycle.forms.organisation import (
    EmployeeCsvForm,
    EmployeeForm,
    InviteForm,
    MfaSettingsForm,
    OrganisationForm,
    RoleForm,
    TeamForm,
)
from riecycle.inputs import arg_id
from riecycle.models import (
    ArbodienstContract,
    Attachment,
    CatalogueEntry,
    Employee,
    Evaluation,
    Incident,
    Invitation,
    Measure,
    Membership,
    PolicyInstrument,
    PreventiemedewerkerAppointment,
    Risk,
    Team,
    VoorlichtingSession,
)
from riecycle.models.user import new_token
from riecycle.pagination import paginate
from riecycle.permissions import requires
from riecycle.services import (
    ServiceError,
    accounts,
    employees,
    invitations,
    mfa,
    notifications_mail,
    organisations,
)
from riecycle.services import teams as team_service
from riecycle.services.records import restore, soft_delete
from riecycle.tenancy import get_or_404, scoped
from riecycle.views.common import form_data, save
from riecycle.views.orgbp import org_blueprint

bp = org_blueprint("beheer", __name__, "beheer")


def _team_choices(exclude_id=None):
    return [(None, _("— geen —"))] + [(i, name) for i, name in team_service.choices(g.org) if i != exclude_id]


def _manager_choices():
    members = db.session.scalars(select(Membership).where(Membership.organisation_id == g.org.id)).all()
    users = sorted((m.user for m in members), key=lambda u: u.name.lower())
    return [(None, _("— geen —"))] + [(u.id, u.name) for u in users]


@bp.route("/", methods=["GET", "POST"])
@requires("manage")
def index():
    """The organisation profile and links to the other beheer pages."""
    form = OrganisationForm(obj=g.org)
    if form.validate_on_submit():
        if save(lambda: organisations.update_organisation(g.org, form_data(form)), form):
            flash(_("De gegevens van de organisatie zijn opgeslagen."), "success")
            return redirect(url_for("beheer.index"))
    return render_template("beheer/index.html", form=form, mfa_form=MfaSettingsForm(obj=g.org))


@bp.post("/tweestapsverificatie")
@requires("manage")
def mfa_settings():
    """Who in the organisation must sign in with a second factor (and whether also after SSO)."""
    form = MfaSettingsForm()
    if not form.validate_on_submit():
        flash(_("Kies een geldige instelling voor tweestapsverificatie."), "error")
    elif save(lambda: organisations.update_organisation(g.org, form_data(form)), errors="flash"):
        flash(
            _(
                "De instelling voor tweestapsverificatie is opgeslagen; ze geldt vanaf de volgende keer inloggen."
            ),
            "success",
        )
    return redirect(url_for("beheer.index"))


# --- teams -----------------------------------------------------------------


@bp.get("/teams")
@requires("manage")
def teams():
    """All teams with their leidinggevende and number of employees."""
    staff = dict(
        db.session.execute(
            select(Employee.team_id, func.count(Employee.id))
            .where(Employee.organisation_id == g.org.id, Employee.deleted_at.is_(None))
            .group_by(Employee.team_id)
        ).all()
    )
    teams = db.session.scalars(
        scoped(Team).order_by(Team.name).options(joinedload(Team.parent), joinedload(Team.manager))
    ).all()
    rows = [(team, staff.get(team.id, 0)) for team in teams]
    return render_template("beheer/teams.html", rows=rows)


@bp.route("/teams/nieuw", methods=["GET", "POST"])
@requires("manage")
def team_new():
    """Add a team."""
    form = TeamForm()
    form.parent_id.choices, form.manager_id.choices = _team_choices(), _manager_choices()
    if form.validate_on_submit():
        saved = save(lambda: team_service.create_team(g.org, form_data(form)), form)
        if saved:
            flash(_("Team %(n)s is toegevoegd.", n=saved.value.name), "success")
            return redirect(url_for("beheer.teams"))
    return render_template("beheer/team_form.html", form=form, team=None)


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
@requires("manage")
def team_edit(team_id):
    """Change a team."""
    team = get_or_404(Team, team_id)
    form = TeamForm(obj=team)
    form.parent_id.choices = _team_choices(exclude_id=team.id)
    form.manager_id.choices = _manager_choices()
    if form.validate_on_submit():
        if save(lambda: team_service.update_team(g.org, team, form_data(form)), form, record=team):
            flash(_("Team %(n)s is opgeslagen.", n=team.name), "success")
            return redirect(url_for("beheer.teams"))
    return render_template("beheer/team_form.html", form=form, team=team)


@bp.post("/teams/<int:team_id>/verwijderen")
@requires("manage")
def team_delete(team_id):
    """Soft-delete a team (restorable from the prullenbak)."""
    team = get_or_404(Team, team_id)
    if not save(lambda: team_service.delete_team(team)):
        return redirect(url_for("beheer.team_edit", team_id=team.id))
    flash(_("Team %(n)s is verwijderd. U kunt het terugzetten via de prullenbak.", n=team.name), "success")
    return redirect(url_for("beheer.teams"))


# --- employees -------------------------------------------------------------


@bp.get("/medewerkers")
@requires("manage")
def employees_index():
    """Employees, filterable by team and name."""
    stmt = scoped(Employee).order_by(Employee.name)
    team_id = arg_id("team")
    query = (request.args.get("q") or "").strip()
    if team_id:
        stmt = stmt.where(Employee.team_id == team_id)
    if query:
        stmt = stmt.where(Employee.name.ilike(f"%{query}%"))
    page = paginate(stmt, per_page=50)
    return render_template(
        "beheer/employees.html", page=page, teams=_team_choices()[1:], team_id=team_id, q=query
    )


@bp.route("/medewerkers/nieuw", methods=["GET", "POST"])
@requires("manage")
def employee_new():
    """Add an employee."""
    form = EmployeeForm()
    form.team_id.choices = _team_choices()
    if form.validate_on_submit():
        saved = save(lambda: employees.create_employee(g.org, form_data(form)), form)
        if saved:
            flash(_("%(n)s is toegevoegd.", n=saved.value.name), "success")
            return redirect(url_for("beheer.employees_index"))
    return render_template("beheer/employee_form.html", form=form, employee=None)


@bp.route("/medewerkers/<int:employee_id>", methods=["GET", "POST"])
@requires("manage")
def employee_edit(employee_id):
    """Change an employee."""
    employee = get_or_404(Employee, employee_id)
    form = EmployeeForm(obj=employee)
    form.team_id.choices = _team_choices()
    if form.validate_on_submit():
        if save(lambda: employees.update_employee(g.org, employee, form_data(form)), form, record=employee):
            flash(_("%(n)s is opgeslagen.", n=employee.name), "success")
            return redirect(url_for("beheer.employees_index"))
    return render_template("beheer/employee_form.html", form=form, employee=employee)


@bp.post("/medewerkers/<int:employee_id>/verwijderen")
@requires("manage")
def employee_delete(employee_id):
    """Soft-delete an employee."""
    employee = get_or_404(Employee, employee_id)
    soft_delete(employee)
    db.session.commit()
    flash(_("%(n)s is verwijderd. U kunt dit terugzetten via de prullenbak.", n=employee.name), "success")
    return redirect(url_for("beheer.employees_index"))


@bp.post("/medewerkers/<int:employee_id>/wissen")
@requires("manage")
def employee_erase(employee_id):
    """Erase an employee and their individual measures for good (AVG art. 17), audit content too."""
    from riecycle.services import erasure

    employee = get_or_404(Employee, employee_id, include_deleted=True)
    if erasure.is_erased(employee):
        flash(_("Deze medewerker is al gewist."), "error")
        return redirect(url_for("beheer.employees_index"))
    if request.form.get("bevestigd") != "wissen":
        flash(_("Bevestig het wissen: dit kan niet ongedaan worden gemaakt."), "error")
        return redirect(url_for("beheer.employee_edit", employee_id=employee.id))
    result = erasure.erase_employee(g.org, employee, current_user)
    db.session.commit()
    flash(
        _(
            "De medewerker en %(n)s individuele maatregelen zijn gewist (AVG). De audittrail toont: %(t)s.",
            n=result.measures,
            t=result.tombstone,
        ),
        "success",
    )
    return redirect(url_for("beheer.employees_index"))


@bp.route("/medewerkers/importeren", methods=["GET", "POST"])
@requires("manage")
def employees_import():
    """Bulk-add employees from CSV: every row valid, or nothing is added."""
    form = EmployeeCsvForm()
    errors = []
    if form.validate_on_submit():

        def work():
            rows = employees.parse_employee_csv(g.org, form.file.data.read())
            return employees.import_employees(g.org, rows)

        saved = save(work, form, errors="flash")
        errors = getattr(saved.error, "errors", [])
        if saved:
            count = saved.value
            flash(_("%(n)s medewerkers geïmporteerd.", n=count), "success")
            return redirect(url_for("beheer.employees_index"))
    status = 400 if errors or form.errors else 200
    return render_template("beheer/employees_import.html", form=form, errors=errors), status


# --- users -------------------------------------------------------------------


@bp.get("/gebruikers")
@requires("manage")
def users():
    """Users with access to this organisation and their roles, and pending invitations."""
    members = db.session.scalars(select(Membership).where(Membership.organisation_id == g.org.id)).all()
    members.sort(key=lambda m: m.user.name.lower())
    return render_template(
        "beheer/users.html",
        members=members,
        pending=invitations.pending_for(g.org),
        invite_form=InviteForm(),
        role_form=RoleForm(),
    )


def _flash_sent(invitation, sent: bool) -> None:
    if sent:
        flash(_("Uitnodiging verstuurd naar %(e)s.", e=invitation.email), "success")
    else:
        flash(
            _(
                "De uitnodiging voor %(e)s is vastgelegd, maar de e-mail kon niet worden verstuurd. "
                "Probeer het later opnieuw met 'Opnieuw versturen'.",
                e=invitation.email,
            ),
            "error",
        )


@bp.post("/gebruikers/uitnodigen")
@requires("manage")
def user_invite():
    """Invite someone by e-mail; they get access once they accept.

    The answer is the same whether or not the address has an account on the platform.
    """
    form = InviteForm()
    if not form.validate_on_submit():
        for field_errors in form.errors.values():
            for message in field_errors:
                flash(message, "error")
        return redirect(url_for("beheer.users"))
    try:
        invitation = invitations.invite(g.org, form.email.data, form.name.data, form.role.data, current_user)
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("beheer.users"))
    if invitation is None:
        flash(_("%(e)s heeft al toegang tot deze organisatie.", e=form.email.data.strip()), "error")
        return redirect(url_for("beheer.users"))
    db.session.commit()  # the invitation exists before any mail is tried
    sent = notifications_mail.deliver_invitation(invitation, current_user, current_user.locale)
    db.session.commit()
    _flash_sent(invitation, sent)
    return redirect(url_for("beheer.users"))


def _invitation_or_404(invitation_id: int) -> Invitation:
    invitation = get_or_404(Invitation, invitation_id)
    if invitation.accepted_at is not None:
        abort(404)
    return invitation


@bp.post("/gebruikers/uitnodigingen/<int:invitation_id>/opnieuw")
@requires("manage")
def invitation_resend(invitation_id):
    """Send a pending invitation again (a new link; older links stop working)."""
    invitation = _invitation_or_404(invitation_id)
    invitation.nonce = new_token()
    db.session.commit()
    sent = notifications_mail.deliver_invitation(invitation, current_user, current_user.locale)
    db.session.commit()
    _flash_sent(invitation, sent)
    return redirect(url_for("beheer.users"))


@bp.post("/gebruikers/uitnodigingen/<int:invitation_id>/intrekken")
@requires("manage")
def invitation_withdraw(invitation_id):
    """Withdraw a pending invitation."""
    invitation = _invitation_or_404(invitation_id)
    email = invitation.email
    invitations.withdraw(invitation)
    db.session.commit()
    flash(_("De uitnodiging voor %(e)s is ingetrokken.", e=email), "success")
    return redirect(url_for("beheer.users"))


@bp.post("/gebruikers/<int:membership_id>/rol")
@requires("manage")
def user_role(membership_id):
    """Change a member's role."""
    membership = _membership_or_404(membership_id)
    form = RoleForm()
    if form.validate_on_submit():
        if save(lambda: accounts.change_role(g.org, membership, form.role.data)):
            flash(_("De rol van %(n)s is gewijzigd.", n=membership.user.name), "success")
    else:
        flash(_("Kies een geldige rol."), "error")
    return redirect(url_for("beheer.users"))


@bp.post("/gebruikers/<int:membership_id>/verwijderen")
@requires("manage")
def user_remove(membership_id):
    """Withdraw a user's access to this organisation."""
    membership = _membership_or_404(membership_id)
    name = membership.user.name
    if save(lambda: accounts.remove_membership(g.org, membership)):
        flash(_("%(n)s heeft geen toegang meer tot deze organisatie.", n=name), "success")
    return redirect(url_for("beheer.users"))


@bp.post("/gebruikers/<int:membership_id>/tweestaps-reset")
@requires("manage")
def user_mfa_reset(membership_id):
    """Take away a member's second factor (a lost phone); they set it up again at their next login."""
    membership = _membership_or_404(membership_id)
    user = membership.user
    if user.id == current_user.id:
        flash(_("Uw eigen tweestapsverificatie wijzigt u op uw accountpagina, met een code."), "error")
    elif user.is_platform_admin and not current_user.is_platform_admin:
        flash(
            _("De tweestapsverificatie van een platformbeheerder kan alleen een platformbeheerder resetten."),
            "error",
        )
    elif save(lambda: mfa.reset(user, g.org.id), errors="flash"):
        flash(_("De tweestapsverificatie van %(n)s is gereset.", n=user.name), "success")
    return redirect(url_for("beheer.users"))


def _membership_or_404(membership_id: int) -> Membership:
    return get_or_404(Membership, membership_id)


# --- prullenbak ------------------------------------------------------------------

# The soft-deleted records a beheerder can restore: kind (in the URL) -> (model, Dutch title).
RESTORABLE = {
    "team": (Team, _l("Teams")),
    "medewerker": (Employee, _l("Medewerkers")),
    "risico": (Risk, _l("Risico's")),
    "maatregel": (Measure, _l("Maatregelen")),
    "document": (Attachment, _l("Documenten")),
    "catalogusmaatregel": (CatalogueEntry, _l("Eigen catalogusmaatregelen")),
    "beleidsinstrument": (PolicyInstrument, _l("Beleidsinstrumenten")),
    "aanstelling": (PreventiemedewerkerAppointment, _l("Aanstellingen preventiemedewerker")),
    "basiscontract": (ArbodienstContract, _l("Basiscontracten arbodienst")),
    "melding": (Incident, lazy_pgettext("incident", "Meldingen")),
    "voorlichting": (VoorlichtingSession, _l("Voorlichtingsbijeenkomsten")),
    "evaluatie": (Evaluation, _l("Evaluaties")),
}


@bp.get("/prullenbak")
@requires("manage")
def trash():
    """Soft-deleted records that a beheerder can restore."""
    groups = []
    for kind, (model, title) in RESTORABLE.items():
        items = db.session.scalars(
            scoped(model, include_deleted=True)
            .where(model.deleted_at.is_not(None))
            .order_by(model.deleted_at.desc())
            .limit(200)
        ).all()
        if items:
            groups.append((kind, title, items))
    return render_template("beheer/trash.html", groups=groups)


def _restore(obj) -> None:
    """A restored recorded evaluation makes its measure geëvalueerd again (services.evaluations)."""
    from riecycle.services import evaluations as evaluation_service

    if isinstance(obj, Evaluation):
        evaluation_service.restore_evaluation(obj, current_user)
    else:
        restore(obj)


@bp.post("/prullenbak/<kind>/<int:object_id>/terugzetten")
@requires("manage")
def trash_restore(kind, object_id):
    """Restore one soft-deleted record."""
    if kind not in RESTORABLE:
        return redirect(url_for("beheer.trash"))
    obj = get_or_404(RESTORABLE[kind][0], object_id, include_deleted=True)
    if save(lambda: _restore(obj)):
        flash(_("'%(l)s' is teruggezet.", l=obj.label), "success")
    return redirect(url_for("beheer.trash"))
