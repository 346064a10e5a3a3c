"""Stored zelfinspectie runs as a viewer may read them.

A run is stored once and read by every member, and the records it names may change after it
was run. So the references and texts are masked when they are read: risks the viewer may not
see (a leidinggevende and another team's risk) and individual measures, from their current state.
"""

import copy
from functools import cached_property

from flask_babel import gettext as _
from sqlalchemy import select

from riecycle.access.filters import hidden_individual_measures, visible_risks_filter
from riecycle.extensions import db
from riecycle.models import Risk

TEXT_KEYS = ("explanation", "justification")


class EvidenceMask:
    """Masks references and texts of stored runs for one viewer of one organisation."""

    def __init__(self, viewer, org_id: int):
        self.viewer, self.org_id = viewer, org_id

    @cached_property
    def hidden_risks(self) -> dict[int, str]:
        """Risk id -> title, for the risks the viewer may not see."""
        if not self.viewer.is_leader:
            return {}
        return dict(
            db.session.execute(
                select(Risk.id, Risk.title).where(
                    Risk.organisation_id == self.org_id, ~visible_risks_filter(self.viewer)
                )
            ).all()
        )

    @cached_property
    def hidden_measures(self) -> dict[int, tuple[str, str]]:
        """Measure id -> (title, pseudonym), for the individual measures the viewer may not read."""
        return hidden_individual_measures(self.viewer, self.org_id)

    @cached_property
    def _replacements(self) -> list[tuple[str, str]]:
        other = _("risico van een ander team")
        pairs = [(title, other) for title in self.hidden_risks.values()]
        pairs += [(title, name) for title, name in self.hidden_measures.values()]
        # Longest first, so a title that contains another is replaced whole.
        return sorted({p for p in pairs if p[0]}, key=lambda p: -len(p[0]))

    def text(self, value):
        """A text with every hidden title replaced."""
        if not isinstance(value, str) or not value:
            return value
        for title, name in self._replacements:
            value = value.replace(title, name)
        return value

    def ref(self, ref: dict) -> dict:
        """One evidence reference: hidden records lose their title and their link."""
        kind, rid = ref.get("kind"), ref.get("id")
        if kind == "risk" and rid in self.hidden_risks:
            return {**ref, "label": _("Risico van een ander team"), "endpoint": None, "params": {}}
        if kind == "measure" and rid in self.hidden_measures:
            return {**ref, "label": self.hidden_measures[rid][1]}
        return {**ref, "label": self.text(ref.get("label"))}

    def entry(self, entry: dict) -> dict:
        """One item of a run, masked."""
        if not self._replacements:
            return entry
        masked = copy.copy(entry)
        masked["evidence"] = [self.ref(r) for r in entry.get("evidence") or []]
        for key in TEXT_KEYS:
            if key in masked:
                masked[key] = self.text(masked[key])
        return masked

    def items(self, items) -> list[dict]:
        return [self.entry(e) for e in items or []]


class MaskedRun:
    """A stored run read through a mask: the same attributes, its items masked."""

    def __init__(self, run, mask: EvidenceMask):
        self._run, self.items = run, mask.items(run.items)

    def __getattr__(self, name):
        return getattr(self._run, name)


def masked_run(run, viewer):
    """The run as this viewer may read it (None stays None)."""
    if run is None or viewer is None:
        return run
    return MaskedRun(run, EvidenceMask(viewer, run.organisation_id))
