"""Users, memberships, password hashing, tokens and login throttling."""

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from riecycle import clock
from riecycle.extensions import db
from riecycle.models import LoginThrottle, Membership, Organisation, User
from riecycle.models.user import ROLES, new_token
from riecycle.services import ServiceError

MIN_PASSWORD_LENGTH = 10


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def set_password(user: User, password: str) -> None:
    """Hash and store a new password; ends the user's other sessions."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ServiceError(
            _("Een wachtwoord heeft minstens %(n)s tekens.", n=MIN_PASSWORD_LENGTH), "password"
        )
    user.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
    user.session_token = new_token()
    db.session.flush()


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


def remove_membership(org: Organisation, membership: Membership) -> None:
    """Take a user out of an organisation; the last beheerder cannot leave."""
    if membership.role == "beheerder" and count_beheerders(org) <= 1:
        raise ServiceError(_("De laatste beheerder kan niet worden verwijderd."))
    db.session.delete(membership)
    db.session.flush()


def change_role(org: Organisation, membership: Membership, role: str) -> None:
    """Change a member's role; the organisation keeps at least one beheerder."""
    if membership.role == "beheerder" and role != "beheerder" and count_beheerders(org) <= 1:
        raise ServiceError(_("De organisatie moet minstens één beheerder houden."), "role")
    add_membership(org, membership.user, role)


def count_beheerders(org: Organisation) -> int:
    return db.session.scalar(
        select(func.count(Membership.id)).where(
            Membership.organisation_id == org.id, Membership.role == "beheerder"
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


def _throttle_rows(email: str, ip: str) -> list[LoginThrottle]:
    keys = [f"account:{normalise_email(email)}", f"ip:{ip}"]
    rows = []
    for key in keys:
        row = db.session.get(LoginThrottle, key)
        if row is None:
            row = LoginThrottle(key=key, failures=0)
            db.session.add(row)
        rows.append(row)
    return rows


def locked_minutes(email: str, ip: str) -> int:
    """Minutes left on a lock of this account or IP address (0 when free)."""
    now = clock.now()
    left = 0
    for key in (f"account:{normalise_email(email)}", f"ip:{ip}"):
        row = db.session.get(LoginThrottle, key)
        if row and row.locked_until and row.locked_until > now:
            left = max(left, int((row.locked_until - now).total_seconds() // 60) + 1)
    return left


def register_failure(email: str, ip: str) -> None:
    """Count a failed login; lock the account and IP after too many."""
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    minutes = current_app.config["LOGIN_LOCK_MINUTES"]
    for row in _throttle_rows(email, ip):
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = clock.now() + timedelta(minutes=minutes)
            row.failures = 0
    db.session.flush()


def register_success(email: str, ip: str) -> None:
    """A good login clears the account's failure count."""
    row = db.session.get(LoginThrottle, f"account:{normalise_email(email)}")
    if row:
        row.failures, row.locked_until = 0, None
    db.session.flush()


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None."""
    user = find_user(email)
    if user is None or not user.active or not user.password_hash:
        check_password_hash(
            "scrypt:1024:8:1$x$0", password or ""
        )  # similar work either way, so timing does not reveal accounts
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
