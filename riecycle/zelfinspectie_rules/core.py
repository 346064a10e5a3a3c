"""The records of the automatic checks: answers, references, counts, and the rule registry."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

# Thresholds, stated once so the explanations and the tests agree.
COVERAGE_OK, COVERAGE_PARTLY = 0.8, 0.5  # C13: share of staff informed in 12 months
OVERDUE_OK, OVERDUE_PARTLY = 0.10, 0.25  # B12: share of measures past their termijn
INSTRUCTION_MONTHS = 24  # C14: an instruction for leidinggevenden counts for two years
EVALUATE_AFTER_DAYS = 90  # E21: evaluate about three months after completion
REPEAT_AFTER_DAYS = 365  # E22: the effect measurement follows one to two years after the baseline
LIST_MAX = 3
# A run keeps at most this many evidence references per item (most relevant first), with the total
# and a link to the page that lists them all: a large employer has thousands of overdue measures.
EVIDENCE_MAX = 20


@dataclass(frozen=True)
class Ref:
    """A reference to a record or page: rendered as a link when the endpoint exists, else as text."""

    kind: str
    label: str
    id: int | None = None
    endpoint: str | None = None
    params: dict = field(default_factory=dict)
    # A readable page to fall back on (e.g. the area's index) when the endpoint is not there.
    fallback: str | None = None
    # Permission the endpoint needs; readers without it get the fallback.
    requires: str | None = None

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "id": self.id,
            "label": self.label,
            "endpoint": self.endpoint,
            "params": dict(self.params),
            "fallback": self.fallback,
            "requires": self.requires,
        }


@dataclass
class Result:
    answer: str | None
    explanation: str
    evidence: list = field(default_factory=list)
    fix: Ref | None = None
    # How many records the evidence stands for when only the first EVIDENCE_MAX are referenced,
    # and the (filtered) page that lists them all.
    total: int | None = None
    full_list: Ref | None = None
    # Every count the sentence names, with the records it counted.
    counts: list = field(default_factory=list)


@dataclass(frozen=True)
class Count:
    """A number in the sentence and the ids of the records it counted, for the whole organisation.

    The report links each count to a page that lists exactly these records through the access
    policy; the ids are stored in the run, so the list shows what was counted at that run.
    """

    key: str
    kind: str  # one of COUNTED_KINDS
    label: str  # the count as the sentence names it, e.g. "8 afgeronde maatregelen"
    ids: tuple = ()
    # Records keyed by a string instead of an id (themes, factors of the taxonomy).
    keys: tuple = ()
    # The RI&E version the rule judged, when the list's details come from an RI&E (themes).
    rie_id: int | None = None

    def as_dict(self) -> dict:
        data = {
            "key": self.key,
            "kind": self.kind,
            "label": self.label,
            "n": len(self.ids) + len(self.keys),
            "ids": pack_ids(self.ids),
        }
        if self.keys:
            data["keys"] = list(self.keys)
        if self.rie_id is not None:
            data["rie_id"] = self.rie_id
        return data


def pack_ids(ids) -> list:
    """Sorted ids as [first, last] runs: a run stays small when it counts thousands of records."""
    runs: list = []
    for i in sorted(set(ids)):
        if runs and runs[-1][1] == i - 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return runs


def unpack_ids(runs) -> list[int]:
    """The ids of pack_ids' runs (malformed runs are skipped: stored JSON is not trusted blindly)."""
    ids: list[int] = []
    for pair in runs or []:
        if isinstance(pair, list | tuple) and len(pair) == 2 and all(isinstance(v, int) for v in pair):
            ids.extend(range(pair[0], min(pair[1], pair[0] + 1_000_000) + 1))
    return ids


RULES: dict[str, Callable[[object, date], Result]] = {}


def rule(key: str):
    """Register a rule under its key from seed/checklist.yaml."""

    def register(func):
        RULES[key] = func
        return func

    return register
