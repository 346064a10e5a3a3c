"""Policy: the PSA policy register (instruments, preventiemedewerker, arbodienst) and the incident log.

Blueprint "beleid" (URLs /o/<org>/beleid/...), templates in templates/beleid/.
"""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from riecycle import clock
from riecycle.extensions import db
from riecycle.forms.policy import AnalysisForm, AppointmentForm, ContractForm, IncidentForm, InstrumentForm
from riecycle.inputs import arg_id
from riecycle.models import (
    ArbodienstContract,
    Incident,
    Measure,
    Membership,
    PolicyInstrument,
    PreventiemedewerkerAppointment,
    Team,
    VoorlichtingSession,
)
from riecycle.models.measure import MeasureStatus
from riecycle.models.policy import INSTRUMENT_KINDS
from riecycle.pagination import paginate
from riecycle.permissions import can, can_see_employee, requires
from riecycle.services import attachments, policy
from riecycle.services import incidents as incident_service
from riecycle.services.records import soft_delete
from riecycle.services.zelfinspectie import ref_url
from riecycle.tenancy import get_or_404, scoped
from riecycle.views.common import form_data, pending_upload, save
from riecycle.views.orgbp import org_blueprint
from riecycle.zelfinspectie_rules import measure_label

bp = org_blueprint("beleid", __name__, "beleid")

DOCUMENT_OWNER = "policy_instrument"
CONTRACT_OWNER = "arbodienst_contract"


@bp.context_processor
def _helpers():
    return {"ref_url": lambda ref: ref_url(ref, can), "kinds": policy.kinds(), "kind_name": policy.kind_name}


def _status(form) -> int:
    return 400 if form.errors else 200


# --- the register ----------------------------------------------------------------------------


@bp.get("/")
@requires("view")
def index():
    """The policy register: every instrument per kind and the preventiemedewerker."""
    grouped = policy.instruments(g.org)
    documents = {i.id: attachments.for_owner(DOCUMENT_OWNER, i.id) for rows in grouped.values() for i in rows}
    return render_template(
        "beleid/index.html",
        grouped=grouped,
        documents=documents,
        appointments=policy.appointments(g.org),
        contracts=(contracts := policy.contracts(g.org)),
        contract_documents={c.id: attachments.for_owner(CONTRACT_OWNER, c.id) for c in contracts},
        today=clock.today(),
    )


def _session_choices():
    sessions = db.session.scalars(
        scoped(VoorlichtingSession).order_by(VoorlichtingSession.session_date.desc()).limit(200)
    )
    return [(s.id, f"{s.session_date.strftime('%d-%m-%Y')} · {s.topic}") for s in sessions]


def _save_instrument(form, instrument, kind):
    """Validate the upload, save the instrument and store the document; raises ServiceError."""
    upload = pending_upload(form.document)
    data = form_data(form, "document")
    if instrument is None:
        instrument = policy.create_instrument(g.org, kind, data)
    else:
        policy.update_instrument(g.org, instrument, data)
    if upload is not None:
        attachments.store(g.org, DOCUMENT_OWNER, instrument.id, upload[0], upload[1], current_user)
    return instrument


def _instrument_form(instrument, kind):
    form = InstrumentForm(obj=instrument)
    form.session_ids.choices = _session_choices()
    if kind == "vertrouwenspersoon":
        form.adopted_on.label.text = _("Aangesteld op")
    if request.method == "GET":
        form.session_ids.data = [s.id for s in instrument.sessions] if instrument else []
        if instrument is None:
            form.name.data = policy.kind_name(kind)
    if form.is_submitted() and kind != "vertrouwenspersoon":
        form.vp_kind.data = None
    return form


@bp.route("/instrumenten/nieuw", methods=["GET", "POST"])
@requires("edit_zelfinspectie")
def instrument_new():
    """Add an instrument of one kind (gedragscode, vertrouwenspersoon, ...)."""
    kind = request.args.get("kind")
    if kind not in INSTRUMENT_KINDS:
        kind = "gedragscode"
    form = _instrument_form(None, kind)
    if form.validate_on_submit():
        saved = save(lambda: _save_instrument(form, None, kind), form)
        if saved:
            flash(_("%(k)s is vastgelegd.", k=policy.kind_name(kind)), "success")
            return redirect(url_for("beleid.index", _anchor=f"instrument-{saved.value.id}"))
    return render_template(
        "beleid/instrument_form.html", form=form, instrument=None, kind=kind, documents=[]
    ), _status(form)


@bp.route("/instrumenten/<int:instrument_id>", methods=["GET", "POST"])
@requires("edit_zelfinspectie")
def instrument_edit(instrument_id):
    """Change an instrument: status, adoption, how it was made known, documents."""
    instrument = get_or_404(PolicyInstrument, instrument_id)
    form = _instrument_form(instrument, instrument.kind)
    if form.validate_on_submit():
        if save(lambda: _save_instrument(form, instrument, instrument.kind), form, record=instrument):
            flash(_("%(k)s is opgeslagen.", k=policy.kind_name(instrument.kind)), "success")
            return redirect(url_for("beleid.index", _anchor=f"instrument-{instrument.id}"))
    return render_template(
        "beleid/instrument_form.html",
        form=form,
        instrument=instrument,
        kind=instrument.kind,
        documents=attachments.for_owner(DOCUMENT_OWNER, instrument.id),
    ), _status(form)


@bp.post("/instrumenten/<int:instrument_id>/verwijderen")
@requires("edit_zelfinspectie")
def instrument_delete(instrument_id):
    """Soft-delete an instrument (restorable from the prullenbak)."""
    instrument = get_or_404(PolicyInstrument, instrument_id)
    soft_delete(instrument)
    db.session.commit()
    flash(_("'%(n)s' is verwijderd. U kunt het terugzetten via de prullenbak.", n=instrument.name), "success")
    return redirect(url_for("beleid.index"))


# --- preventiemedewerker ---------------------------------------------------------------------


def _user_choices():
    members = db.session.scalars(select(Membership).where(Membership.organisation_id == g.org.id)).all()
    users = sorted((m.user for m in members), key=lambda u: u.name.lower())
    return [(None, _("— geen gebruiker —"))] + [(u.id, u.name) for u in users]


def _save_appointment(form, appointment):
    data = form_data(form, "document")
    if appointment is None:
        return policy.create_appointment(g.org, data)
    policy.update_appointment(g.org, appointment, data)
    return appointment


def _appointment_view(appointment):
    form = AppointmentForm(obj=appointment)
    form.user_id.choices = _user_choices()
    if form.validate_on_submit():
        if save(lambda: _save_appointment(form, appointment), form, record=appointment):
            flash(_("De aanstelling van de preventiemedewerker is opgeslagen."), "success")
            return redirect(url_for("beleid.index", _anchor="preventiemedewerker"))
    return render_template("beleid/appointment_form.html", form=form, appointment=appointment), _status(form)


@bp.route("/preventiemedewerker/nieuw", methods=["GET", "POST"])
@requires("edit_zelfinspectie")
def appointment_new():
    """Record the preventiemedewerker: who, since when, OR/PVT instemming."""
    return _appointment_view(None)


@bp.route("/preventiemedewerker/<int:appointment_id>", methods=["GET", "POST"])
@requires("edit_zelfinspectie")
def appointment_edit(appointment_id):
    """Change the appointment (for example: record the instemming, or an end date)."""
    return _appointment_view(get_or_404(PreventiemedewerkerAppointment, appointment_id))


@bp.post("/preventiemedewerker/<int:appointment_id>/verwijderen")
@requires("edit_zelfinspectie")
def appointment_delete(appointment_id):
    """Soft-delete an appointment recorded by mistake."""
    appointment = get_or_404(PreventiemedewerkerAppointment, appointment_id)
    soft_delete(appointment)
    db.session.commit()
    flash(_("De aanstelling is verwijderd. U kunt die terugzetten via de prullenbak."), "success")
    return redirect(url_for("beleid.index", _anchor="preventiemedewerker"))


# --- arbodienst basiscontract ------------------------------------------------------------------


def _save_contract(form, contract):
    """Validate the upload, save the contract and store its document; raises ServiceError."""
    upload = pending_upload(form.document)
    data = form_data(form, "document")
    if contract is None:
        contract = policy.create_contract(g.org, data)
    else:
        policy.update_contract(contract, data)
    if upload is not None:
        attachments.store(g.org, CONTRACT_OWNER, contract.id, upload[0], upload[1], current_user)
    return contract


def _contract_view(contract):
    form = ContractForm(obj=contract)
    if form.validate_on_submit():
        if save(lambda: _save_contract(form, contract), form, record=contract):
            flash(_("Het basiscontract is opgeslagen."), "success")
            return redirect(url_for("beleid.index", _anchor="arbodienst"))
    documents = attachments.for_owner(CONTRACT_OWNER, contract.id) if contract else []
    return render_template(
        "beleid/contract_form.html", form=form, contract=contract, documents=documents
    ), _status(form)


@bp.route("/arbodienst/nieuw", methods=["GET", "POST"])
@requires("edit_zelfinspectie")
def contract_new():
    """Record the basiscontract with an arbodienst or bedrijfsarts: who, since when, the document."""
    return _contract_view(None)


@bp.route("/arbodienst/<int:contract_id>", methods=["GET", "POST"])
@requires("edit_zelfinspectie")
def contract_edit(contract_id):
    """Change the basiscontract, or add its document."""
    return _contract_view(get_or_404(ArbodienstContract, contract_id))


@bp.post("/arbodienst/<int:contract_id>/verwijderen")
@requires("edit_zelfinspectie")
def contract_delete(contract_id):
    """Soft-delete a basiscontract recorded by mistake."""
    contract = get_or_404(ArbodienstContract, contract_id)
    soft_delete(contract)
    db.session.commit()
    flash(_("Het basiscontract is verwijderd. U kunt het terugzetten via de prullenbak."), "success")
    return redirect(url_for("beleid.index", _anchor="arbodienst"))


# --- incidents -------------------------------------------------------------------------------


def _teams():
    return db.session.scalars(scoped(Team).order_by(Team.name)).all()


@bp.get("/meldingen")
@requires("view")
def incidents():
    """The incident log: counts and trend per theme per quarter, and the meldingen."""
    stmt = scoped(Incident).order_by(Incident.occurred_on.desc(), Incident.id.desc())
    theme = request.args.get("thema") or None
    team_id = arg_id("team")
    if theme:
        stmt = stmt.where(Incident.theme_key == theme)
    if team_id:
        stmt = stmt.where(Incident.team_id == team_id)
    trend = incident_service.trend(g.org, team_id=team_id)
    return render_template(
        "beleid/incidents.html",
        page=paginate(stmt, 25),
        trend=trend,
        teams=_teams(),
        themes=incident_service.incident_themes(),
        analyses=incident_service.analyses(g.org),
        can_see_employee=can_see_employee,
        args=request.args,
        measure_label=measure_label,
    )


def _incident_form(incident):
    form = IncidentForm(obj=incident)
    form.theme_key.choices = [(t.key, t.local_name) for t in incident_service.incident_themes()]
    form.team_id.choices = [(None, _("— geen team —"))] + [(t.id, t.name) for t in _teams()]
    measures = db.session.scalars(
        scoped(Measure).where(Measure.status != MeasureStatus.VERVALLEN).order_by(Measure.title)
    )
    form.measure_id.choices = [(None, _("— geen —"))] + [(m.id, measure_label(m)) for m in measures]
    if request.method == "GET" and incident is None:
        form.occurred_on.data = clock.today()
    return form


def _incident_view(incident):
    form = _incident_form(incident)
    if form.validate_on_submit():

        def work():
            if incident is None:
                return incident_service.create_incident(g.org, form_data(form, "document"))
            return incident_service.update_incident(g.org, incident, form_data(form, "document"))

        if save(work, form, record=incident):
            flash(_("De melding is opgeslagen."), "success")
            return redirect(url_for("beleid.incidents"))
    return render_template("beleid/incident_form.html", form=form, incident=incident), _status(form)


@bp.route("/meldingen/nieuw", methods=["GET", "POST"])
@requires("edit_zelfinspectie")
def incident_new():
    """Register a melding of ongewenst gedrag or aggression, without names."""
    return _incident_view(None)


@bp.route("/meldingen/<int:incident_id>", methods=["GET", "POST"])
@requires("edit_zelfinspectie")
def incident_edit(incident_id):
    """Change a melding: opvang, nazorg, the linked maatregel."""
    return _incident_view(get_or_404(Incident, incident_id))


@bp.post("/meldingen/<int:incident_id>/verwijderen")
@requires("edit_zelfinspectie")
def incident_delete(incident_id):
    """Soft-delete a melding registered by mistake."""
    incident = get_or_404(Incident, incident_id)
    soft_delete(incident)
    db.session.commit()
    flash(_("De melding is verwijderd. U kunt die terugzetten via de prullenbak."), "success")
    return redirect(url_for("beleid.incidents"))


@bp.route("/meldingen/analyse/nieuw", methods=["GET", "POST"])
@requires("edit_zelfinspectie")
def analysis_new():
    """Record a periodic analysis of the meldingen (self-inspection item 20)."""
    form = AnalysisForm()
    if request.method == "GET":
        today = clock.today()
        form.analysed_on.data, form.period_end.data = today, today
        form.period_start.data = (
            today.replace(year=today.year - 1)
            if not (today.month == 2 and today.day == 29)
            else today.replace(year=today.year - 1, day=28)
        )
    if form.validate_on_submit():
        if save(lambda: incident_service.create_analysis(g.org, form_data(form, "document")), form):
            flash(_("De analyse van de meldingen is vastgelegd."), "success")
            return redirect(url_for("beleid.incidents"))
    trend = incident_service.trend(g.org)
    return render_template("beleid/analysis_form.html", form=form, trend=trend), _status(form)
