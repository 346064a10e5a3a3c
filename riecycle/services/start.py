""" "Aan de slag": the eight steps from an empty organisation to a running PSA cycle.

Every step is ticked from the records, never by a stored tick: a step is done when what it asks
for exists (docs/domain.md §1 and §8). The cycle *runs* once all eight are done; then the
checklist leaves the home page, unless the member reopened it (Membership.show_start). Each
role sees the steps its permissions let it do (access/roles.py); a role without any sees none.
Read-only: a handful of count queries, none per record.
"""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import exists, func, select

from riecycle.access.roles import role_can
from riecycle.extensions import db
from riecycle.models import (
    Approval,
    ChecklistRun,
    Employee,
    Invitation,
    Measure,
    Membership,
    RieTheme,
    Risk,
    Team,
    Theme,
    VoorlichtingSession,
)
from riecycle.models.measure import measure_risks
from riecycle.models.rie import RiskStatus
from riecycle.models.user import Role
from riecycle.services import rie as rie_service

# The roles to invite (step 2), in the order the checklist names them.
INVITED_ROLES = (Role.PREVENTIEMEDEWERKER, Role.OR_LID, Role.LEIDINGGEVENDE)


@dataclass
class Step:
    """One step: done or not, what is still missing, and where to do it (endpoint, values, label)."""

    key: str
    number: int
    title: str
    done: bool
    detail: str
    permission: str
    links: list = field(default_factory=list)  # (label, endpoint, url values)


@dataclass
class Checklist:
    steps: list  # every step, for the organisation
    role: str | None
    decide: Step | None = None  # the OR/PVT's own seventh step: deciding on the request
    # What exists (teams, staff, risks, measures, sessions, requests, runs): the empty states of
    # the home pages say what will appear and link to the step that fills it.
    facts: dict = field(default_factory=dict)

    @property
    def runs(self) -> bool:
        """The cycle runs: every step is done."""
        return all(s.done for s in self.steps)

    @property
    def mine(self) -> list:
        """The steps this role can do, in their order."""
        own = [s for s in self.steps if role_can(self.role, s.permission)]
        if self.decide is not None and role_can(self.role, self.decide.permission):
            own.append(self.decide)
        return sorted(own, key=lambda s: s.number)

    @property
    def done(self) -> int:
        return sum(1 for s in self.mine if s.done)


def _count(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def _live(model, org):
    return select(model.id).where(model.organisation_id == org.id, model.deleted_at.is_(None))


def _teams_step(org, facts: dict) -> Step:
    teams = facts["teams"] = _count(_live(Team, org))
    staff = facts["staff"] = _count(_live(Employee, org))
    done = teams > 0 and staff > 0
    detail = (
        _("%(t)s teams en %(e)s medewerkers vastgelegd.", t=teams, e=staff)
        if done
        else _("Leg de teams en medewerkers vast, met het formulier of met het Excel-sjabloon.")
    )
    links = [
        (_("Teams"), "beheer.teams", {}),
        (_("Medewerkers"), "beheer.employees_index", {}),
        (_("Excel-sjabloon"), "export.index", {"_anchor": "importeren"}),
    ]
    return Step("teams", 1, _("Teams en medewerkers"), done, detail, "manage", links)


def _invite_step(org) -> Step:
    roles = set(
        db.session.scalars(select(Membership.role).where(Membership.organisation_id == org.id).distinct())
    )
    waiting = _count(
        select(Invitation.id).where(Invitation.organisation_id == org.id, Invitation.accepted_at.is_(None))
    )
    missing = [r for r in INVITED_ROLES if r not in roles]
    done = not missing and not waiting
    names = {
        Role.PREVENTIEMEDEWERKER: _("de preventiemedewerker"),
        Role.OR_LID: _("de OR/PVT-leden"),
        Role.LEIDINGGEVENDE: _("de leidinggevenden"),
    }
    parts = []
    if missing:
        parts.append(_("Nog niet aan boord: %(w)s.", w=", ".join(str(names[r]) for r in missing)))
    if waiting:
        parts.append(
            ngettext(
                "%(num)s uitnodiging is nog niet geaccepteerd.",
                "%(num)s uitnodigingen zijn nog niet geaccepteerd.",
                waiting,
            )
        )
    detail = " ".join(parts) if parts else _("Iedereen heeft de uitnodiging geaccepteerd.")
    links = [(_("Gebruikers uitnodigen"), "beheer.users", {})]
    title = _("Nodig de preventiemedewerker, de OR/PVT-leden en de leidinggevenden uit")
    return Step("invite", 2, title, done, detail, "manage", links)


def _rie_step(org, rie, facts: dict) -> Step:
    risks = facts["risks"] = _count(_live(Risk, org))
    facts["scored"] = _count(_live(Risk, org).where(Risk.current_score.is_not(None)))
    done = rie is not None and risks > 0
    if done:
        detail = ngettext("%(num)s risico vastgelegd.", "%(num)s risico's vastgelegd.", risks)
    elif rie is None:
        detail = _(
            "Leg de RI&E vast: met de hand, met het sjabloon van riecycle of met het plan van aanpak uit rie.nl."
        )
    else:
        detail = _("De RI&E is vastgelegd, maar heeft nog geen risico's.")
    links = [
        (
            _("RI&E vastleggen"),
            "rie.rie_new" if rie is None else "rie.rie_show",
            {} if rie is None else {"rie_id": rie.id},
        ),
        (_("Risico toevoegen"), "rie.risk_new", {}),
        (_("Importeren (sjabloon of rie.nl)"), "export.index", {"_anchor": "importeren"}),
    ]
    return Step("rie", 3, _("Leg de RI&E vast"), done, detail, "edit_rie", links)


def _themes_step(org, rie) -> Step:
    """Every PSA theme has a risk, or "onderzocht, geen risico" or n.v.t. with its grounds (A1)."""
    keys = list(db.session.scalars(select(Theme.key)))
    covered: set = set()
    if rie is not None:
        covered = set(
            db.session.scalars(
                select(Risk.theme_key).where(
                    Risk.organisation_id == org.id,
                    Risk.deleted_at.is_(None),
                    Risk.rie_id == rie.id,
                    Risk.status != RiskStatus.NVT,
                )
            )
        )
        covered |= set(
            db.session.scalars(
                select(RieTheme.theme_key).where(
                    RieTheme.rie_id == rie.id,
                    RieTheme.deleted_at.is_(None),
                    func.length(func.trim(func.coalesce(RieTheme.reason, ""))) > 0,
                )
            )
        )
    open_ = [k for k in keys if k not in covered]
    done = rie is not None and not open_
    detail = (
        _("Elk PSA-thema heeft een risico of een onderbouwde conclusie.")
        if done
        else ngettext(
            "%(num)s thema heeft nog geen risico, 'onderzocht, geen risico' of n.v.t.",
            "%(num)s thema's hebben nog geen risico, 'onderzocht, geen risico' of n.v.t.",
            len(open_),
        )
    )
    links = (
        [(_("Thema's nalopen"), "rie.themes", {"rie_id": rie.id})]
        if rie is not None
        else [(_("Eerst de RI&E vastleggen"), "rie.rie_new", {})]
    )
    return Step("themes", 4, _("Loop de PSA-thema's na"), done, detail, "edit_rie", links)


def _measures_step(org, facts: dict) -> Step:
    has_measure = exists().where(
        measure_risks.c.risk_id == Risk.id,
        measure_risks.c.measure_id == Measure.id,
        Measure.deleted_at.is_(None),
    )
    counting = _live(Risk, org).where(Risk.status != RiskStatus.NVT)
    total = _count(counting)
    bare = _count(counting.where(~has_measure))
    facts["measures"] = _count(_live(Measure, org))
    done = total > 0 and bare == 0
    if done:
        detail = _("Elk risico heeft een maatregel.")
    elif total == 0:
        detail = _("Eerst risico's: dan per risico een maatregel, te beginnen op organisatieniveau.")
    else:
        detail = ngettext(
            "%(num)s risico heeft nog geen maatregel. Begin op organisatieniveau.",
            "%(num)s risico's hebben nog geen maatregel. Begin op organisatieniveau.",
            bare,
        )
    links = [(_("Maatregel toevoegen"), "plan.new", {}), (_("Plan van Aanpak"), "plan.index", {})]
    title = _("Maatregelen voor elk risico, eerst op organisatieniveau")
    return Step("measures", 5, title, done, detail, "edit_plan", links)


def _session_step(org, facts: dict) -> Step:
    sessions = facts["sessions"] = _count(_live(VoorlichtingSession, org))
    done = sessions > 0
    detail = (
        ngettext("%(num)s voorlichting gepland.", "%(num)s voorlichtingen gepland.", sessions)
        if done
        else _("Plan de eerste voorlichting voor medewerkers en leidinggevenden.")
    )
    links = [(_("Voorlichting plannen"), "voorlichting.session_new", {})]
    return Step("session", 6, _("Plan de eerste voorlichting"), done, detail, "edit_voorlichting", links)


def _or_step(org, rie, role) -> Step:
    requests = _count(_live(Approval, org))
    decided = _count(_live(Approval, org).where(Approval.decision.is_not(None)))
    if role == Role.OR_LID:
        done = decided > 0
        detail = (
            _("De OR/PVT heeft besloten.")
            if done
            else (
                _("Er ligt een verzoek om instemming klaar.")
                if requests
                else _("Er is nog geen verzoek om instemming.")
            )
        )
        links = [(_("Naar de besluiten"), "plan.versions", {})]
        return Step("or", 7, _("Besluit over de instemming"), done, detail, "or_decide", links)
    done = requests > 0
    detail = (
        _("De instemming is gevraagd.")
        if done
        else _("Leg de RI&E of het Plan van Aanpak voor aan de OR/PVT (WOR art. 27).")
    )
    links = [(_("Plan van Aanpak voorleggen"), "plan.versions", {})]
    if rie is not None:
        links.insert(0, (_("RI&E voorleggen"), "rie.rie_show", {"rie_id": rie.id}))
    return Step("or", 7, _("Vraag de OR/PVT om instemming"), done, detail, "submit_to_or", links)


def _inspection_step(org, facts: dict) -> Step:
    runs = facts["runs"] = _count(select(ChecklistRun.id).where(ChecklistRun.organisation_id == org.id))
    done = runs > 0
    detail = (
        _("De zelfinspectie is gedaan.") if done else _("Toets uw beleid zoals de Arbeidsinspectie dat doet.")
    )
    links = [(_("Naar de zelfinspectie"), "zelfinspectie.index", {})]
    return Step("inspection", 8, _("Doe de zelfinspectie"), done, detail, "edit_zelfinspectie", links)


def checklist(org, role: str | None) -> Checklist:
    """The eight steps for this organisation, as the member with this role sees them."""
    rie = rie_service.current_rie(org)
    facts: dict = {"rie": rie}
    steps = [
        _teams_step(org, facts),
        _invite_step(org),
        _rie_step(org, rie, facts),
        _themes_step(org, rie),
        _measures_step(org, facts),
        _session_step(org, facts),
        _or_step(org, rie, None),
        _inspection_step(org, facts),
    ]
    decide = _or_step(org, rie, Role.OR_LID) if role == Role.OR_LID else None
    return Checklist(steps, role, decide, facts)


def shown(checklist_: Checklist, membership) -> bool:
    """On the home page: reopened or closed by the member, else until the cycle runs."""
    if not checklist_.mine:
        return False
    preference = membership.show_start if membership is not None else None
    if preference is not None:
        return preference
    return not checklist_.runs


def set_shown(membership, show: bool) -> None:
    """Reopen or close the checklist for this member (a display preference, not audited)."""
    membership.show_start = show
    db.session.flush()
