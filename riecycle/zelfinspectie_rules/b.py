"""Section B of the checklist: the Plan van Aanpak."""

from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import or_, select

from riecycle.extensions import db
from riecycle.models import (
    Measure,
    Membership,
    Risk,
    User,
)
from riecycle.models.approval import ApprovalDecision
from riecycle.models.measure import OPEN_STATUSES, MeasureApproach, MeasureLevel, MeasureStatus, measure_risks
from riecycle.models.rie import RiskScope
from riecycle.models.zelfinspectie import ChecklistAnswerValue
from riecycle.zelfinspectie_rules.core import (
    EVIDENCE_MAX,
    LIST_MAX,
    OVERDUE_OK,
    OVERDUE_PARTLY,
    Count,
    Ref,
    Result,
    rule,
)
from riecycle.zelfinspectie_rules.helpers import (
    _all,
    _brief_label,
    _brief_ref,
    _count,
    _describe_approval,
    _edit,
    _fmt,
    _ids,
    _latest_decided,
    _live,
    _live_risks,
    _measure_briefs,
    _n,
    _names,
    _page,
    _pct,
    _risk_briefs,
    risk_ref,
)


def _active(org) -> list:
    """The conditions for the organisation's live measures that have not been cancelled."""
    return [
        Measure.organisation_id == org.id,
        Measure.deleted_at.is_(None),
        Measure.status != MeasureStatus.VERVALLEN,
    ]


def _has_measure(org, *where):
    """The risk has an active measure (matching `where`).

    IN over an uncorrelated subquery, so the database builds the set of ids once; a correlated
    EXISTS here made SQLite without planner statistics scan every measure for every risk.
    """
    return Risk.id.in_(
        select(measure_risks.c.risk_id)
        .join(Measure, Measure.id == measure_risks.c.measure_id)
        .where(*_active(org), *where)
    )


def _plan_fix(label: str) -> Ref:
    return _page(label, "plan.index")


def _plan_evidence() -> list:
    """The plan as a whole as the evidence."""
    return [_page(_("Plan van Aanpak"), "plan.index")]


@rule("every_risk_has_measure")
def every_risk_has_measure(org, today: date) -> Result:
    risk_ids = _ids("risk", *_live_risks(org))
    total = len(risk_ids)
    counts = [
        Count(
            "risicos",
            "risk",
            ngettext("%(n)s PSA-risico", "%(n)s PSA-risico's", total, n=_n(total)),
            tuple(risk_ids),
        )
    ]
    fix = _plan_fix(_("Maatregelen toevoegen"))
    if not total:
        return Result(
            ChecklistAnswerValue.VOLDOET_NIET,
            _("Er zijn nog geen PSA-risico's vastgelegd, dus ook geen maatregelen."),
            [_page(_("RI&E"), "rie.index")],
            fix,
        )
    without = _live_risks(org, ~_has_measure(org))
    missing_ids = _ids("risk", *without)
    missing = len(missing_ids)
    if not missing:
        return Result(
            ChecklistAnswerValue.VOLDOET,
            ngettext(
                "Het PSA-risico heeft minstens één maatregel.",
                "Alle %(n)s PSA-risico's hebben minstens één maatregel.",
                total,
                n=_n(total),
            ),
            _plan_evidence(),
            fix,
            counts=counts,
        )
    counts.append(
        Count(
            "zonder_maatregel",
            "risk",
            ngettext("%(n)s zonder maatregel", "%(n)s zonder maatregel", missing, n=_n(missing)),
            tuple(missing_ids),
        )
    )
    first = _risk_briefs(*without)
    answer = ChecklistAnswerValue.VOLDOET_NIET if missing == total else ChecklistAnswerValue.DEELS
    fix = _edit(_("Maatregel toevoegen"), "plan.new", {"risico": first[0].id}, "plan.index", "edit_plan")
    return Result(
        answer,
        ngettext(
            "%(m)s van %(n)s PSA-risico's heeft geen maatregel: %(list)s.",
            "%(m)s van %(n)s PSA-risico's hebben geen maatregel: %(list)s.",
            missing,
            m=_n(missing),
            n=_n(total),
            list=_names([r.title for r in first], missing),
        ),
        [risk_ref(r) for r in first],
        fix,
        missing,
        _page(_("Maatregelen per risico"), "plan.hierarchy"),
        counts,
    )


def _without_owner(org) -> list:
    """Active measures without a termijn or whose responsible is not an active member any more."""
    members = (
        select(Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id == org.id, User.active.is_(True))
    )
    return [
        *_active(org),
        or_(
            Measure.responsible_id.is_(None),
            Measure.responsible_id.not_in(members),
            Measure.termijn.is_(None),
        ),
    ]


@rule("measures_have_owner_and_termijn")
def measures_have_owner_and_termijn(org, today: date) -> Result:
    active_ids = _ids("measure", *_active(org))
    total = len(active_ids)
    counts = [
        Count(
            "maatregelen",
            "measure",
            ngettext("%(n)s maatregel", "%(n)s maatregelen", total, n=_n(total)),
            tuple(active_ids),
        )
    ]
    fix = _plan_fix(_("Verantwoordelijke en termijn invullen"))
    if not total:
        return Result(
            ChecklistAnswerValue.VOLDOET_NIET,
            _("Er zijn nog geen maatregelen in het Plan van Aanpak."),
            fix=fix,
        )
    lacking_ids = _ids("measure", *_without_owner(org))
    lacking = len(lacking_ids)
    if not lacking:
        return Result(
            ChecklistAnswerValue.VOLDOET,
            ngettext(
                "De maatregel heeft een verantwoordelijke en een termijn.",
                "Alle %(n)s maatregelen hebben een verantwoordelijke en een termijn.",
                total,
                n=_n(total),
            ),
            _plan_evidence(),
            fix,
            counts=counts,
        )
    counts.append(
        Count(
            "zonder_eigenaar",
            "measure",
            ngettext(
                "%(n)s zonder termijn of actieve verantwoordelijke",
                "%(n)s zonder termijn of actieve verantwoordelijke",
                lacking,
                n=_n(lacking),
            ),
            tuple(lacking_ids),
        )
    )
    first = _measure_briefs(*_without_owner(org))
    return Result(
        ChecklistAnswerValue.DEELS if lacking < total else ChecklistAnswerValue.VOLDOET_NIET,
        ngettext(
            "%(m)s van %(n)s maatregelen heeft geen termijn of een verantwoordelijke die geen actieve "
            "gebruiker van de organisatie meer is: %(list)s.",
            "%(m)s van %(n)s maatregelen hebben geen termijn of een verantwoordelijke die geen actieve "
            "gebruiker van de organisatie meer is: %(list)s.",
            lacking,
            m=_n(lacking),
            n=_n(total),
            list=_names([_brief_label(m) for m in first], lacking),
        ),
        [_brief_ref(m) for m in first],
        fix,
        lacking,
        _page(_("Maatregelen per verantwoordelijke"), "plan.index", groep="verantwoordelijke"),
        counts,
    )


def _level_ids(org) -> dict:
    """Ids of the active measures per level (every level in the data, not only the three known ones)."""
    found: dict = {}
    for measure_id, level in db.session.execute(select(Measure.id, Measure.level).where(*_active(org))):
        found.setdefault(level, []).append(measure_id)
    return found


def _level_lists(by_level: dict) -> list:
    """The counts per level of organisation_level_first, each with the measures it counted."""
    organisatie, team, individu = (
        len(by_level.get(k, ())) for k in (MeasureLevel.ORGANISATIE, MeasureLevel.TEAM, MeasureLevel.INDIVIDU)
    )
    return [
        Count(
            MeasureLevel.ORGANISATIE,
            "measure",
            ngettext(
                "%(n)s op organisatieniveau", "%(n)s op organisatieniveau", organisatie, n=_n(organisatie)
            ),
            tuple(by_level.get(MeasureLevel.ORGANISATIE, ())),
        ),
        Count(
            MeasureLevel.TEAM,
            "measure",
            ngettext("%(n)s op teamniveau", "%(n)s op teamniveau", team, n=_n(team)),
            tuple(by_level.get(MeasureLevel.TEAM, ())),
        ),
        Count(
            MeasureLevel.INDIVIDU,
            "measure",
            ngettext("%(n)s op individueel niveau", "%(n)s op individueel niveau", individu, n=_n(individu)),
            tuple(by_level.get(MeasureLevel.INDIVIDU, ())),
        ),
    ]


def _only_lower(org) -> list:
    """Organisation-wide risks with team or individual measures only, and no team-bound reason."""
    rows = db.session.execute(
        select(Risk.id, Risk.title, Risk.team_bound_reason)
        .where(
            *_live_risks(org, Risk.scope == RiskScope.ORGANISATIE),
            _has_measure(org),
            ~_has_measure(org, Measure.level == MeasureLevel.ORGANISATIE),
        )
        .order_by(Risk.id)
    )
    return [r for r in rows if not (r.team_bound_reason or "").strip()]


@rule("organisation_level_first")
def organisation_level_first(org, today: date) -> Result:
    by_level = _level_ids(org)
    found = {level: len(ids) for level, ids in by_level.items()}
    listed = _level_lists(by_level)
    fix = _page(_("Maatregelen per niveau bekijken"), "plan.hierarchy")
    if not sum(found.values()):
        return Result(
            ChecklistAnswerValue.VOLDOET_NIET,
            _("Er zijn nog geen maatregelen in het Plan van Aanpak."),
            fix=fix,
        )
    levels = {
        lvl: found.get(lvl, 0) for lvl in (MeasureLevel.ORGANISATIE, MeasureLevel.TEAM, MeasureLevel.INDIVIDU)
    }
    counts = _(
        "%(o)s op organisatie-, %(t)s op team- en %(i)s op individueel niveau",
        o=_n(levels[MeasureLevel.ORGANISATIE]),
        t=_n(levels[MeasureLevel.TEAM]),
        i=_n(levels[MeasureLevel.INDIVIDU]),
    )
    if levels[MeasureLevel.ORGANISATIE] == 0:
        return Result(
            ChecklistAnswerValue.VOLDOET_NIET,
            _("Geen enkele maatregel werkt op organisatieniveau (%(c)s).", c=counts),
            _plan_evidence(),
            fix,
            counts=listed,
        )
    only_lower = _only_lower(org)
    if only_lower:
        wide = _count(Risk, *_live_risks(org, Risk.scope == RiskScope.ORGANISATIE))
        return Result(
            ChecklistAnswerValue.DEELS,
            ngettext(
                "%(c)s; %(m)s van %(n)s organisatiebrede risico's heeft alleen team- of individuele "
                "maatregelen: %(list)s.",
                "%(c)s; %(m)s van %(n)s organisatiebrede risico's hebben alleen team- of "
                "individuele maatregelen: %(list)s.",
                len(only_lower),
                c=counts,
                m=_n(len(only_lower)),
                n=_n(wide),
                list=_names([r.title for r in only_lower]),
            ),
            [risk_ref(r) for r in only_lower[:EVIDENCE_MAX]],
            fix,
            len(only_lower),
            fix,
            [
                *listed,
                Count(
                    "alleen_lager",
                    "risk",
                    ngettext(
                        "%(n)s organisatiebreed risico met alleen team- of individuele maatregelen",
                        "%(n)s organisatiebrede risico's met alleen team- of individuele maatregelen",
                        len(only_lower),
                        n=_n(len(only_lower)),
                    ),
                    tuple(r.id for r in only_lower),
                ),
            ],
        )
    # Organisation-wide risks with only lower measures left now all have a recorded team-bound reason.
    team_bound = _count(
        Risk,
        *_live_risks(org, Risk.scope == RiskScope.ORGANISATIE),
        _has_measure(org),
        ~_has_measure(org, Measure.level == MeasureLevel.ORGANISATIE),
    )
    sentence = _(
        "Maatregelen: %(c)s; elk organisatiebreed risico met maatregelen heeft er een op organisatieniveau",
        c=counts,
    )
    if team_bound:
        sentence += ngettext(
            ", behalve %(n)s risico waarvan is vastgelegd waarom het teamgebonden is",
            ", behalve %(n)s risico's waarvan is vastgelegd waarom ze teamgebonden zijn",
            team_bound,
            n=_n(team_bound),
        )
    return Result(ChecklistAnswerValue.VOLDOET, sentence + ".", _plan_evidence(), fix, counts=listed)


@rule("rust_en_herstel_measures")
def rust_en_herstel_measures(org, today: date) -> Result:
    rest = [*_active(org), Measure.approach == MeasureApproach.RUST_EN_HERSTEL]
    rest_ids = _ids("measure", *rest)
    total = len(rest_ids)
    fix = _plan_fix(_("Maatregel voor rust en herstel toevoegen"))
    if not total:
        return Result(
            ChecklistAnswerValue.VOLDOET_NIET,
            _("Er is geen maatregel gericht op rust en herstel (pauzes, bereikbaarheid, avondmail)."),
            fix=fix,
        )
    collective_ids = _ids("measure", *rest, Measure.level != MeasureLevel.INDIVIDU)
    collective = len(collective_ids)
    evidence = [_brief_ref(m) for m in _measure_briefs(*rest, limit=LIST_MAX)]
    counts = [
        Count(
            "rust_en_herstel",
            "measure",
            ngettext(
                "%(n)s maatregel voor rust en herstel",
                "%(n)s maatregelen voor rust en herstel",
                total,
                n=_n(total),
            ),
            tuple(rest_ids),
        ),
        Count(
            "collectief",
            "measure",
            ngettext(
                "%(n)s op organisatie- of teamniveau",
                "%(n)s op organisatie- of teamniveau",
                collective,
                n=_n(collective),
            ),
            tuple(collective_ids),
        ),
    ]
    if not collective:
        return Result(
            ChecklistAnswerValue.DEELS,
            ngettext(
                "Er is %(n)s maatregel voor rust en herstel, maar alleen voor een individuele medewerker.",
                "Er zijn %(n)s maatregelen voor rust en herstel, maar alleen voor individuele medewerkers.",
                total,
                n=_n(total),
            ),
            evidence,
            fix,
            counts=counts[:1],
        )
    return Result(
        ChecklistAnswerValue.VOLDOET,
        ngettext(
            "%(n)s maatregel is gericht op rust en herstel, op organisatie- of teamniveau.",
            "%(n)s maatregelen zijn gericht op rust en herstel, waarvan %(c)s op organisatie- of teamniveau.",
            total,
            n=_n(total),
            c=_n(collective),
        ),
        evidence,
        fix,
        counts=counts,
    )


def _participation_text(org, today: date) -> tuple[str, bool]:
    """How employees took part in choosing the measures of the newest plan version (docs/domain.md §10)."""
    from riecycle.models import PlanParticipation, PlanVersion

    version = db.session.scalar(_live(PlanVersion, org).order_by(PlanVersion.number.desc()))
    if version is None:
        return _("inspraak van medewerkers bij het kiezen van de maatregelen is niet vastgelegd"), False
    rows = _all(
        _live(PlanParticipation, org)
        .where(PlanParticipation.plan_version_id == version.id, PlanParticipation.held_on <= today)
        .order_by(PlanParticipation.held_on, PlanParticipation.id)
    )
    if not rows:
        return (
            _(
                "bij versie %(n)s van het Plan van Aanpak is niet vastgelegd hoe medewerkers meedachten "
                "over de maatregelen",
                n=version.number,
            ),
            False,
        )
    parts = [
        ngettext(
            "%(m)s op %(d)s (%(num)s medewerker)",
            "%(m)s op %(d)s (%(num)s medewerkers)",
            r.participants,
            m=r.method,
            d=_fmt(r.held_on),
        )
        for r in rows
    ]
    return (
        _(
            "medewerkers dachten mee over de maatregelen van versie %(n)s: %(p)s",
            n=version.number,
            p=", ".join(parts),
        ),
        True,
    )


@rule("participation_in_choice")
def participation_in_choice(org, today: date) -> Result:
    """Employees' participation record for the newest plan version, and the OR's plan decision."""
    from riecycle.models import PlanVersion

    approval = _latest_decided(org, "plan_version")
    has_version = db.session.scalar(_live(PlanVersion, org).limit(1)) is not None
    if approval is None and not has_version:
        return Result(
            None,
            _(
                "Er is nog geen Plan van Aanpak aan de OR/PVT voorgelegd; de betrokkenheid van "
                "medewerkers en OR bij het kiezen van maatregelen staat niet in de gegevens. Beantwoord "
                "dit item met de hand."
            ),
        )
    participation, took_part = _participation_text(org, today)
    or_ok = approval is not None and approval.decision == ApprovalDecision.VERLEEND
    sentence = _describe_approval(approval, _("Plan van Aanpak")) + "; " + participation + "."
    sentence = sentence[:1].upper() + sentence[1:]
    evidence = [_page(_("Versies van het Plan van Aanpak"), "plan.versions")]
    fix = _edit(
        _("Inspraak vastleggen"), "plan.versions", {"_anchor": "inspraak"}, "plan.versions", "edit_plan"
    )
    answer = (
        ChecklistAnswerValue.VOLDOET
        if took_part and or_ok
        else ChecklistAnswerValue.DEELS
        if took_part or or_ok
        else ChecklistAnswerValue.VOLDOET_NIET
    )
    return Result(answer, sentence, evidence, fix)


@rule("measures_on_schedule")
def measures_on_schedule(org, today: date) -> Result:
    active_ids = _ids("measure", *_active(org))
    total = len(active_ids)
    counts = [
        Count(
            "maatregelen",
            "measure",
            ngettext("%(n)s maatregel", "%(n)s maatregelen", total, n=_n(total)),
            tuple(active_ids),
        )
    ]
    fix = _plan_fix(_("Verlopen maatregelen bespreken"))
    if not total:
        return Result(ChecklistAnswerValue.NVT, _("Er zijn nog geen maatregelen om te volgen."), fix=fix)
    late = [*_active(org), Measure.status.in_(OPEN_STATUSES), Measure.termijn < today]
    overdue_ids = _ids("measure", *late)
    overdue = len(overdue_ids)
    if not overdue:
        return Result(
            ChecklistAnswerValue.VOLDOET,
            ngettext(
                "De maatregel is niet over de termijn.",
                "Geen van de %(n)s maatregelen is over de termijn.",
                total,
                n=_n(total),
            ),
            _plan_evidence(),
            fix,
            counts=counts,
        )
    counts.append(
        Count(
            "over_termijn",
            "measure",
            ngettext("%(n)s over de termijn", "%(n)s over de termijn", overdue, n=_n(overdue)),
            tuple(overdue_ids),
        )
    )
    share = overdue / total
    answer = (
        ChecklistAnswerValue.VOLDOET
        if share <= OVERDUE_OK
        else ChecklistAnswerValue.DEELS
        if share <= OVERDUE_PARTLY
        else ChecklistAnswerValue.VOLDOET_NIET
    )
    oldest = _measure_briefs(*late, order=(Measure.termijn, Measure.id))
    return Result(
        answer,
        ngettext(
            "%(m)s van %(n)s maatregelen (%(p)s%%) is over de termijn: %(list)s.",
            "%(m)s van %(n)s maatregelen (%(p)s%%) zijn over de termijn: %(list)s.",
            overdue,
            m=_n(overdue),
            n=_n(total),
            p=_pct(overdue, total),
            list=_names([_brief_label(m) for m in oldest], overdue),
        ),
        [_brief_ref(m) for m in oldest],
        fix,
        overdue,
        _page(_("Alle maatregelen over de termijn"), "plan.index", te_laat=1, groep="geen"),
        counts,
    )
