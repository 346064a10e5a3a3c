"""Section C of the checklist: voorlichting."""

from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from riecycle.extensions import db
from riecycle.models import (
    Attendance,
    VoorlichtingSession,
)
from riecycle.models.zelfinspectie import ChecklistAnswerValue
from riecycle.zelfinspectie_rules.core import (
    COVERAGE_OK,
    COVERAGE_PARTLY,
    EVIDENCE_MAX,
    INSTRUCTION_MONTHS,
    LIST_MAX,
    Count,
    Result,
    rule,
)
from riecycle.zelfinspectie_rules.helpers import (
    _edit,
    _fmt,
    _ids,
    _months_before,
    _n,
    _names,
    _page,
    _pct,
    session_ref,
)


def _session_window(org, since: date, today: date, *where) -> list:
    """The conditions for the organisation's live sessions after `since` up to today."""
    return [
        VoorlichtingSession.organisation_id == org.id,
        VoorlichtingSession.deleted_at.is_(None),
        VoorlichtingSession.session_date > since,
        VoorlichtingSession.session_date <= today,
        *where,
    ]


def _session_briefs(*where, limit: int = EVIDENCE_MAX) -> list:
    """The newest sessions matching: (id, topic, session_date), enough for a reference."""
    stmt = (
        select(VoorlichtingSession.id, VoorlichtingSession.topic, VoorlichtingSession.session_date)
        .where(*where)
        .order_by(VoorlichtingSession.session_date.desc(), VoorlichtingSession.id)
    )
    return list(db.session.execute(stmt.limit(limit)))


def _low_teams(org, today: date) -> list[str]:
    """'Team (40%)' for every team with staff below the coverage norm, by team name."""
    from riecycle.services import voorlichting

    return [
        f"{name} ({_pct(i, t)}%)"
        for name, i, t in voorlichting.team_coverage_counts(org, 12, today)
        if t and i / t < COVERAGE_OK
    ]


@rule("voorlichting_coverage")
def voorlichting_coverage(org, today: date) -> Result:
    from riecycle.services import voorlichting

    informed, total = voorlichting.coverage(org, months=12, on=today)
    fix = _edit(
        _("Voorlichting plannen"), "voorlichting.session_new", {}, "voorlichting.index", "edit_voorlichting"
    )
    evidence = [
        session_ref(s)
        for s in _session_briefs(*_session_window(org, _months_before(today, 12), today), limit=LIST_MAX)
    ]
    if not total:
        return Result(
            ChecklistAnswerValue.VOLDOET_NIET,
            _("Er zijn geen medewerkers geregistreerd, dus voorlichting is niet aan te tonen."),
            evidence,
            _page(_("Medewerkers"), "beheer.employees_index"),
        )
    share = informed / total
    answer = (
        ChecklistAnswerValue.VOLDOET
        if share >= COVERAGE_OK
        else ChecklistAnswerValue.DEELS
        if share >= COVERAGE_PARTLY
        else ChecklistAnswerValue.VOLDOET_NIET
    )
    sentence = _(
        "%(p)s%% van de medewerkers (%(i)s van %(t)s) kreeg voorlichting in de afgelopen 12 maanden",
        p=_pct(informed, total),
        i=_n(informed),
        t=_n(total),
    )
    low = _low_teams(org, today) if answer != ChecklistAnswerValue.VOLDOET_NIET else []
    if low:
        sentence += _("; laag bij %(list)s", list=_names(low))
    return Result(answer, sentence + ".", evidence, fix, counts=_staff_counts(org, today, 12, False))


def _staff_counts(org, today: date, months: int, leidinggevenden: bool) -> list:
    """The employees behind a coverage count: those informed and those not (names are shown only
    to who may see them, docs/domain.md §9)."""
    from riecycle.services import voorlichting

    yes, no = voorlichting.informed_staff_ids(org, months, today, leidinggevenden)
    if leidinggevenden:
        labels = (
            ngettext(
                "%(n)s leidinggevende geïnstrueerd",
                "%(n)s leidinggevenden geïnstrueerd",
                len(yes),
                n=_n(len(yes)),
            ),
            ngettext(
                "%(n)s leidinggevende niet geïnstrueerd",
                "%(n)s leidinggevenden niet geïnstrueerd",
                len(no),
                n=_n(len(no)),
            ),
        )
    else:
        labels = (
            ngettext(
                "%(n)s medewerker met voorlichting",
                "%(n)s medewerkers met voorlichting",
                len(yes),
                n=_n(len(yes)),
            ),
            ngettext(
                "%(n)s medewerker zonder voorlichting",
                "%(n)s medewerkers zonder voorlichting",
                len(no),
                n=_n(len(no)),
            ),
        )
    return [
        Count("geinformeerd", "employee", labels[0], tuple(yes)),
        Count("niet_geinformeerd", "employee", labels[1], tuple(no)),
    ]


@rule("leidinggevenden_instructed")
def leidinggevenden_instructed(org, today: date) -> Result:
    from riecycle.services import voorlichting

    done, total = voorlichting.leidinggevenden_instructed(org, months=INSTRUCTION_MONTHS, on=today)
    fix = _edit(
        _("Instructie leidinggevenden plannen"),
        "voorlichting.session_new",
        {},
        "voorlichting.index",
        "edit_voorlichting",
    )
    window = _session_window(
        org,
        _months_before(today, INSTRUCTION_MONTHS),
        today,
        VoorlichtingSession.is_leidinggevenden_instructie.is_(True),
    )
    evidence = [session_ref(s) for s in _session_briefs(*window, limit=LIST_MAX)]
    if not total:
        return Result(
            None,
            _(
                "Bij de medewerkers is niemand als leidinggevende gemarkeerd; markeer ze in Beheer of "
                "beantwoord dit item met de hand."
            ),
            evidence,
            _page(_("Medewerkers"), "beheer.employees_index"),
        )
    answer = (
        ChecklistAnswerValue.VOLDOET
        if done == total
        else ChecklistAnswerValue.DEELS
        if done * 2 >= total
        else ChecklistAnswerValue.VOLDOET_NIET
    )
    return Result(
        answer,
        ngettext(
            "%(d)s van %(t)s leidinggevenden (%(p)s%%) volgde in de afgelopen %(m)s maanden een "
            "instructie over signalen van werkstress en ongewenst gedrag.",
            "%(d)s van %(t)s leidinggevenden (%(p)s%%) volgden in de afgelopen %(m)s maanden een "
            "instructie over signalen van werkstress en ongewenst gedrag.",
            done,
            d=_n(done),
            t=_n(total),
            p=_pct(done, total),
            m=INSTRUCTION_MONTHS,
        ),
        evidence,
        fix,
        counts=_staff_counts(org, today, INSTRUCTION_MONTHS, True),
    )


def _unregistered(org):
    """No (live) attendance row for the session (NOT IN over an uncorrelated subquery, see _has_measure)."""
    return VoorlichtingSession.id.not_in(
        select(Attendance.session_id).where(
            Attendance.organisation_id == org.id,
            Attendance.deleted_at.is_(None),
            Attendance.session_id.is_not(None),
        )
    )


@rule("attendance_register")
def attendance_register(org, today: date) -> Result:
    window = _session_window(org, _months_before(today, 12), today)
    session_ids = _ids("session", *window)
    total = len(session_ids)
    fix = _page(_("Presentie registreren"), "voorlichting.index")
    counts = [
        Count(
            "sessies",
            "session",
            ngettext("%(n)s voorlichtingssessie", "%(n)s voorlichtingssessies", total, n=_n(total)),
            tuple(session_ids),
        )
    ]
    if not total:
        # Whether voorlichting was given at all is C13's question; without sessions there is no
        # register to keep.
        return Result(
            ChecklistAnswerValue.NVT,
            _(
                "Er zijn in de afgelopen 12 maanden geen voorlichtingssessies gehouden, dus er is geen "
                "presentielijst bij te houden."
            ),
            fix=fix,
        )
    missing_ids = _ids("session", *window, _unregistered(org))
    missing = len(missing_ids)
    if not missing:
        return Result(
            ChecklistAnswerValue.VOLDOET,
            ngettext(
                "Van de voorlichtingssessie van de afgelopen 12 maanden is de presentie geregistreerd.",
                "Van alle %(n)s voorlichtingssessies van de afgelopen 12 maanden is de presentie "
                "geregistreerd.",
                total,
                n=_n(total),
            ),
            [session_ref(s) for s in _session_briefs(*window, limit=LIST_MAX)],
            fix,
            counts=counts,
        )
    counts.append(
        Count(
            "zonder_presentie",
            "session",
            ngettext("%(n)s zonder presentie", "%(n)s zonder presentie", missing, n=_n(missing)),
            tuple(missing_ids),
        )
    )
    first = _session_briefs(*window, _unregistered(org))
    answer = ChecklistAnswerValue.VOLDOET_NIET if missing == total else ChecklistAnswerValue.DEELS
    fix = _edit(
        _("Presentie registreren"),
        "voorlichting.register",
        {"session_id": first[0].id},
        "voorlichting.index",
        "edit_voorlichting",
    )
    return Result(
        answer,
        _(
            "Van %(m)s van %(n)s gehouden voorlichtingssessies in de afgelopen 12 maanden is geen "
            "presentie geregistreerd: %(list)s.",
            m=_n(missing),
            n=_n(total),
            list=_names([f"{s.topic} ({_fmt(s.session_date)})" for s in first], missing),
        ),
        [session_ref(s) for s in first],
        fix,
        missing,
        counts=counts,
    )
