"""The change counter of each organisation: the signal that keeps cached aggregates correct.

Every transaction that changes an organisation's data raises its counter once, in that same
transaction. The flush hooks note which organisations a flush touches (the audit trail's
after_flush calls note_flush; deleted and changed records are noted before the flush, while
their rows still exist), writes that bypass the ORM call touch(), and the counters are raised
just before the commit (before_commit). A page that caches an aggregate reads the counter first
and keys the cache on it (riecycle/cache.py), so a committed change always gives a new key.

Why at commit and not at the flush: the UPDATE of the counter row locks that row until the
transaction ends. Raised during the first flush, it would serialise all of the organisation's
write transactions for their whole length on PostgreSQL; raised at commit it is held only
while the transaction commits. Raising it more often than needed is harmless (a cache miss);
raising it less often would serve a stale page, so anything that cannot tell raises it.
"""

from sqlalchemy import event, inspect, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from riecycle.models.organisation import organisation_changes

PENDING = "changes.pending"
EVERY = "every organisation"  # a change to data all organisations show (the PSA taxonomy)

# Records outside any organisation's data, and why they do not raise a counter.
NOT_COUNTED = {
    "AuditContent": "the text of an audit entry, written only with its AuditEntry (which counts); "
    "the audit log is never cached",
    "LoginThrottle": "failed sign-ins per address: no organisation's data",
    "UserSession": "a user's sign-in sessions: no organisation's data",
    "UsedFormToken": "the double-submit guard of create forms: the record it created counts",
    "RecoveryCode": "a user's second-factor recovery codes: sign-in data, shown on no organisation page",
    "SsoIdentity": "a user's binding to an identity provider: sign-in data, shown on no organisation page",
}
# A user belongs to several organisations; these columns show nowhere in their pages.
USER_PRIVATE = frozenset(
    {
        "password_hash",
        "session_token",
        "calendar_token",
        "last_organisation_id",
        "last_login_at",
        "locale",
        "notify_mode",
        "updated_at",
    }
)


def pending(session) -> set:
    """The organisations (ids, or EVERY) this transaction has changed so far."""
    return session.info.setdefault(PENDING, set())


def touch(organisation_ids, session=None) -> None:
    """Note writes that bypass the ORM; None (or EVERY) means every organisation."""
    if session is None:
        from riecycle.extensions import db

        session = db.session
    if organisation_ids is None or organisation_ids == EVERY:
        pending(session).add(EVERY)
        return
    if isinstance(organisation_ids, int):
        organisation_ids = (organisation_ids,)
    pending(session).update(int(i) for i in organisation_ids if i is not None)


def raise_counters(connection, organisation_ids) -> None:
    """Raise the counters now, in the connection's transaction (the commit hook calls this)."""
    ids = set(organisation_ids)
    table = organisation_changes
    if EVERY in ids:
        _add_missing(connection, None)
        connection.execute(update(table).values(counter=table.c.counter + 1))
        return
    ordered = sorted(ids)  # one order for every transaction: no deadlock between two of them
    if not ordered:
        return
    bumped = connection.execute(
        update(table).where(table.c.organisation_id.in_(ordered)).values(counter=table.c.counter + 1)
    ).rowcount
    if bumped != len(ordered):  # an organisation made by a bulk insert has no row yet
        missing = set(ordered) - set(
            connection.scalars(select(table.c.organisation_id).where(table.c.organisation_id.in_(ordered)))
        )
        _add_missing(connection, sorted(missing), counter=1)


def _add_missing(connection, ids, counter: int = 0) -> None:
    from riecycle.models import Organisation

    orgs = Organisation.__table__
    stmt = select(orgs.c.id, literal(counter)).where(
        orgs.c.id.not_in(select(organisation_changes.c.organisation_id))
    )
    if ids is not None:
        if not ids:
            return
        stmt = stmt.where(orgs.c.id.in_(ids))
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    connection.execute(
        dialect.insert(organisation_changes)
        .from_select(["organisation_id", "counter"], stmt)
        .on_conflict_do_nothing()
    )


def counter(organisation_id: int, session=None) -> int:
    """The organisation's counter as committed (0 before its first change)."""
    if session is None:
        from riecycle.extensions import db

        session = db.session
    value = session.execute(
        select(organisation_changes.c.counter).where(
            organisation_changes.c.organisation_id == organisation_id
        )
    ).scalar()
    return int(value or 0)


# --- which organisations a flush changes ----------------------------------------------------


def _value(obj, key):
    """An attribute's current value without loading it after its row is gone."""
    state = inspect(obj)
    if key in state.dict:
        return state.dict[key]
    if key in state.committed_state:
        return state.committed_state[key]
    return getattr(obj, key)


def _owners(obj) -> set:
    """The organisations a changed record belongs to (old and new, if it moved)."""
    name = type(obj).__name__
    if name in NOT_COUNTED:
        return set()
    if name in ("Theme", "Factor"):
        return {EVERY}
    mapper = inspect(type(obj))
    if name == "Organisation":
        return {_value(obj, "id")}
    if "organisation_id" in mapper.columns:
        owners = {_value(obj, "organisation_id")}
        state = inspect(obj)
        if state.persistent or state.deleted:
            owners |= set(state.attrs.organisation_id.history.deleted)
        return owners
    return {_PARENT_OF}  # resolved in one query per kind (see _resolve)


_PARENT_OF = "resolve"  # a child record: its parent row holds the organisation


def _parents():
    from riecycle.models import Evaluation, EvaluationFactorScore, PulseAnswer, PulseResponse

    return {EvaluationFactorScore: ("evaluation_id", Evaluation), PulseAnswer: ("response_id", PulseResponse)}


def _resolve(session, objs) -> set:
    """The organisations of child records (without an organisation_id of their own)."""
    from riecycle.models import Membership, User

    found = set()
    for child, (key, parent) in _parents().items():
        ids = {_value(o, key) for o in objs if isinstance(o, child)}
        ids.discard(None)
        for parent_id in ids:
            loaded = session.identity_map.get(session.identity_key(parent, parent_id))
            if loaded is not None and "organisation_id" in inspect(loaded).dict:
                found.add(loaded.organisation_id)
                ids = ids - {parent_id}
        if ids:
            found |= set(
                session.connection().scalars(
                    select(parent.__table__.c.organisation_id).where(parent.__table__.c.id.in_(sorted(ids)))
                )
            )
    users = {_value(o, "id") for o in objs if isinstance(o, User)}
    if users:
        found |= set(
            session.connection().scalars(
                select(Membership.__table__.c.organisation_id).where(
                    Membership.__table__.c.user_id.in_(sorted(users))
                )
            )
        )
    known = (*_parents(), User)
    unknown = [type(o).__name__ for o in objs if not isinstance(o, known)]
    if unknown:  # a new model without organisation_id: count it everywhere rather than never
        found.add(EVERY)
    return found


def _user_shown_change(obj) -> bool:
    state = inspect(obj)
    return any(
        key not in USER_PRIVATE and state.attrs[key].history.has_changes() for key in state.committed_state
    )


def _note(session, objs) -> None:
    from riecycle.models import User

    owners, children = set(), []
    for obj in objs:
        if isinstance(obj, User) and not _user_shown_change(obj):
            continue
        found = _owners(obj)
        if _PARENT_OF in found:
            children.append(obj)
        else:
            owners |= found
    if children:
        owners |= _resolve(session, children)
    owners.discard(None)
    if owners:
        pending(session).update(owners)


def _before_flush(session, flush_context, instances) -> None:
    """Deleted and changed records, while their rows (and any unloaded attributes) still exist."""
    with session.no_autoflush:
        dirty = [o for o in session.dirty if session.is_modified(o)]
        _note(session, [*session.deleted, *dirty])


def note_flush(session) -> None:
    """New records, now that they have their ids (called by the audit trail's after_flush)."""
    from riecycle.models import User

    with session.no_autoflush:
        _note(session, [o for o in session.new if not isinstance(o, User)])


def _before_commit(session) -> None:
    session.flush()  # the commit's own flush comes after this hook: count it too
    ids = session.info.pop(PENDING, None)
    if ids:
        raise_counters(session.connection(), ids)


def _after_commit(session) -> None:
    """Counters read earlier in this request are out of date now (riecycle/cache.py)."""
    from flask import g, has_request_context

    if has_request_context():
        g.pop("change_counters", None)


def _after_transaction_end(session, transaction) -> None:
    if transaction.parent is None:  # rolled back or committed: nothing is pending any more
        session.info.pop(PENDING, None)


def install(session_class) -> None:
    """Raise the counters of every changed organisation in the changing transaction (once per process)."""
    for name, hook in (
        ("before_flush", _before_flush),
        ("before_commit", _before_commit),
        ("after_commit", _after_commit),
        ("after_transaction_end", _after_transaction_end),
    ):
        if not event.contains(session_class, name, hook):
            event.listen(session_class, name, hook)
