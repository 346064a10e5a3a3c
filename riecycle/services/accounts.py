"""Users, memberships, password hashing, tokens and login throttling."""

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import LoginThrottle, Membership, Organisation, User, UserSession
from riecycle.models.user import ROLES, Role, new_token
from riecycle.services import ServiceError
from riecycle.services.records import lock_organisation

MIN_PASSWORD_LENGTH = 10


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def set_password(user: User, password: str) -> None:
    """Hash and store a new password; ends every session of the user and voids pending links.

    A view that keeps the user logged in on this device starts a fresh session afterwards.
    """
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ServiceError(
            _("Een wachtwoord heeft minstens %(n)s tekens.", n=MIN_PASSWORD_LENGTH), "password"
        )
    user.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
    user.session_token = new_token()  # reset and invite links are bound to it: they work once
    end_all_sessions(user)
    db.session.flush()


# --- server-side sessions ----------------------------------------------------------


def start_session(user: User, remember: bool = False) -> UserSession:
    """A new server-side session for one login; its id goes into the cookie via user.get_id()."""
    now = clock.now()
    # Tidy up: a session unseen for longer than the remember period has certainly expired.
    stale = now - current_app.config["REMEMBER_COOKIE_DURATION"] - timedelta(days=1)
    db.session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.last_seen_at < stale)
    )
    row = UserSession(user_id=user.id, remember=bool(remember), created_at=now, last_seen_at=now)
    db.session.add(row)
    db.session.flush()
    user.current_session_id = row.id
    return row


def remember_organisation(user: User, organisation_id) -> bool:
    """Save the organisation the user worked in last (home goes there), if they are still a member."""
    if not isinstance(organisation_id, int) or organisation_id == user.last_organisation_id:
        return False
    if user.membership_for(organisation_id) is None:
        return False
    user.last_organisation_id = organisation_id
    db.session.flush()
    return True


def end_session(session_id: str | None) -> None:
    """End one session (logout): its cookies no longer log anyone in."""
    if session_id:
        db.session.execute(
            update(UserSession)
            .where(UserSession.id == session_id, UserSession.ended_at.is_(None))
            .values(ended_at=clock.now())
        )


def end_all_sessions(user: User) -> None:
    """End every session of a user (password change or reset)."""
    if user.id is not None:
        db.session.execute(
            update(UserSession)
            .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
            .values(ended_at=clock.now())
        )
        user.current_session_id = None


def session_expired(row: UserSession, now=None) -> bool:
    """Ended, idle too long, or (remember me) older than the remember period."""
    now = now or clock.now()
    if row.ended_at is not None:
        return True
    if row.remember:
        return row.created_at + current_app.config["REMEMBER_COOKIE_DURATION"] < now
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    return row.last_seen_at + idle < now


TOUCH_SECONDS = 60


def user_for_session(user_id: int, session_id: str) -> User | None:
    """The user of a live session (one query), marking it as seen; None when it has ended."""
    found = db.session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.id == session_id, UserSession.user_id == user_id)
    ).first()
    if found is None:
        return None
    row, user = found
    now = clock.now()
    if session_expired(row, now) or not user.active:
        return None
    if (now - row.last_seen_at).total_seconds() > TOUCH_SECONDS:
        # In its own short transaction, so the request's own work is neither committed
        # nor rolled back with it.
        with db.engine.begin() as conn:
            conn.execute(update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now))
    user.current_session_id = row.id
    return user


def create_user(email: str, name: str, password: str | None = None, **extra) -> User:
    """Create a user account (password optional: invited users choose their own)."""
    email = normalise_email(email)
    if not email or "@" not in email:
        raise ServiceError(_("Vul een geldig e-mailadres in."), "email")
    if find_user(email):
        raise ServiceError(_("Er bestaat al een account met dit e-mailadres."), "email")
    user = User(email=email, name=name.strip() or email, **extra)
    db.session.add(user)
    if password:
        set_password(user, password)
    db.session.flush()
    return user


def add_membership(org: Organisation, user: User, role: str) -> Membership:
    """Give a user a role in an organisation (or change it)."""
    if role not in ROLES:
        raise ServiceError(_("Onbekende rol."), "role")
    membership = user.membership_for(org.id)
    if membership is None:
        membership = Membership(user=user, organisation_id=org.id, role=role)
        db.session.add(membership)
    else:
        membership.role = role
    db.session.flush()
    return membership


def lock_memberships(org: Organisation) -> None:
    """Serialise changes to an organisation's memberships: two role changes cannot both pass the
    "one beheerder left" check on the same snapshot."""
    lock_organisation(org.id)


def _current_role(membership: Membership) -> str | None:
    """The membership's role as committed now (after the lock), not as loaded earlier."""
    return db.session.scalar(select(Membership.role).where(Membership.id == membership.id))


def remove_membership(org: Organisation, membership: Membership) -> None:
    """Take a user out of an organisation; the last beheerder cannot leave."""
    lock_memberships(org)
    if _current_role(membership) == Role.BEHEERDER and count_beheerders(org) <= 1:
        raise ServiceError(_("De laatste beheerder kan niet worden verwijderd."))
    db.session.delete(membership)
    db.session.flush()


def change_role(org: Organisation, membership: Membership, role: str) -> None:
    """Change a member's role; the organisation keeps at least one beheerder."""
    lock_memberships(org)
    if _current_role(membership) == Role.BEHEERDER and role != Role.BEHEERDER and count_beheerders(org) <= 1:
        raise ServiceError(_("De organisatie moet minstens één beheerder houden."), "role")
    add_membership(org, membership.user, role)


def count_beheerders(org: Organisation) -> int:
    return db.session.scalar(  # pyright: ignore[reportReturnType]  # a count is never None
        select(func.count(Membership.id)).where(
            Membership.organisation_id == org.id, Membership.role == Role.BEHEERDER
        )
    )


# --- tokens ---------------------------------------------------------------


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"riecycle-{purpose}")


def make_token(user: User, purpose: str) -> str:
    """A signed token for reset or invite, bound to the user's current session token."""
    return _serializer(purpose).dumps({"u": user.id, "s": user.session_token})


def read_token(token: str, purpose: str, max_age_seconds: int) -> User | None:
    """The user of a valid, unexpired, unused token; None otherwise."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age_seconds)
    except (SignatureExpired, BadSignature):
        return None
    user = db.session.get(User, data.get("u"))
    if user is None or user.session_token != data.get("s"):
        return None  # already used: setting a password renews the session token
    return user


# --- login throttling -------------------------------------------------------


def _throttle_row(key: str) -> LoginThrottle:
    """The counter for a key; a count older than the window has decayed to zero."""
    row = db.session.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key=key, failures=0, updated_at=clock.now())
        db.session.add(row)
    window = timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])
    if row.failures and row.updated_at and row.updated_at + window < clock.now():
        row.failures = 0
    return row


def throttle_keys(email: str, ip: str) -> list[str]:
    """The counters a password attempt counts on (a second-factor code counts on its own ones)."""
    return [f"account:{normalise_email(email)}", f"ip:{ip}"]


def locked_minutes(email: str, ip: str, keys: list[str] | None = None) -> int:
    """Minutes left on a lock of this account or IP address (0 when free)."""
    now = clock.now()
    left = 0
    for key in keys or throttle_keys(email, ip):
        row = db.session.get(LoginThrottle, key)
        if row and row.locked_until and row.locked_until > now:
            left = max(left, int((row.locked_until - now).total_seconds() // 60) + 1)
    return left


def register_failure(email: str, ip: str, keys: list[str] | None = None) -> None:
    """Count a failed login; lock the account and IP after too many."""
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    minutes = current_app.config["LOGIN_LOCK_MINUTES"]
    for row in [_throttle_row(key) for key in keys or throttle_keys(email, ip)]:
        row.failures += 1
        row.updated_at = clock.now()
        if row.failures >= limit:
            row.locked_until = clock.now() + timedelta(minutes=minutes)
            row.failures = 0
    db.session.flush()


def register_success(email: str, ip: str, keys: list[str] | None = None) -> None:
    """A good login clears the failure counts of the account and of the IP address.

    A lock that is running stays (a login is refused while locked, so this only clears counts).
    """
    for key in keys or throttle_keys(email, ip):
        row = db.session.get(LoginThrottle, key)
        if row:
            row.failures, row.locked_until = 0, None
    db.session.flush()


def allow_reset_request(email: str, ip: str) -> tuple[bool, bool]:
    """Count a password reset request: (IP within its limit, address within its limit).

    Counts decay after an hour. Over the IP limit the request is refused outright; over the
    address limit no more mail is sent, but the answer stays the same (no account is revealed).
    """
    config = current_app.config
    results = []
    for key, limit in (
        (f"reset-ip:{ip}", config["RESET_MAX_PER_IP"]),
        (f"reset-account:{normalise_email(email)}", config["RESET_MAX_PER_ADDRESS"]),
    ):
        row = db.session.get(LoginThrottle, key)
        now = clock.now()
        if row is None:
            row = LoginThrottle(key=key, failures=0, updated_at=now)
            db.session.add(row)
        if row.locked_until is None or row.locked_until <= now:
            row.failures, row.locked_until = 0, now + timedelta(hours=1)  # a new hour window
        row.failures += 1
        row.updated_at = now
        results.append(row.failures <= limit)
    db.session.flush()
    return results[0], results[1]


_DUMMY_HASHES: dict[str, str] = {}


def dummy_hash() -> str:
    """A hash made with the configured method and cost, to check against for unknown accounts."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash(new_token(), method=method)
    return _DUMMY_HASHES[method]


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None.

    An unknown address costs the same: its password is checked against a hash made with the
    same method and cost as real ones, so timing does not reveal which accounts exist.
    """
    user = find_user(email)
    if user is None or not user.active or not user.password_hash:
        check_password_hash(dummy_hash(), password or "")
        return None
    return user if check_password_hash(user.password_hash, password or "") else None


def member_choices(org) -> list[tuple[int, str]]:
    """(user id, name) of the organisation's members by name, for select fields and filters."""
    rows = db.session.execute(
        select(User.id, User.name)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == org.id)
    )
    return sorted(((user_id, name) for user_id, name in rows), key=lambda row: (row[1].lower(), row[0]))


def memberships_of(user, q: str | None = None, limit: int | None = None, offset: int = 0) -> list[Membership]:
    """A user's memberships by organisation name, optionally only organisations matching q."""
    stmt = (
        select(Membership)
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.user_id == user.id, Organisation.deleted_at.is_(None))
        .order_by(Organisation.name, Organisation.id)
    )
    if q:
        stmt = stmt.where(Organisation.name.ilike(f"%{q}%"))
    return list(db.session.scalars(stmt.limit(limit).offset(offset)))


def membership_count(user, q: str | None = None) -> int:
    """How many (live) organisations a user belongs to, optionally matching q."""
    stmt = (
        select(func.count(Membership.id))
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.user_id == user.id, Organisation.deleted_at.is_(None))
    )
    if q:
        stmt = stmt.where(Organisation.name.ilike(f"%{q}%"))
    return db.session.scalar(stmt) or 0
