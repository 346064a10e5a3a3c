"""Cached aggregates: the expensive numbers, charts and lists of the main pages, per process.

A value is cached under a key that names everything it depends on:

- the organisation and its change counter (riecycle/changes.py), read from the database once
  per request: any committed change to the organisation's data gives a new key;
- the visibility: the viewer's role and, for a leidinggevende, their teams;
- the user, where the content is per user (mijn maatregelen);
- the language, because chart titles and labels are translated when computed;
- today's date in Europe/Amsterdam, because overdue measures, ages and round closings change
  at midnight without any write.

Each process keeps its own bounded LRU (RIECYCLE_AGGREGATE_CACHE_SIZE entries, default 512).
With several workers or app machines each has its own copy; they stay correct because the
counter is read from the shared database on every request, so one machine's write makes the
other machines' entries unreachable (they age out of the LRU). A request whose own transaction
has uncommitted changes for the organisation computes afresh and stores nothing.

Cached values are shared between requests: treat them as read-only. ORM objects are never
cached (they belong to one session); cache ids and load the rows by primary key instead.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar, cast

from flask import current_app, g, has_request_context

from riecycle import changes, clock

DEFAULT_SIZE = 512


class LRU:
    """A small thread-safe least-recently-used mapping (gunicorn may run threads)."""

    def __init__(self, size: int = DEFAULT_SIZE):
        self.size = size
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key, default=None):
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                return self._data[key]
            self.misses += 1
            return default

    def put(self, key, value) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._data)


_store = LRU()
_MISSING = object()


def store() -> LRU:
    """The process's cache, sized from the configuration on first use."""
    size = int(current_app.config.get("AGGREGATE_CACHE_SIZE") or DEFAULT_SIZE)
    if _store.size != size:
        _store.size = size
    return _store


def clear() -> None:
    """Forget every cached value (tests; after restoring a database backup, restart instead)."""
    _store.clear()


def enabled() -> bool:
    return bool(current_app.config.get("AGGREGATE_CACHE", True))


def current_counter(org_id: int) -> int:
    """The organisation's change counter, read once per request (before anything is computed)."""
    if not has_request_context():
        return changes.counter(org_id)
    counters = g.setdefault("change_counters", {})
    if org_id not in counters:
        counters[org_id] = changes.counter(org_id)
    return counters[org_id]


def _locale() -> str:
    from flask_babel import get_locale

    try:
        return str(get_locale() or "nl")
    except Exception:  # noqa: BLE001 - outside a request: Dutch
        return "nl"


def key(kind: str, org_id: int, viewer=None, user_id: int | None = None, extra=()) -> tuple:
    """The full cache key of one aggregate (see the module doc for why each part is there)."""
    visibility = None
    if viewer is not None:
        visibility = (viewer.role, tuple(sorted(viewer.team_ids)) if viewer.is_leader else ())
    return (
        kind,
        org_id,
        current_counter(org_id),
        visibility,
        user_id,
        _locale(),
        clock.today().isoformat(),
        tuple(extra),
    )


T = TypeVar("T")


def aggregate(
    kind: str, org, compute: Callable[[], T], *, viewer=None, user_id: int | None = None, extra=()
) -> T:
    """compute(), or its cached result for this organisation state, visibility, user, language and day."""
    from riecycle.extensions import db

    if not enabled() or org.id in changes.pending(db.session) or changes.EVERY in changes.pending(db.session):
        return compute()
    cache_key = key(kind, org.id, viewer, user_id, extra)
    cache = store()
    value = cache.get(cache_key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.put(cache_key, value)
    return cast(T, value)
