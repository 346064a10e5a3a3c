"""Section A of the checklist: the RI&E."""

from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import or_, select

from riecycle.extensions import db
from riecycle.models import (
    Factor,
    Rie,
    RieTheme,
    Risk,
    Theme,
    Toetsing,
    VerdiependOnderzoek,
)
from riecycle.models.approval import ApprovalDecision
from riecycle.models.rie import ResultScope, RiskStatus, risk_factors
from riecycle.models.zelfinspectie import ChecklistAnswerValue
from riecycle.zelfinspectie_rules.core import (
    LIST_MAX,
    Count,
    Ref,
    Result,
    rule,
)
from riecycle.zelfinspectie_rules.helpers import (
    _all,
    _count,
    _current_rie,
    _describe_approval,
    _edit,
    _fmt,
    _ids,
    _latest_decided,
    _live,
    _live_risks,
    _n,
    _names,
    _no_rie,
    _page,
    _risk_briefs,
    rie_name,
    rie_ref,
    risk_ref,
)


@rule("rie_covers_all_themes")
def rie_covers_all_themes(org, today: date) -> Result:
    rie = _current_rie(org, today)
    if rie is None:
        return _no_rie(_("RI&E vastleggen"))
    themes = _all(select(Theme).order_by(Theme.position))
    entries = {e.theme_key: e for e in _all(_live(RieTheme, org).where(RieTheme.rie_id == rie.id))}
    with_risks = set(
        db.session.scalars(
            select(Risk.theme_key)
            .distinct()
            .where(
                Risk.organisation_id == org.id,
                Risk.deleted_at.is_(None),
                Risk.rie_id == rie.id,
                Risk.status != RiskStatus.NVT,
            )
        )
    )

    # Covered: at least one risk in the current RI&E, or a recorded conclusion with its grounds:
    # "behandeld" with a toelichting (onderzocht, geen risico) or n.v.t. with a reason. A bare tick
    # without risk and without grounds is not evidence that the theme was looked at.
    def grounds(theme) -> bool:
        entry = entries.get(theme.key)
        return entry is not None and bool((entry.reason or "").strip())

    risky = [t for t in themes if t.key in with_risks]
    no_risk = [t for t in themes if t.key not in with_risks and grounds(t) and entries[t.key].applicable]
    nvt = [t for t in themes if t.key not in with_risks and grounds(t) and not entries[t.key].applicable]
    missing = [t.name_nl for t in themes if t.key not in with_risks and not grounds(t)]
    done = len(themes) - len(missing)
    counts = [
        Count(
            "met_risico",
            "theme",
            _("%(n)s met risico's", n=_n(len(risky))),
            keys=tuple(t.key for t in risky),
            rie_id=rie.id,
        ),
        Count(
            "geen_risico",
            "theme",
            _("%(n)s onderzocht zonder risico", n=_n(len(no_risk))),
            keys=tuple(t.key for t in no_risk),
            rie_id=rie.id,
        ),
        Count(
            "nvt",
            "theme",
            _("%(n)s onderbouwd niet van toepassing", n=_n(len(nvt))),
            keys=tuple(t.key for t in nvt),
            rie_id=rie.id,
        ),
    ]
    if missing:
        counts.append(
            Count(
                "zonder_conclusie",
                "theme",
                _("%(n)s zonder conclusie", n=_n(len(missing))),
                keys=tuple(t.key for t in themes if t.key not in with_risks and not grounds(t)),
                rie_id=rie.id,
            )
        )
    fix = _edit(_("Thema's in de RI&E bijwerken"), "rie.themes", {"rie_id": rie.id}, "rie.index", "edit_rie")
    parts = _(
        "%(r)s met risico's, %(g)s onderzocht zonder risico (met onderbouwing), %(v)s onderbouwd niet "
        "van toepassing",
        r=_n(len(risky)),
        g=_n(len(no_risk)),
        v=_n(len(nvt)),
    )
    if not missing:
        return Result(
            ChecklistAnswerValue.VOLDOET,
            _(
                "Alle %(n)s PSA-thema's zijn gedekt in %(rie)s: %(parts)s.",
                n=_n(len(themes)),
                rie=rie_name(rie),
                parts=parts,
            ),
            [rie_ref(rie)],
            fix,
            counts=counts,
        )
    answer = ChecklistAnswerValue.VOLDOET_NIET if done == 0 else ChecklistAnswerValue.DEELS
    return Result(
        answer,
        ngettext(
            "%(d)s van %(n)s PSA-thema's is gedekt (%(parts)s); zonder risico en zonder vastgelegde "
            "conclusie: %(list)s.",
            "%(d)s van %(n)s PSA-thema's zijn gedekt (%(parts)s); zonder risico en zonder vastgelegde "
            "conclusie: %(list)s.",
            done,
            d=_n(done),
            n=_n(len(themes)),
            parts=parts,
            list=_names(missing),
        ),
        [rie_ref(rie)],
        fix,
        counts=counts,
    )


@rule("rie_current")
def rie_current(org, today: date) -> Result:
    rie = _current_rie(org, today)
    if rie is None:
        return _no_rie(_("RI&E vastleggen"))
    due = rie.review_due_on
    fix = _page(_("RI&E herzien"), "rie.index")
    if due < today:
        return Result(
            ChecklistAnswerValue.VOLDOET_NIET,
            _(
                "%(rie)s is van %(d)s; de herzieningstermijn van %(m)s maanden is verlopen op %(due)s.",
                rie=rie_name(rie),
                d=_fmt(rie.performed_on),
                m=rie.review_interval_months,
                due=_fmt(due),
            ),
            [rie_ref(rie)],
            fix,
        )
    return Result(
        ChecklistAnswerValue.VOLDOET,
        _(
            "%(rie)s is van %(d)s en binnen de herzieningstermijn (herziening uiterlijk "
            "%(due)s). Herzie eerder na organisatieveranderingen.",
            rie=rie_name(rie),
            d=_fmt(rie.performed_on),
            due=_fmt(due),
        ),
        [rie_ref(rie)],
        fix,
    )


def _onderzoek_gaps(org, today: date) -> tuple[list, list]:
    """Verdiepende onderzoeken up to today and the names of the requirements they miss."""
    from riecycle.services.onderzoek import requirements

    onderzoeken = _all(_live(VerdiependOnderzoek, org).where(VerdiependOnderzoek.period_start <= today))
    failing = sorted({r.title for o in onderzoeken for r in requirements(o) if not r.met})
    return onderzoeken, failing


def _with_factor(*where):
    """EXISTS: a factor from the werkdrukmodel (matching `where`) is linked to the risk."""
    return (
        select(risk_factors.c.risk_id)
        .join(Factor, Factor.key == risk_factors.c.factor_key)
        .where(risk_factors.c.risk_id == Risk.id, *where)
        .exists()
    )


@rule("bronnen_mapped")
def bronnen_mapped(org, today: date) -> Result:
    werkdruk = _live_risks(org, Risk.theme_key == "werkdruk")
    total = _count(Risk, *werkdruk)
    fix = _page(_("Werkdrukrisico's koppelen aan bronnen"), "rie.index")
    if not total:
        rie = _current_rie(org, today)
        entry = rie and db.session.scalar(
            _live(RieTheme, org).where(RieTheme.rie_id == rie.id, RieTheme.theme_key == "werkdruk")
        )
        if entry is not None and not entry.applicable:
            return Result(
                ChecklistAnswerValue.NVT,
                _("Werkdruk is in de RI&E onderbouwd niet van toepassing."),
                [rie_ref(rie)],
            )
        return Result(
            ChecklistAnswerValue.VOLDOET_NIET,
            _(
                "Er zijn geen werkdrukrisico's vastgelegd, dus de werkdrukbronnen en "
                "energiebronnen zijn niet in kaart gebracht."
            ),
            fix=fix,
        )
    unmapped = _count(Risk, *werkdruk, ~_with_factor())
    first = _risk_briefs(*werkdruk, ~_with_factor(), limit=LIST_MAX)
    onderzoeken, failing = _onderzoek_gaps(org, today)
    evidence = [risk_ref(r) for r in first] + [
        Ref("onderzoek", o.title, o.id, "rie.onderzoek_show", {"onderzoek_id": o.id}, "rie.index")
        for o in onderzoeken[:LIST_MAX]
    ]
    mapped = total - unmapped
    counts = [
        Count(
            "werkdrukrisicos",
            "risk",
            ngettext("%(n)s werkdrukrisico", "%(n)s werkdrukrisico's", total, n=_n(total)),
            tuple(_ids("risk", *werkdruk)),
        )
    ]
    if unmapped:
        counts.append(
            Count(
                "zonder_bron",
                "risk",
                ngettext("%(n)s zonder bron", "%(n)s zonder bron", unmapped, n=_n(unmapped)),
                tuple(_ids("risk", *werkdruk, ~_with_factor())),
            )
        )
    if onderzoeken:
        counts.append(
            Count(
                "onderzoeken",
                "onderzoek",
                ngettext(
                    "%(n)s verdiepend onderzoek (resultaten per team of groep)",
                    "%(n)s verdiepende onderzoeken (resultaten per team of groep)",
                    len(onderzoeken),
                    n=_n(len(onderzoeken)),
                ),
                tuple(o.id for o in onderzoeken),
            )
        )
    sentence = ngettext(
        "%(m)s van %(n)s werkdrukrisico's is gekoppeld aan bronnen uit het werkdrukmodel",
        "%(m)s van %(n)s werkdrukrisico's zijn gekoppeld aan bronnen uit het werkdrukmodel",
        mapped,
        m=_n(mapped),
        n=_n(total),
    )
    if mapped == 0:
        return Result(ChecklistAnswerValue.VOLDOET_NIET, sentence + ".", evidence, fix, counts=counts)
    problems = []
    if unmapped:
        problems.append(_("zonder bron: %(list)s", list=_names([r.title for r in first], unmapped)))
    if not _count(Risk, *werkdruk, _with_factor(Factor.kind == "energiebron")):
        problems.append(_("er is geen energiebron benoemd"))
    if failing:
        problems.append(_("het verdiepend onderzoek voldoet niet aan: %(list)s", list=_names(failing)))
    if problems:
        return Result(
            ChecklistAnswerValue.DEELS,
            sentence + "; " + "; ".join(problems) + ".",
            evidence,
            fix,
            counts=counts,
        )
    extra = (
        ngettext(
            ", met %(n)s verdiepend onderzoek dat voldoet aan de eisen",
            ", met %(n)s verdiepende onderzoeken die aan de eisen voldoen",
            len(onderzoeken),
            n=len(onderzoeken),
        )
        if onderzoeken
        else ""
    )
    return Result(
        ChecklistAnswerValue.VOLDOET,
        sentence + extra + _grouped_note(onderzoeken) + ".",
        evidence,
        fix,
        counts=counts,
    )


def _grouped_note(onderzoeken) -> str:
    """A3: where results are per group of teams or for the whole organisation, and the recorded reason."""
    from riecycle.services.onderzoek import reason, team_visible

    notes = []
    for onderzoek in onderzoeken:
        for result in onderzoek.teams:
            why = reason(result) if team_visible(result) and result.scores else None
            if not why:
                continue
            if result.scope == ResultScope.GROEP:
                notes.append(_("per %(k)s %(g)s, want %(r)s", k=result.group_kind, g=result.label, r=why))
            else:
                notes.append(_("voor de hele organisatie, want %(r)s", r=why))
    return _(" (resultaten %(list)s)", list="; ".join(notes)) if notes else ""


@rule("hybrid_work_considered")
def hybrid_work_considered(org, today: date) -> Result:
    rie = _current_rie(org, today)
    if rie is None:
        return _no_rie(_("RI&E vastleggen"))
    fix = _page(_("Hybride werken in de RI&E beoordelen"), "rie.index")
    if rie.hybrid_work_considered:
        return Result(
            ChecklistAnswerValue.VOLDOET,
            _("In %(rie)s is hybride en plaatsonafhankelijk werken beoordeeld.", rie=rie_name(rie)),
            [rie_ref(rie)],
            fix,
        )
    return Result(
        ChecklistAnswerValue.VOLDOET_NIET,
        _(
            "In %(rie)s is niet vastgelegd dat hybride en plaatsonafhankelijk werken is beoordeeld.",
            rie=rie_name(rie),
        ),
        [rie_ref(rie)],
        fix,
    )


def art14_exemption(org, rie: Rie | None):
    """Arbowet art. 14, from the RI&E service."""
    from riecycle.services.rie import exemption

    return exemption(org, rie)


def _contract_text(org, today: date) -> tuple[str, str | None]:
    """The arbodienst basiscontract in force (docs/domain.md §10): a sentence, and the gap when there is none."""
    from riecycle.models import ArbodienstContract

    contract = db.session.scalar(
        _live(ArbodienstContract, org)
        .where(
            ArbodienstContract.since <= today,
            or_(ArbodienstContract.until.is_(None), ArbodienstContract.until >= today),
        )
        .order_by(ArbodienstContract.since.desc(), ArbodienstContract.id.desc())
    )
    if contract is None:
        return "", _("er is geen basiscontract met een arbodienst of bedrijfsarts vastgelegd")
    from riecycle.services.attachments import for_owner

    document = _("met document") if for_owner("arbodienst_contract", contract.id) else _("zonder document")
    return (
        _(
            "Basiscontract met %(who)s sinds %(d)s (%(doc)s).",
            who=contract.provider,
            d=_fmt(contract.since),
            doc=document,
        ),
        None,
    )


def _toets_parts(toetsingen: list) -> tuple[str, list[str]]:
    """Which parts (systeemtoets, scopetoets) the toetsingen of this RI&E covered, and the gaps."""
    parts = set().union(*(t.parts for t in toetsingen))
    if not parts:
        return "", [_("niet vastgelegd of het een systeemtoets of scopetoets was")]
    names = _("systeemtoets en scopetoets") if len(parts) == 2 else next(iter(parts))
    missing = [
        _("de %(p)s is niet vastgelegd", p=p) for p in ("systeemtoets", "scopetoets") if p not in parts
    ]
    return " " + _("Getoetst: %(p)s.", p=names), missing


@rule("toetsing_or_exempt")
def toetsing_or_exempt(org, today: date) -> Result:
    """Art. 14: toetsing (systeemtoets and scopetoets) or exemption, and the arbodienst basiscontract."""
    rie = _current_rie(org, today)
    exemption = art14_exemption(org, rie)
    fix = (
        _edit(_("Toetsing vastleggen"), "rie.toetsing_new", {"rie_id": rie.id}, "rie.index", "edit_rie")
        if rie
        else _page(_("Toetsing vastleggen"), "rie.index")
    )
    contract, contract_gap = _contract_text(org, today)
    contract_fix = _edit(
        _("Basiscontract vastleggen"),
        "beleid.index",
        {"_anchor": "arbodienst"},
        "beleid.index",
        "edit_zelfinspectie",
    )
    if exemption.exempt:
        if contract_gap:
            return Result(
                ChecklistAnswerValue.DEELS,
                _("%(why)s Maar: %(g)s.", why=exemption.reason, g=contract_gap),
                [rie_ref(rie)] if rie else [],
                contract_fix,
            )
        return Result(
            ChecklistAnswerValue.VOLDOET, f"{exemption.reason} {contract}", [rie_ref(rie)] if rie else [], fix
        )
    if rie is None:
        return _no_rie(_("RI&E vastleggen"))
    toetsingen = _all(
        _live(Toetsing, org)
        .where(Toetsing.rie_id == rie.id, Toetsing.tested_on <= today)
        .order_by(Toetsing.tested_on.desc(), Toetsing.id.desc())
    )
    if toetsingen:
        current = toetsingen[0]
        parts, gaps = _toets_parts(toetsingen)
        if contract_gap:
            gaps.append(contract_gap)
        sentence = (
            _(
                "%(rie)s is op %(d)s getoetst door %(who)s.",
                rie=rie_name(rie),
                d=_fmt(current.tested_on),
                who=current.expert_name,
            )
            + parts
        )
        if gaps:
            fix = contract_fix if gaps == [contract_gap] else fix
            return Result(
                ChecklistAnswerValue.DEELS,
                sentence + " " + _("Maar: %(g)s.", g="; ".join(gaps)),
                [rie_ref(rie)],
                fix,
            )
        return Result(ChecklistAnswerValue.VOLDOET, f"{sentence} {contract}", [rie_ref(rie)], fix)
    older = db.session.scalar(
        _live(Toetsing, org).where(Toetsing.tested_on <= today).order_by(Toetsing.tested_on.desc())
    )
    if older is not None:
        return Result(
            ChecklistAnswerValue.DEELS,
            _(
                "Alleen een eerdere RI&E-versie is getoetst (%(d)s); %(rie)s nog niet.",
                d=_fmt(older.tested_on),
                rie=rie_name(rie),
            ),
            [rie_ref(rie)],
            fix,
        )
    return Result(
        ChecklistAnswerValue.VOLDOET_NIET,
        _(
            "%(rie)s is niet getoetst en er geldt geen vrijstelling. %(why)s",
            rie=rie_name(rie),
            why=exemption.reason,
        ),
        [rie_ref(rie)],
        fix,
    )


@rule("or_instemming_rie")
def or_instemming_rie(org, today: date) -> Result:
    rie = _current_rie(org, today)
    if rie is None:
        return _no_rie(_("RI&E vastleggen"))
    fix = Ref(
        "fix", _("RI&E voorleggen aan de OR/PVT"), rie.id, "rie.rie_show", {"rie_id": rie.id}, "rie.index"
    )
    rie_approval = _latest_decided(org, "rie", rie.id)
    plan_approval = _latest_decided(org, "plan_version")
    rie_ok = rie_approval is not None and rie_approval.decision == ApprovalDecision.VERLEEND
    plan_ok = plan_approval is not None and plan_approval.decision == ApprovalDecision.VERLEEND
    parts = [
        _describe_approval(rie_approval, _("RI&E")),
        _describe_approval(plan_approval, _("Plan van Aanpak")),
    ]
    sentence = "; ".join(parts) + "."
    evidence = [rie_ref(rie), _page(_("Plan van Aanpak"), "plan.index")]
    if rie_ok and plan_ok:
        return Result(ChecklistAnswerValue.VOLDOET, sentence, evidence, fix)
    refused = any(
        a is not None and a.decision == ApprovalDecision.GEWEIGERD for a in (rie_approval, plan_approval)
    )
    if refused or (rie_approval is None and plan_approval is None):
        return Result(ChecklistAnswerValue.VOLDOET_NIET, sentence, evidence, fix)
    return Result(ChecklistAnswerValue.DEELS, sentence, evidence, fix)
