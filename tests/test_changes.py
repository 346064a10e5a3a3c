"""The change counter per organisation (riecycle/changes.py): every kind of change raises it."""

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import String, inspect, select
from sqlalchemy.orm.attributes import flag_modified

from riecycle import changes, clock, completion, risk_levels
from riecycle.extensions import db
from riecycle.models import Measure, Notification, Team, User
from riecycle.models.base import Base
from riecycle.models.organisation import organisation_changes
from riecycle.services import pulse as pulse_service
from riecycle.services import reminders
from tests.conftest import csrf_token_from
from tests.factories import build_compliant_org, make_measure, make_survey, run_round, same

# Records whose rows the database itself refuses to change (append-only by trigger).
APPEND_ONLY = {
    "AuditEntry": "the audit trail: triggers refuse UPDATE and DELETE",
    "ChecklistRun": "a stored self-inspection is a snapshot: the model refuses UPDATE and DELETE",
}


def counter(org_id) -> int:
    db.session.rollback()  # a fresh snapshot: what is committed
    return changes.counter(org_id)


def raised(org_id, change) -> bool:
    before = counter(org_id)
    change()
    db.session.commit()
    return counter(org_id) > before


def _org_of(obj) -> int:
    """The organisation of a sample record (children through their parent)."""
    if hasattr(obj, "organisation_id"):
        return obj.organisation_id
    from riecycle.models import Evaluation, PulseResponse

    if isinstance(obj, User):
        return obj.memberships[0].organisation_id
    if hasattr(obj, "evaluation_id"):
        return db.session.get(Evaluation, obj.evaluation_id).organisation_id
    return db.session.get(PulseResponse, obj.response_id).organisation_id


def _unique_columns(table) -> set[str]:
    names = {c.name for c in table.columns if c.unique}
    for constraint in table.constraints:
        if constraint.__class__.__name__ == "UniqueConstraint":
            names |= {c.name for c in constraint.columns}
    for index in table.indexes:
        if index.unique:
            names |= {c.name for c in index.columns}
    return names


def _unique_without_text(model) -> bool:
    """A unique constraint a suffix cannot satisfy (only ids and numbers in it)."""
    table = inspect(model).local_table
    if len(table.primary_key.columns) > 1:
        return True
    groups = [c.columns for c in table.constraints if c.__class__.__name__ == "UniqueConstraint"]
    groups += [i.columns for i in table.indexes if i.unique]
    groups += [[c] for c in table.columns if c.unique]
    return any(not any(isinstance(c.type, String) or c.name == "number" for c in group) for group in groups)


def _clone(obj):
    """A new record with the sample's values; unique text gets a suffix, numbers are allocated anew."""
    model = type(obj)
    mapper = inspect(model)
    unique = _unique_columns(mapper.local_table)
    values = {}
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        single_key = len(mapper.local_table.primary_key.columns) == 1
        if column.primary_key and single_key and not isinstance(column.type, String):
            continue
        value = getattr(obj, attr.key)
        if (column.primary_key and single_key) or (column.name in unique and isinstance(column.type, String)):
            value = f"{secrets.token_hex(4)}{value or ''}"[: column.type.length or 64]
        elif column.name in unique and attr.key == "number":  # risks and measures get theirs in the flush
            value = None if model.__name__ in ("Risk", "Measure") else value + 1000
        elif attr.key == "version_id":
            value = 1
        values[attr.key] = value
    return model(**values)


def _records_no_builder_makes(world) -> None:
    """The few kinds build_compliant_org leaves out, as plain records."""
    from riecycle.models import (
        Attachment,
        CatalogueEntry,
        ChecklistAnswer,
        ChecklistRun,
        Invitation,
        MeasureNote,
        MeasureScore,
        PlanComment,
        PlanVersion,
        ReportCopy,
        Risk,
        RiskEvaluation,
        SsoConfig,
        SsoDomain,
        WegwijzerCheck,
    )

    org, today = world.org.id, clock.today()
    measure = db.session.scalars(select(Measure).where(Measure.organisation_id == org)).first()
    risk = db.session.scalars(select(Risk).where(Risk.organisation_id == org)).first()
    version = db.session.scalars(select(PlanVersion).where(PlanVersion.organisation_id == org)).first()
    db.session.add_all(
        [
            RiskEvaluation(
                organisation_id=org,
                risk_id=risk.id,
                method="kinney",
                kans=3,
                effect=3,
                score=9,
                priority="laag",
            ),
            MeasureScore(organisation_id=org, measure_id=measure.id),
            MeasureNote(organisation_id=org, measure_id=measure.id, noted_on=today, text="Notitie"),
            ChecklistRun(organisation_id=org, run_on=today),
            ChecklistAnswer(
                organisation_id=org, item_id="X1", answer="voldoet", justification="Ja", answered_on=today
            ),
            CatalogueEntry(
                organisation_id=org, title="Eigen", description="Tekst", level="team", approach="bronaanpak"
            ),
            Invitation(organisation_id=org, email="nieuw@acme.example", name="Nieuw", role="auditor"),
            PlanComment(organisation_id=org, plan_version_id=version.id, text="Opmerking"),
            WegwijzerCheck(organisation_id=org, question_key="vraag"),
            ReportCopy(
                organisation_id=org, format="pdf", audience="inspectie", report_date=today, filename="r.pdf"
            ),
            SsoConfig(organisation_id=org, issuer="https://login.example", client_id="riecycle"),
            SsoDomain(organisation_id=org, domain="acme.example"),
            Attachment(
                organisation_id=org,
                owner_type="measure",
                owner_id=measure.id,
                filename="a.pdf",
                content_type="application/pdf",
                size=1,
                sha256="0" * 64,
                data=b"x",
            ),
        ]
    )


def _touch(obj, column) -> None:
    """An UPDATE of the record that changes no value: the counter cannot tell, so it must count it."""
    getattr(obj, column)  # loaded, so it can be flagged
    flag_modified(obj, column)


def _samples(world) -> dict:
    """One record of every model, in world.org (built through the services where there is one)."""
    build_compliant_org(world)
    survey = make_survey(world)
    run_round(survey, clock.today() - timedelta(days=40), {world.teams["Zorgteam Noord"].id: same(4, 3)})
    pulse_service.open_round(survey, clock.today())  # open: its tokens are kept
    _claim_reminder(world)
    _records_no_builder_makes(world)
    db.session.commit()
    found = {}
    for mapper in Base.registry.mappers:
        model = mapper.class_
        stmt = select(model)
        if "organisation_id" in mapper.columns:
            stmt = stmt.where(model.organisation_id == world.org.id)
        elif model.__name__ == "Organisation":
            stmt = stmt.where(model.id == world.org.id)
        obj = db.session.scalars(stmt.limit(1)).first()
        if obj is not None:
            found[model.__name__] = obj
    return found


def test_every_model_is_counted_or_listed_with_its_reason():
    names = {m.class_.__name__ for m in Base.registry.mappers}
    assert set(changes.NOT_COUNTED) <= names
    assert all(reason.strip() for reason in changes.NOT_COUNTED.values())


def test_every_insert_update_and_delete_of_every_model_raises_its_organisations_counter(world):
    samples = _samples(world)
    counted = sorted(
        m.class_.__name__ for m in Base.registry.mappers if m.class_.__name__ not in changes.NOT_COUNTED
    )
    missing = [name for name in counted if name not in samples and name not in ("User", "Theme", "Factor")]
    assert not missing, f"no sample record for {missing}"
    failures = []
    for name in counted:
        obj = samples.get(name)
        if obj is None:
            continue
        shared = name in ("Organisation", "Theme", "Factor")  # the PSA taxonomy counts for everyone
        org_id = world.org.id if shared else _org_of(obj)
        column = next(
            a.key
            for a in inspect(type(obj)).column_attrs
            if not a.columns[0].primary_key and a.key not in ("version_id", "organisation_id")
        )
        if name not in APPEND_ONLY and not raised(org_id, lambda: _touch(obj, column)):
            failures.append(f"{name}: update")
        if name in ("Organisation", "User"):
            # A new organisation is another organisation (see below); a user enters and leaves an
            # organisation's data through a Membership, which counts.
            continue
        copy = _clone(obj)
        if _unique_without_text(type(obj)):
            # A copy would clash with the sample: delete the sample, then insert it again.
            if not raised(org_id, lambda: db.session.delete(obj)):
                failures.append(f"{name}: delete")
            if not raised(org_id, lambda: db.session.add(copy)):
                failures.append(f"{name}: insert")
            continue
        if not raised(org_id, lambda: db.session.add(copy)):
            failures.append(f"{name}: insert")
        if name not in APPEND_ONLY and not raised(org_id, lambda: db.session.delete(copy)):
            failures.append(f"{name}: delete")
    assert not failures, failures


def test_a_new_organisation_starts_counting_at_its_first_commit(world):
    from riecycle.services import organisations

    org = organisations.create_organisation("nieuw", "Nieuwe Organisatie")
    db.session.commit()
    assert counter(org.id) >= 1
    assert raised(org.id, lambda: setattr(org, "name", "Nieuwe Naam"))


def test_other_organisations_keep_their_counter(world):
    measure = make_measure(world)
    db.session.commit()
    other = counter(world.other_org.id)
    assert raised(world.org.id, lambda: setattr(measure, "title", "Andere titel"))
    assert counter(world.other_org.id) == other


def test_changing_only_an_association_raises_it(world):
    measure = make_measure(world)
    db.session.commit()
    team = world.teams["Zorgteam Zuid"]
    assert raised(world.org.id, lambda: measure.teams.append(team))
    assert raised(world.org.id, lambda: measure.teams.remove(team))


def test_a_user_renaming_themselves_raises_every_organisation_they_belong_to(world):
    user = world.users["preventiemedewerker"]
    assert raised(world.org.id, lambda: setattr(user, "name", "Nieuwe Naam"))
    before = counter(world.org.id)
    db.session.get(User, user.id).last_login_at = clock.now()  # shows nowhere: no cache miss
    db.session.commit()
    assert counter(world.org.id) == before


def test_pulse_answers_and_the_token_claim_raise_it(world):
    survey = make_survey(world)
    pulse_round, issued = pulse_service.open_round(survey, clock.today())
    db.session.commit()
    answers = dict.fromkeys(pulse_round.item_keys, "3")
    assert raised(world.org.id, lambda: pulse_service.submit_answers(issued[0].raw, answers))


@pytest.mark.parametrize("which", ["risk_levels", "completion"])
def test_the_recounts_raise_it(world, which):
    module = {"risk_levels": risk_levels, "completion": completion}[which]
    assert raised(world.org.id, lambda: module.recount_organisation(db.session, world.org.id))
    other = counter(world.other_org.id)
    assert raised(world.org.id, lambda: module.recount_organisation(db.session, None))
    assert counter(world.other_org.id) > other


def test_freezing_a_pulse_round_and_purging_its_tokens_raise_it(world):
    survey = make_survey(world)
    pulse_round, _issued = run_round(
        survey, clock.today() - timedelta(days=40), {world.teams["Zorgteam Noord"].id: same(4, 3)}
    )
    assert raised(world.org.id, lambda: pulse_service.purge_tokens(clock.today()))
    assert raised(world.org.id, lambda: pulse_service.freeze_results(pulse_round, clock.today()))


def _claim_reminder(world, object_id=1):
    """A reminder claimed the way the reminder pass claims it: a ledger row and its notification."""
    user = world.users["beheerder"]
    row = {
        "organisation_id": world.org.id,
        "rule": "measure_due",
        "object_type": "measure",
        "object_id": object_id,
        "due_date": clock.today(),
        "recipient_key": f"u{user.id}",
        "recipient_user_id": user.id,
        "recipient_email": user.email,
        "channel": "app",
        "subject": "Herinnering",
        "body": "Tekst",
    }
    notification = {
        "organisation_id": world.org.id,
        "user_id": user.id,
        "rule": "measure_due",
        "title": "Herinnering",
    }
    return reminders.claim(reminders.Claim(row, notification, []))


def test_a_reminder_claim_with_its_notification_and_marking_all_read_raise_it(world, client_as):
    assert raised(world.org.id, lambda: _claim_reminder(world, object_id=2))
    before = counter(world.org.id)
    client = client_as("beheerder")
    page = client.get("/meldingen/")
    assert page.status_code == 200
    client.post("/meldingen/alles-gelezen", data={"csrf_token": csrf_token_from(page.text)})
    assert db.session.scalars(select(Notification.read_at)).first() is not None
    assert counter(world.org.id) > before


def test_a_rolled_back_change_is_not_pending_afterwards(world):
    measure = make_measure(world)
    db.session.commit()
    measure.title = "Wordt teruggedraaid"
    db.session.flush()
    assert world.org.id in changes.pending(db.session)
    db.session.rollback()
    assert world.org.id not in changes.pending(db.session)


def test_counter_rows_are_made_for_organisations_a_bulk_insert_created(world):
    db.session.execute(
        organisation_changes.delete().where(organisation_changes.c.organisation_id == world.org.id)
    )
    db.session.commit()
    assert counter(world.org.id) == 0
    team = db.session.get(Team, world.teams["Zorgteam Noord"].id)
    assert raised(world.org.id, lambda: setattr(team, "name", "Hernoemd"))
    assert raised(world.org.id, lambda: setattr(team, "name", "Nog eens"))
