"""Section E of the checklist: evaluatie en borging."""

from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from riecycle.extensions import db
from riecycle.models import (
    Evaluation,
    Factor,
    Measure,
    Membership,
    PreventiemedewerkerAppointment,
    Rie,
    VerdiependOnderzoek,
)
from riecycle.models.evaluation import Effect, EvaluationMethod, evaluation_follow_ups
from riecycle.models.measure import MeasureStatus
from riecycle.models.user import Role
from riecycle.models.zelfinspectie import ChecklistAnswerValue
from riecycle.zelfinspectie_rules.core import (
    EVALUATE_AFTER_DAYS,
    EVIDENCE_MAX,
    LIST_MAX,
    REPEAT_AFTER_DAYS,
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
    _edit,
    _fmt,
    _ids,
    _live,
    _measure_briefs,
    _n,
    _names,
    _page,
    evaluation_ref,
)


def _done(org, today: date, *where) -> list:
    """The conditions for the organisation's live evaluations done by today."""
    return [
        Evaluation.organisation_id == org.id,
        Evaluation.deleted_at.is_(None),
        Evaluation.done_on.is_not(None),
        Evaluation.done_on <= today,
        *where,
    ]


def _evaluation_briefs(*where, limit: int = EVIDENCE_MAX) -> list:
    """The most recent evaluations matching: (id, done_on, planned_on), enough for a reference."""
    stmt = (
        select(Evaluation.id, Evaluation.done_on, Evaluation.planned_on)
        .where(*where)
        .order_by(Evaluation.done_on.desc(), Evaluation.id)
    )
    return list(db.session.execute(stmt.limit(limit)))


def _evaluated(org, today: date, *where):
    """The measure has a done evaluation (matching `where`); IN over an uncorrelated subquery, as above."""
    return Measure.id.in_(
        select(Evaluation.measure_id).where(*_done(org, today, Evaluation.measure_id.is_not(None), *where))
    )


# Evaluated on process and effect: both an effect and an implementation rating are recorded.
_FULL = (
    Evaluation.effect.is_not(None),
    Evaluation.effect != "",
    Evaluation.implementation_rating.is_not(None),
    Evaluation.implementation_rating != 0,
)


@rule("measures_evaluated")
def measures_evaluated(org, today: date) -> Result:
    cutoff = today - timedelta(days=EVALUATE_AFTER_DAYS)
    completed = [
        Measure.organisation_id == org.id,
        Measure.deleted_at.is_(None),
        Measure.status.in_((MeasureStatus.UITGEVOERD, MeasureStatus.GEEVALUEERD)),
        func.coalesce(Measure.completed_on, Measure.termijn) <= cutoff,
    ]
    completed_ids = _ids("measure", *completed)
    total = len(completed_ids)
    counts = [
        Count(
            "afgerond",
            "measure",
            ngettext(
                "%(n)s maatregel langer dan drie maanden afgerond",
                "%(n)s maatregelen langer dan drie maanden afgerond",
                total,
                n=_n(total),
            ),
            tuple(completed_ids),
        )
    ]
    fix = _edit(_("Evaluatie plannen"), "evaluatie.new", {}, "evaluatie.index", "edit_evaluatie")
    if not total:
        return Result(
            ChecklistAnswerValue.NVT,
            _("Er zijn nog geen maatregelen die langer dan drie maanden zijn afgerond."),
            fix=fix,
        )
    missing = [*completed, ~_evaluated(org, today, *_FULL)]
    missing_ids = _ids("measure", *missing)
    n_missing = len(missing_ids)
    if not n_missing:
        evaluations = _evaluation_briefs(
            *_done(org, today, Evaluation.measure_id.is_not(None)), limit=LIST_MAX
        )
        return Result(
            ChecklistAnswerValue.VOLDOET,
            ngettext(
                "De maatregel die langer dan drie maanden is afgerond, is geëvalueerd op proces en effect.",
                "Alle %(n)s maatregelen die langer dan drie maanden zijn afgerond, zijn geëvalueerd op "
                "proces en effect.",
                total,
                n=_n(total),
            ),
            [evaluation_ref(e) for e in evaluations],
            fix,
            counts=counts,
        )
    counts.append(
        Count(
            "niet_geevalueerd",
            "measure",
            ngettext(
                "%(n)s nog niet op proces én effect geëvalueerd",
                "%(n)s nog niet op proces én effect geëvalueerd",
                n_missing,
                n=_n(n_missing),
            ),
            tuple(missing_ids),
        )
    )
    n_full = total - n_missing
    # Nothing evaluated on both counts and nothing evaluated at all: voldoet niet; otherwise deels.
    none_at_all = n_full == 0 and not _count(Measure, *missing, _evaluated(org, today))
    answer = ChecklistAnswerValue.VOLDOET_NIET if none_at_all else ChecklistAnswerValue.DEELS
    first = _measure_briefs(*missing)
    fix = _edit(
        _("Evaluatie plannen"),
        "evaluatie.new",
        {"measure_id": first[0].id},
        "evaluatie.index",
        "edit_evaluatie",
    )
    return Result(
        answer,
        ngettext(
            "%(f)s van %(n)s maatregelen die langer dan drie maanden zijn afgerond, is op proces én "
            "effect geëvalueerd; nog niet: %(list)s.",
            "%(f)s van %(n)s maatregelen die langer dan drie maanden zijn afgerond, zijn op proces én "
            "effect geëvalueerd; nog niet: %(list)s.",
            n_full,
            f=_n(n_full),
            n=_n(total),
            list=_names([_brief_label(m) for m in first], n_missing),
        ),
        [_brief_ref(m) for m in first],
        fix,
        n_missing,
        _page(_("Evaluaties en maatregelen zonder evaluatie"), "evaluatie.index"),
        counts,
    )


def _baseline_onderzoek(org, today: date):
    """E22's nulmeting: the earliest verdiepend onderzoek with scores per factor, and its factors."""
    from riecycle.models import OnderzoekScore, OnderzoekTeam

    first = db.session.execute(
        select(VerdiependOnderzoek.id, VerdiependOnderzoek.period_start)
        .join(OnderzoekTeam, OnderzoekTeam.onderzoek_id == VerdiependOnderzoek.id)
        .join(OnderzoekScore, OnderzoekScore.onderzoek_team_id == OnderzoekTeam.id)
        .where(
            VerdiependOnderzoek.organisation_id == org.id,
            VerdiependOnderzoek.deleted_at.is_(None),
            VerdiependOnderzoek.period_start <= today,
            OnderzoekTeam.deleted_at.is_(None),
            OnderzoekScore.deleted_at.is_(None),
        )
        .order_by(VerdiependOnderzoek.period_start, VerdiependOnderzoek.id)
        .limit(1)
    ).first()
    if first is None:
        return None, set()
    keys = set(
        db.session.scalars(
            select(OnderzoekScore.factor_key)
            .join(OnderzoekTeam, OnderzoekTeam.id == OnderzoekScore.onderzoek_team_id)
            .where(
                OnderzoekTeam.onderzoek_id == first.id,
                OnderzoekTeam.deleted_at.is_(None),
                OnderzoekScore.deleted_at.is_(None),
            )
        )
    )
    return db.session.get(VerdiependOnderzoek, first.id), keys


def _factor_names(keys) -> list[str]:
    """The factors' names in the taxonomy's order."""
    if not keys:
        return []
    return list(
        db.session.scalars(select(Factor.name_nl).where(Factor.key.in_(keys)).order_by(Factor.position))
    )


def _onderzoek_ref(onderzoek) -> Ref:
    return Ref(
        "onderzoek",
        onderzoek.title,
        onderzoek.id,
        "rie.onderzoek_show",
        {"onderzoek_id": onderzoek.id},
        "rie.index",
    )


@rule("effect_same_sources")
def effect_same_sources(org, today: date) -> Result:
    from riecycle.models import EvaluationFactorScore

    fix = _edit(
        _("Effectmeting plannen"), "evaluatie.new", {"kind": "thema"}, "evaluatie.index", "edit_evaluatie"
    )
    baseline, baseline_keys = _baseline_onderzoek(org, today)
    repeats = _evaluation_briefs(
        *_done(org, today, Evaluation.is_repeat_measurement.is_(True)), limit=LIST_MAX
    )
    if repeats:
        latest = repeats[0]
        evidence = [evaluation_ref(e) for e in repeats] + ([_onderzoek_ref(baseline)] if baseline else [])
        asked = set(
            db.session.scalars(
                select(EvaluationFactorScore.factor_key).where(
                    EvaluationFactorScore.evaluation_id == latest.id
                )
            )
        )
        fix = _edit(
            _("Gevraagde bronnen vastleggen"),
            "evaluatie.record",
            {"evaluation_id": latest.id},
            "evaluatie.index",
            "edit_evaluatie",
        )
        if baseline is None:
            return Result(
                ChecklistAnswerValue.DEELS,
                _(
                    "De herhaalde meting van %(d)s is niet te vergelijken: er is geen nulmeting "
                    "(verdiepend onderzoek) met scores per werkdrukbron en energiebron vastgelegd.",
                    d=_fmt(latest.done_on),
                ),
                evidence,
                _page(_("Verdiepend onderzoek vastleggen"), "rie.onderzoeken"),
            )
        if not asked:
            return Result(
                ChecklistAnswerValue.DEELS,
                _(
                    "Bij de herhaalde meting van %(d)s is niet vastgelegd welke werkdrukbronnen en "
                    "energiebronnen zij uitvroeg, dus de vergelijking met de nulmeting (%(o)s) is niet "
                    "aan te tonen.",
                    d=_fmt(latest.done_on),
                    o=baseline.title,
                ),
                evidence,
                fix,
            )
        missing, new = baseline_keys - asked, asked - baseline_keys
        counts = _factor_counts(baseline_keys, asked, missing, new)
        if not missing and not new:
            return Result(
                ChecklistAnswerValue.VOLDOET,
                ngettext(
                    "De herhaalde meting van %(d)s vraagt dezelfde bron als de nulmeting (%(o)s van "
                    "%(b)s): %(list)s.",
                    "De herhaalde meting van %(d)s vraagt dezelfde %(n)s werkdrukbronnen en "
                    "energiebronnen als de nulmeting (%(o)s van %(b)s): %(list)s.",
                    len(asked),
                    d=_fmt(latest.done_on),
                    n=_n(len(asked)),
                    o=baseline.title,
                    b=_fmt(baseline.period_start),
                    list=_names(_factor_names(asked)),
                ),
                evidence,
                fix,
                counts=counts,
            )
        gaps = []
        if missing:
            gaps.append(_("niet meer gevraagd: %(list)s", list=", ".join(_factor_names(missing))))
        if new:
            gaps.append(_("nieuw, niet in de nulmeting: %(list)s", list=", ".join(_factor_names(new))))
        return Result(
            ChecklistAnswerValue.DEELS,
            _(
                "De herhaalde meting van %(d)s vraagt niet dezelfde bronnen als de nulmeting (%(o)s van "
                "%(b)s): %(gaps)s.",
                d=_fmt(latest.done_on),
                o=baseline.title,
                b=_fmt(baseline.period_start),
                gaps="; ".join(gaps),
            ),
            evidence,
            fix,
            counts=counts,
        )
    questionnaires = _evaluation_briefs(
        *_done(org, today, Evaluation.method == EvaluationMethod.HERHAALDE_VRAGENLIJST), limit=LIST_MAX
    )
    if questionnaires:
        return Result(
            ChecklistAnswerValue.DEELS,
            _(
                "Er is een vragenlijst afgenomen (%(d)s), maar niet vastgelegd dat die een herhaling "
                "van de nulmeting is.",
                d=_fmt(questionnaires[0].done_on),
            ),
            [evaluation_ref(e) for e in questionnaires],
            fix,
        )
    first_rie = db.session.scalar(
        select(func.min(Rie.performed_on)).where(Rie.organisation_id == org.id, Rie.deleted_at.is_(None))
    )
    starts = [d for d in (first_rie, baseline.period_start if baseline else None) if d is not None]
    start = min(starts) if starts else None
    if start is None or start > today - timedelta(days=REPEAT_AFTER_DAYS):
        return Result(
            ChecklistAnswerValue.NVT,
            _("De nulmeting is minder dan een jaar oud; een effectmeting volgt na één tot twee jaar."),
            [_onderzoek_ref(baseline)] if baseline else [],
            fix=fix,
        )
    return Result(
        ChecklistAnswerValue.VOLDOET_NIET,
        _("Sinds de nulmeting van %(d)s is geen effectmeting met dezelfde bronnen gedaan.", d=_fmt(start)),
        [_onderzoek_ref(baseline)] if baseline else [],
        fix=fix,
    )


def _factor_counts(baseline: set, asked: set, missing: set, new: set) -> list:
    """The werkdrukbronnen and energiebronnen E22 compared: of the nulmeting, of the repeat, and the differences."""
    counts = [
        Count(
            "nulmeting",
            "factor",
            ngettext(
                "%(n)s bron in de nulmeting",
                "%(n)s bronnen in de nulmeting",
                len(baseline),
                n=_n(len(baseline)),
            ),
            keys=tuple(sorted(baseline)),
        ),
        Count(
            "herhaling",
            "factor",
            ngettext(
                "%(n)s bron in de herhaalde meting",
                "%(n)s bronnen in de herhaalde meting",
                len(asked),
                n=_n(len(asked)),
            ),
            keys=tuple(sorted(asked)),
        ),
    ]
    if missing:
        counts.append(
            Count(
                "niet_meer",
                "factor",
                _("%(n)s niet meer gevraagd", n=_n(len(missing))),
                keys=tuple(sorted(missing)),
            )
        )
    if new:
        counts.append(Count("nieuw", "factor", _("%(n)s nieuw", n=_n(len(new))), keys=tuple(sorted(new))))
    return counts


def _not_adjusted():
    """The policy was not adjusted after the evaluation, and it led to no follow-up measure."""
    follow_up = (
        select(evaluation_follow_ups.c.evaluation_id)
        .join(Measure, Measure.id == evaluation_follow_ups.c.measure_id)
        .where(evaluation_follow_ups.c.evaluation_id == Evaluation.id)
        .exists()
    )
    return [Evaluation.policy_adjusted.is_not(True), ~follow_up]


@rule("policy_adjusted")
def policy_adjusted(org, today: date) -> Result:
    done_ids = _ids("evaluation", *_done(org, today))
    total = len(done_ids)
    counts = [
        Count(
            "evaluaties",
            "evaluation",
            ngettext("%(n)s afgeronde evaluatie", "%(n)s afgeronde evaluaties", total, n=_n(total)),
            tuple(done_ids),
        )
    ]
    fix = _page(_("Evaluaties verwerken"), "evaluatie.index")
    if not total:
        return Result(ChecklistAnswerValue.NVT, _("Er zijn nog geen afgeronde evaluaties."), fix=fix)
    needing = _done(org, today, Evaluation.effect.in_((Effect.NIET, Effect.DEELS)))
    needing_ids = _ids("evaluation", *needing)
    n_needing = len(needing_ids)
    if not n_needing:
        # Only evaluations that recorded the effect "opgelost" showed the desired effect.
        unknown = total - _count(Evaluation, *_done(org, today, Evaluation.effect == Effect.OPGELOST))
        sentence = ngettext(
            "De afgeronde evaluatie liet het gewenste effect zien; bijstellen was niet nodig.",
            "Alle %(n)s afgeronde evaluaties lieten het gewenste effect zien; bijstellen was niet nodig.",
            total,
            n=_n(total),
        )
        if unknown:
            sentence = ngettext(
                "Geen van de %(n)s afgeronde evaluaties liet een tekort aan effect zien; bij %(u)s "
                "evaluatie is het effect niet vastgelegd.",
                "Geen van de %(n)s afgeronde evaluaties liet een tekort aan effect zien; bij %(u)s "
                "evaluaties is het effect niet vastgelegd.",
                unknown,
                n=_n(total),
                u=_n(unknown),
            )
        return Result(
            ChecklistAnswerValue.VOLDOET,
            sentence,
            [evaluation_ref(e) for e in _evaluation_briefs(*_done(org, today), limit=LIST_MAX)],
            fix,
            counts=counts,
        )
    counts = [
        Count(
            "zonder_effect",
            "evaluation",
            ngettext(
                "%(n)s evaluatie zonder (volledig) effect",
                "%(n)s evaluaties zonder (volledig) effect",
                n_needing,
                n=_n(n_needing),
            ),
            tuple(needing_ids),
        )
    ]
    open_ids = _ids("evaluation", *needing, *_not_adjusted())
    n_open = len(open_ids)
    sentence = _(
        "Na %(a)s van %(n)s evaluaties zonder (volledig) effect is het beleid bijgesteld",
        a=_n(n_needing - n_open),
        n=_n(n_needing),
    )
    if not n_open:
        return Result(
            ChecklistAnswerValue.VOLDOET,
            sentence + ".",
            [evaluation_ref(e) for e in _evaluation_briefs(*needing, limit=LIST_MAX)],
            fix,
            counts=counts,
        )
    counts.append(
        Count(
            "niet_bijgesteld",
            "evaluation",
            ngettext("%(n)s nog niet bijgesteld", "%(n)s nog niet bijgesteld", n_open, n=_n(n_open)),
            tuple(open_ids),
        )
    )
    answer = ChecklistAnswerValue.VOLDOET_NIET if n_open == n_needing else ChecklistAnswerValue.DEELS
    first = [evaluation_ref(e) for e in _evaluation_briefs(*needing, *_not_adjusted())]
    fix = _edit(
        _("Bijstellen na de evaluatie"),
        "evaluatie.follow_up",
        {"evaluation_id": first[0].id},
        "evaluatie.index",
        "edit_evaluatie",
    )
    return Result(
        answer,
        sentence + _("; nog niet na: %(list)s.", list=_names([e.label for e in first], n_open)),
        first,
        fix,
        n_open,
        _page(_("Alle evaluaties"), "evaluatie.index"),
        counts,
    )


@rule("preventiemedewerker_appointed")
def preventiemedewerker_appointed(org, today: date) -> Result:
    appointments = [
        a
        for a in _all(
            _live(PreventiemedewerkerAppointment, org).order_by(PreventiemedewerkerAppointment.since)
        )
        if a.is_active(today)
    ]
    evidence = [_page(_("Beleidsregister"), "beleid.index", _anchor="preventiemedewerker")]
    if not appointments:
        has_role = db.session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(Membership.organisation_id == org.id, Membership.role == Role.PREVENTIEMEDEWERKER)
        )
        fix = Ref(
            "fix",
            _("Aanstelling vastleggen"),
            None,
            "beleid.appointment_new",
            {},
            "beleid.index",
            "edit_zelfinspectie",
        )
        if has_role:
            return Result(
                ChecklistAnswerValue.DEELS,
                _(
                    "Er is een gebruiker met de rol preventiemedewerker, maar de aanstelling (sinds "
                    "wanneer, instemming OR/PVT) is niet vastgelegd."
                ),
                evidence,
                fix,
            )
        return Result(
            ChecklistAnswerValue.VOLDOET_NIET, _("Er is geen preventiemedewerker aangesteld."), evidence, fix
        )
    current = appointments[-1]
    fix = Ref(
        "fix",
        _("Aanstelling bijwerken"),
        current.id,
        "beleid.appointment_edit",
        {"appointment_id": current.id},
        "beleid.index",
        "edit_zelfinspectie",
    )
    facts, gaps = _preventie_facts(current, today)
    sentence = _("Preventiemedewerker aangesteld sinds %(s)s", s=_fmt(current.since))
    if facts:
        sentence += ", " + ", ".join(facts)
    counts = [
        Count(
            "aanstelling",
            "appointment",
            ngettext(
                "%(n)s lopende aanstelling",
                "%(n)s lopende aanstellingen",
                len(appointments),
                n=_n(len(appointments)),
            ),
            tuple(a.id for a in appointments),
        )
    ]
    if gaps:
        return Result(
            ChecklistAnswerValue.DEELS,
            sentence + _(", maar %(g)s.", g="; ".join(gaps)),
            evidence,
            fix,
            counts=counts,
        )
    return Result(ChecklistAnswerValue.VOLDOET, sentence + ".", evidence, fix, counts=counts)


def _preventie_facts(appointment: PreventiemedewerkerAppointment, today: date) -> tuple[list[str], list[str]]:
    """What an inspector asks about the preventiemedewerker (docs/domain.md §10): OR date, hours, training."""
    facts, gaps = [], []
    if appointment.or_instemming_on and appointment.or_instemming_on <= today:
        facts.append(_("met instemming van de OR/PVT op %(d)s", d=_fmt(appointment.or_instemming_on)))
    else:
        gaps.append(_("de instemming van de OR/PVT is niet vastgelegd"))
    if appointment.hours_per_week:
        facts.append(ngettext("%(num)s uur per week", "%(num)s uur per week", appointment.hours_per_week))
    else:
        gaps.append(_("het aantal uren per week is niet vastgelegd"))
    trained_on = (
        appointment.trained_on if appointment.trained_on and appointment.trained_on <= today else None
    )
    if appointment.training and trained_on:
        facts.append(_("opgeleid: %(t)s (%(d)s)", t=appointment.training, d=_fmt(trained_on)))
    elif appointment.training:
        facts.append(_("opgeleid: %(t)s", t=appointment.training))
        gaps.append(_("de datum van de opleiding is niet vastgelegd"))
    else:
        gaps.append(_("de opleiding van de preventiemedewerker is niet vastgelegd"))
    return facts, gaps
