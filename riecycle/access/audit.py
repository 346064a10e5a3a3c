"""The audit log as a viewer may read it: masking decided when an entry is read.

Entries are written once and never change, so whether an entry may be shown is decided from
the records' CURRENT state: a measure changed to level individu hides its earlier entries too.
Used by the audit page and by the audit sheets of the exports, so both hide the same.
"""

from dataclasses import dataclass
from functools import cached_property

from flask_babel import gettext as _
from sqlalchemy import select

from riecycle.access.anonymity import min_respondents
from riecycle.access.filters import hidden_individual_measures
from riecycle.extensions import db
from riecycle.models import (
    Attachment,
    Evaluation,
    Incident,
    MeasureNote,
    MeasureScore,
    MeasureStatusChange,
    OnderzoekScore,
    OnderzoekTeam,
    PlanComment,
)

# Records about one measure: entity label -> model with a measure_id.
MEASURE_CHILDREN = {
    "Statuswijziging": MeasureStatusChange,
    "Voortgangsnotitie": MeasureNote,
    "Evaluatie": Evaluation,
    "Prioritering": MeasureScore,
    "Opmerking Plan van Aanpak": PlanComment,
}
PERSONAL_ENTITIES = ("Medewerker",)
INCIDENT_TEXT = ("description", "follow_up")


@dataclass(frozen=True)
class Shown:
    """An entry as the viewer may see it: label, changes, and why it is masked (None: not)."""

    label: str | None
    changes: dict
    masked: str | None = None


class AuditMask:
    """Decides per entry what a viewer may read (for one organisation)."""

    def __init__(self, viewer, org_id: int, min_respondents: int):
        self.viewer, self.org_id, self.min_respondents = viewer, org_id, min_respondents

    @cached_property
    def _hidden(self) -> dict[int, tuple[str, str]]:
        return hidden_individual_measures(self.viewer, self.org_id)

    @cached_property
    def hidden_measures(self) -> dict[int, str]:
        """Measure id -> pseudonym, for the individual measures the viewer may not read."""
        return {mid: name for mid, (_title, name) in self._hidden.items()}

    @cached_property
    def hidden_titles(self) -> set[str]:
        """The titles of the hidden measures (other records list measures by title)."""
        return {title for title, _name in self._hidden.values()}

    @cached_property
    def children(self) -> dict[tuple[str, int], int]:
        """(entity, record id) -> hidden measure id, for records about a hidden measure."""
        ids = list(self.hidden_measures)
        found = {}
        if not ids:
            return found
        for entity, model in MEASURE_CHILDREN.items():
            for rid, mid in db.session.execute(
                select(model.id, model.measure_id).where(model.measure_id.in_(ids))
            ):
                found[(entity, rid)] = mid
        for rid, mid in db.session.execute(
            select(Attachment.id, Attachment.owner_id).where(
                Attachment.owner_type == "measure", Attachment.owner_id.in_(ids)
            )
        ):
            found[("Document", rid)] = mid
        return found

    @cached_property
    def private_comments(self) -> set[int]:
        """Comments written as private (they may name the person), whatever their measure."""
        if self.viewer.personal:
            return set()
        return set(
            db.session.scalars(
                select(PlanComment.id).where(
                    PlanComment.organisation_id == self.org_id, PlanComment.private.is_(True)
                )
            )
        )

    @cached_property
    def small_teams(self) -> dict[str, set[int]]:
        """Onderzoek team results (and their scores) under the anonymity threshold."""
        teams = set(
            db.session.scalars(
                select(OnderzoekTeam.id).where(
                    OnderzoekTeam.organisation_id == self.org_id,
                    OnderzoekTeam.respondents < self.min_respondents,
                )
            )
        )
        scores = (
            set(
                db.session.scalars(
                    select(OnderzoekScore.id).where(OnderzoekScore.onderzoek_team_id.in_(teams))
                )
            )
            if teams
            else set()
        )
        return {"Onderzoeksresultaat team": teams, "Onderzoeksscore": scores}

    @cached_property
    def hidden_incidents(self) -> set[int]:
        """Meldingen whose description the viewer may not read (see Viewer.sees_employee)."""
        rows = db.session.execute(
            select(Incident.id, Incident.team_id).where(Incident.organisation_id == self.org_id)
        ).all()
        return {iid for iid, team_id in rows if not self.viewer.sees_employee(team_id)}

    # --- one entry --------------------------------------------------------------------------

    def _measure_of(self, entry) -> int | None:
        if entry.entity == "Maatregel":
            return entry.entity_id if entry.entity_id in self.hidden_measures else None
        return self.children.get((entry.entity, entry.entity_id))

    def shown(self, entry) -> Shown:
        """The entry as this viewer may read it."""
        changes = entry.changes or {}
        # Anonymity holds for every reader, as on the onderzoek page itself.
        if entry.entity_id in self.small_teams.get(entry.entity, ()):
            return Shown(
                entry.label,
                {},
                _("Afgeschermd: minder dan %(n)s respondenten in dit team.", n=self.min_respondents),
            )
        if self.viewer.personal:
            return Shown(entry.label, changes)
        if entry.erased_at is not None or entry.action == "erase":
            # A tombstone ("gewist op … door …") and the erasure itself hold no erased content.
            return Shown(entry.label, {})
        measure_id = self._measure_of(entry)
        if measure_id is not None:
            name = self.hidden_measures[measure_id]
            label = name if entry.entity == "Maatregel" else f"{entry.entity} – {name}"
            return Shown(
                label,
                {},
                _("Afgeschermd: deze wijziging betreft een individuele maatregel van een medewerker (AVG)."),
            )
        if entry.entity == "Opmerking Plan van Aanpak" and entry.entity_id in self.private_comments:
            return Shown(entry.label, {}, _("Afgeschermde opmerking over een individuele maatregel."))
        if entry.entity in PERSONAL_ENTITIES:
            return Shown(
                _("Medewerker #%(n)s", n=entry.entity_id),
                {},
                _("Afgeschermd: persoonsgegevens van een medewerker (AVG)."),
            )
        if entry.entity == "Melding" and entry.entity_id in self.hidden_incidents:
            hidden = _("afgeschermd")
            changes = {k: ([hidden, hidden] if k in INCIDENT_TEXT else v) for k, v in changes.items()}
        return Shown(entry.label, self._without_titles(changes))

    def _without_titles(self, changes: dict) -> dict:
        """Hidden measures' titles replaced wherever a record lists measures (e.g. sessions)."""
        titles = self.hidden_titles
        if not titles:
            return changes
        hidden = _("afgeschermde individuele maatregel")

        def clean(value):
            if isinstance(value, list):
                return [clean(v) for v in value]
            return hidden if isinstance(value, str) and value in titles else value

        return {k: clean(v) for k, v in changes.items()}


def audit_mask(viewer, org_id: int) -> AuditMask:
    """The mask for a viewer, with the organisation's anonymity threshold."""
    return AuditMask(viewer, org_id, min_respondents())
