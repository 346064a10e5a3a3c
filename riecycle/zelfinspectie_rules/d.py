"""Section D of the checklist: ongewenst gedrag."""

from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext

from riecycle.extensions import db
from riecycle.models import (
    Incident,
    IncidentAnalysis,
    PolicyInstrument,
)
from riecycle.models.policy import InstrumentKind, InstrumentStatus, VpKind
from riecycle.models.zelfinspectie import ChecklistAnswerValue
from riecycle.zelfinspectie_rules.core import (
    Count,
    Ref,
    Result,
    rule,
)
from riecycle.zelfinspectie_rules.helpers import (
    _all,
    _fmt,
    _ids,
    _instrument_fix,
    _live,
    _months_before,
    _n,
    _page,
    instrument_ref,
)


def _instruments(org, kind: str) -> list[PolicyInstrument]:
    return _all(
        _live(PolicyInstrument, org).where(PolicyInstrument.kind == kind).order_by(PolicyInstrument.id)
    )


def _best(instruments: list[PolicyInstrument], today: date) -> PolicyInstrument | None:
    """The adopted instrument that was made known, else any adopted one, else the newest concept."""
    adopted = [i for i in instruments if i.is_adopted(today)]
    known = [i for i in adopted if i.made_known_on(today)]
    concepts = [i for i in instruments if i.status == InstrumentStatus.CONCEPT]
    for group in (known, adopted, concepts):
        if group:
            return group[-1]
    return None


def _known_text(instrument: PolicyInstrument, today: date) -> str:
    return _("bekendgemaakt op %(d)s", d=_fmt(instrument.made_known_on(today)))


def _basic_instrument(org, today: date, kind: str, extra_checks) -> Result:
    """Adopted + made known (+ kind-specific checks) -> voldoet; adopted with gaps -> deels; else voldoet niet."""
    from riecycle.services.policy import kind_name

    best = _best(_instruments(org, kind), today)
    name = kind_name(kind)
    fix = _instrument_fix(kind, best)
    if best is None:
        return Result(
            ChecklistAnswerValue.VOLDOET_NIET,
            _("Er is geen %(k)s vastgelegd in het beleidsregister.", k=name.lower()),
            [_page(_("Beleidsregister"), "beleid.index")],
            fix,
        )
    evidence = [instrument_ref(best)]
    if not best.is_adopted(today):
        return Result(
            ChecklistAnswerValue.VOLDOET_NIET,
            _("De %(k)s is nog niet vastgesteld (status: %(s)s).", k=name.lower(), s=best.status),
            evidence,
            fix,
        )
    gaps = list(extra_checks(best))
    if not best.made_known_on(today):
        gaps.append(_("niet aantoonbaar bekendgemaakt aan medewerkers"))
    if kind == InstrumentKind.VERTROUWENSPERSOON:
        adopted = _("aangesteld sinds %(d)s", d=_fmt(best.adopted_on)) if best.adopted_on else _("aangesteld")
    else:
        adopted = _("vastgesteld op %(d)s", d=_fmt(best.adopted_on)) if best.adopted_on else _("vastgesteld")
    if gaps:
        return Result(
            ChecklistAnswerValue.DEELS,
            _("De %(k)s is %(a)s, maar: %(g)s.", k=name.lower(), a=adopted, g="; ".join(gaps)),
            evidence,
            fix,
        )
    return Result(
        ChecklistAnswerValue.VOLDOET,
        _("De %(k)s is %(a)s en %(known)s.", k=name.lower(), a=adopted, known=_known_text(best, today)),
        evidence,
        fix,
    )


@rule("gedragscode")
def gedragscode(org, today: date) -> Result:
    return _basic_instrument(org, today, InstrumentKind.GEDRAGSCODE, lambda i: [])


def _vp_checks(instrument: PolicyInstrument):
    if not instrument.trained:
        yield _("niet aangetoond dat de vertrouwenspersoon is opgeleid")
    if not (instrument.contact or "").strip():
        yield _("niet vastgelegd hoe medewerkers de vertrouwenspersoon bereiken")


def _how_known(instrument: PolicyInstrument, today: date) -> str:
    """When and how it was made known: the communication and the voorlichting sessions."""
    ways = (
        [instrument.communication]
        if instrument.communicated_on and instrument.communicated_on <= today
        else []
    )
    ways += [
        _("voorlichting '%(t)s'", t=s.topic)
        for s in instrument.sessions
        if s.deleted_at is None and s.session_date <= today
    ]
    return _(
        "bekendgemaakt op %(d)s via %(w)s",
        d=_fmt(instrument.made_known_on(today)),
        w=", ".join(w for w in ways if w),
    )


def _vp_facts(vp: PolicyInstrument, today: date) -> tuple[list[str], list[str]]:
    """What the records say about the vertrouwenspersoon (docs/domain.md §10), and what is missing."""
    facts, gaps = [_("intern") if vp.vp_kind == VpKind.INTERN else _("extern")], []
    trained_on = vp.trained_on if vp.trained_on and vp.trained_on <= today else None
    if vp.trained and trained_on:
        facts.append(_("opgeleid op %(d)s", d=_fmt(trained_on)))
    elif vp.trained:
        facts.append(_("opgeleid"))
        gaps.append(_("de datum van de opleiding is niet vastgelegd"))
    else:
        gaps.append(_("niet aangetoond dat de vertrouwenspersoon is opgeleid"))
    if not (vp.contact or "").strip():
        gaps.append(_("niet vastgelegd hoe medewerkers de vertrouwenspersoon bereiken"))
    elif vp.anonymous_contact:
        facts.append(_("bereikbaarheid vastgelegd, ook anoniem"))
    else:
        facts.append(_("bereikbaarheid vastgelegd"))
        gaps.append(_("niet vastgelegd dat medewerkers de vertrouwenspersoon anoniem kunnen benaderen"))
    if vp.made_known_on(today):
        facts.append(_how_known(vp, today))
    else:
        gaps.append(_("niet aantoonbaar bekendgemaakt aan medewerkers"))
    report_on = vp.annual_report_on if vp.annual_report_on and vp.annual_report_on <= today else None
    year = vp.annual_report_year if vp.annual_report_year and vp.annual_report_year <= today.year else None
    one_year = vp.adopted_on is None or vp.adopted_on <= today - timedelta(days=365)
    if year:
        facts.append(
            _("jaarverslag over %(y)s (%(d)s)", y=year, d=_fmt(report_on))
            if report_on
            else _("jaarverslag over %(y)s", y=year)
        )
        if one_year and year < today.year - 1:
            gaps.append(_("het laatste jaarverslag gaat over %(y)s", y=year))
    elif one_year:
        gaps.append(_("er is geen jaarverslag van de vertrouwenspersoon vastgelegd"))
    else:
        facts.append(_("nog geen jaarverslag nodig (korter dan een jaar aangesteld)"))
    return facts, gaps


@rule("vertrouwenspersoon")
def vertrouwenspersoon(org, today: date) -> Result:
    """Appointed, and what an inspector asks: kind, training, anonymous contact, made known, jaarverslag."""
    best = _best(_instruments(org, InstrumentKind.VERTROUWENSPERSOON), today)
    if best is None or not best.is_adopted(today):
        return _basic_instrument(org, today, InstrumentKind.VERTROUWENSPERSOON, _vp_checks)
    facts, gaps = _vp_facts(best, today)
    since = _("aangesteld sinds %(d)s", d=_fmt(best.adopted_on)) if best.adopted_on else _("aangesteld")
    sentence = _("De vertrouwenspersoon is %(a)s: %(f)s.", a=since, f="; ".join(facts))
    evidence, fix = [instrument_ref(best)], _instrument_fix(InstrumentKind.VERTROUWENSPERSOON, best)
    if gaps:
        return Result(
            ChecklistAnswerValue.DEELS,
            sentence + " " + _("Ontbreekt: %(g)s.", g="; ".join(gaps)),
            evidence,
            fix,
        )
    return Result(ChecklistAnswerValue.VOLDOET, sentence, evidence, fix)


def _klachten_checks(instrument: PolicyInstrument):
    if not (instrument.committee or "").strip():
        yield _("er is geen klachtencommissie vastgelegd")


@rule("klachtenregeling")
def klachtenregeling(org, today: date) -> Result:
    return _basic_instrument(org, today, InstrumentKind.KLACHTENREGELING, _klachten_checks)


def _recent_incidents(org, today: date, *where) -> list[int]:
    """The ids of the (live) meldingen of the last 12 months that match the conditions."""
    return _ids(
        "incident",
        Incident.organisation_id == org.id,
        Incident.deleted_at.is_(None),
        Incident.occurred_on > _months_before(today, 12),
        Incident.occurred_on <= today,
        *where,
    )


@rule("opvang_nazorg")
def opvang_nazorg(org, today: date) -> Result:
    week_ago = today - timedelta(days=7)
    without_ids = _recent_incidents(
        org, today, Incident.opvang_done.is_not(True), Incident.occurred_on <= week_ago
    )
    without = len(without_ids)

    def checks(instrument):
        if without:
            yield ngettext(
                "bij %(n)s melding van de afgelopen 12 maanden is geen opvang vastgelegd",
                "bij %(n)s meldingen van de afgelopen 12 maanden is geen opvang vastgelegd",
                without,
                n=_n(without),
            )

    result = _basic_instrument(org, today, InstrumentKind.OPVANG_NAZORG, checks)
    if without:
        result.evidence.append(_page(_("Incidentregistratie"), "beleid.incidents"))
        result.counts.append(
            Count(
                "zonder_opvang",
                "incident",
                ngettext(
                    "%(n)s melding zonder opvang", "%(n)s meldingen zonder opvang", without, n=_n(without)
                ),
                tuple(without_ids),
            )
        )
    return result


@rule("incidents_registered")
def incidents_registered(org, today: date) -> Result:
    incident_ids = _recent_incidents(org, today)
    incidents = len(incident_ids)
    counts = [
        Count(
            "meldingen",
            "incident",
            ngettext("%(n)s melding", "%(n)s meldingen", incidents, n=_n(incidents)),
            tuple(incident_ids),
        )
    ]
    analysis = db.session.scalar(
        _live(IncidentAnalysis, org)
        .where(
            IncidentAnalysis.analysed_on > _months_before(today, 12), IncidentAnalysis.analysed_on <= today
        )
        .order_by(IncidentAnalysis.analysed_on.desc())
    )
    procedure = _best(_instruments(org, InstrumentKind.MELDPROCEDURE), today)
    evidence = [_page(_("Incidentregistratie"), "beleid.incidents")] + (
        [instrument_ref(procedure)] if procedure else []
    )
    fix = _instrument_fix(InstrumentKind.MELDPROCEDURE, procedure)
    gaps = []
    if procedure is None or not procedure.is_adopted(today):
        gaps.append(_("er is geen vastgestelde meldprocedure"))
    elif not procedure.made_known_on(today):
        gaps.append(_("de meldprocedure is niet aantoonbaar bekendgemaakt"))
    if incidents and analysis is None:
        gaps.append(_("de meldingen zijn in de afgelopen 12 maanden niet geanalyseerd"))
        fix = Ref(
            "fix",
            _("Analyse vastleggen"),
            None,
            "beleid.analysis_new",
            {},
            "beleid.incidents",
            "edit_zelfinspectie",
        )
    registered = ngettext(
        "%(n)s melding geregistreerd in de afgelopen 12 maanden",
        "%(n)s meldingen geregistreerd in de afgelopen 12 maanden",
        incidents,
        n=_n(incidents),
    )
    if analysis is not None:
        registered += _(", geanalyseerd op %(d)s", d=_fmt(analysis.analysed_on))
    if not gaps:
        return Result(ChecklistAnswerValue.VOLDOET, registered + ".", evidence, fix, counts=counts)
    if not incidents and (procedure is None or not procedure.is_adopted(today)):
        return Result(
            ChecklistAnswerValue.VOLDOET_NIET,
            _("Er is geen meldprocedure en er zijn geen meldingen geregistreerd."),
            evidence,
            fix,
        )
    return Result(
        ChecklistAnswerValue.DEELS, registered + "; " + "; ".join(gaps) + ".", evidence, fix, counts=counts
    )
