"""Each upload parsed once: the preview and the confirm reuse the check made at the upload.

Reading and checking a large file costs seconds; before this, the upload, the preview and the
confirm each read the whole file again. The checked result is kept in this process, keyed by
the pending upload (the Attachment that waits for confirmation), and is only reused when

- it is the same organisation and the same kind of import;
- it is the same file: the pending upload's sha256 (written from its bytes when it was stored);
- the organisation's records the check looked at (risks, measures, teams, employees and
  members) have not changed since: their count and last change are compared. A colleague who
  adds a risk with a title from the file in the meantime makes the confirm check the file again.

Anything else (another app process, a restart, an evicted entry) simply checks the file again,
so the cache never decides what is imported, only how often the file is read.
"""

from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

from sqlalchemy import func, select

from riecycle.extensions import db

# Checked uploads kept per process; each is one pending import (at most max_rows() rows a sheet).
KEPT = 8


@dataclass(frozen=True)
class _Entry:
    org_id: int
    kind: str
    sha256: str
    state: tuple
    parsed: object


_entries: OrderedDict[int, _Entry] = OrderedDict()
_lock = Lock()


def organisation_state(org_id: int) -> tuple:
    """How many of the records an import check reads there are, and when they last changed."""
    from riecycle.models import Employee, Measure, Membership, Risk, Team

    state = []
    for model in (Risk, Measure, Team, Employee, Membership):
        row = db.session.execute(
            select(func.count(), func.max(model.updated_at)).where(model.organisation_id == org_id)
        ).one()
        state.append((row[0], row[1]))
    return tuple(state)


def remember(pending, org_id: int, kind: str, parsed) -> None:
    """Keep the checked result of a stored pending upload.

    An update import (a workbook exported from this organisation) is not kept: its result holds
    the records it changes, which belong to the request that loaded them, and the confirm must
    compare each row's version with the record as it is then.
    """
    if getattr(parsed, "stamp", None) is not None:
        return
    entry = _Entry(org_id, kind, pending.sha256, organisation_state(org_id), parsed)
    with _lock:
        _entries[pending.id] = entry
        _entries.move_to_end(pending.id)
        while len(_entries) > KEPT:
            _entries.popitem(last=False)


def recall(pending, org_id: int, kind: str):
    """The checked result of this pending upload, or None when it must be checked again."""
    with _lock:
        entry = _entries.get(pending.id)
    if entry is None or (entry.org_id, entry.kind, entry.sha256) != (org_id, kind, pending.sha256):
        return None
    if entry.state != organisation_state(org_id):
        return None
    return entry.parsed


def forget(pending_id: int) -> None:
    """Drop a pending upload's result (applied or cancelled)."""
    with _lock:
        _entries.pop(pending_id, None)


def clear() -> None:
    with _lock:
        _entries.clear()
