"""What every stored value must look like, checked where every write passes: the model attributes.

Forms, the Excel imports (also the batched ones), the CLI and the seeders all end in setting an
attribute of a model (a constructor sets them too). A `set` listener on each column attribute
refuses, with a ServiceError naming the field, before the value reaches the record:

- **single-line text** (every `String` column: titles, names, topics, locations ...): control
  characters (CR, LF, TAB, NUL, DEL, C1), line and paragraph separators and the bidi overrides.
  A line break in a title broke the header of every reminder mail about it. Multi-line text
  (`Text` columns: descriptions, notes) keeps its line breaks.
- **every text** (single-line and multi-line): the characters an XML document cannot hold
  (inputs.XML_ILLEGAL: C0 controls other than tab and line breaks, lone surrogates, U+FFFE and
  U+FFFF). One U+FFFF in a title made every Excel export of the organisation unreadable.
- **dates** (every `Date` and date-time column): years 1900 to 2200. An RI&E performed in the
  year 1 made the reminder pass overflow.

Tables the system writes itself from stored values (the audit log, the reminder ledger and
notifications, the seeded taxonomy, the login throttle) are not checked: a value stored before these checks must
not make an unrelated save fail.

A value that does not change is not checked again, so old data can still be saved around.
"""

import unicodedata
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Text, event
from sqlalchemy.orm import Mapper

from riecycle.inputs import MAX_DATE, MIN_DATE, XML_ILLEGAL
from riecycle.models.base import Base
from riecycle.services import ServiceError

# The same range as the query and form helpers (riecycle.inputs).
FIRST_YEAR, LAST_YEAR = MIN_DATE.year, MAX_DATE.year

# Tables written by the system from stored values, not from input.
UNCHECKED_TABLES = frozenset(
    {"audit_entries", "reminder_ledger", "notifications", "psa_themes", "psa_factors", "login_throttles"}
)

# Bidi embedding/override/isolate controls: they reorder what a reader sees.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")

# How a field is named in the error (the attribute name otherwise).
LABELS = {
    "title": _l("Titel"),
    "name": _l("Naam"),
    "topic": _l("Onderwerp"),
    "function": _l("Functie"),
    "location": _l("Locatie"),
    "email": _l("E-mailadres"),
    "sector": _l("Sector"),
    "function_group": _l("Functiegroep"),
    "effort": _l("Inzet (uren, mensen, middelen)"),
    "performed_by": _l("Uitgevoerd door"),
    "instrument": _l("Instrument"),
    "registration": _l("Registratienummer"),
    "online_link": _l("Online link"),
    "presenter": _l("Wie geeft de voorlichting"),
    "contact": _l("Bereikbaarheid"),
    "committee": _l("Klachtencommissie"),
    "communication": _l("Hoe bekendgemaakt"),
    "description": _l("Beschrijving"),
    "note": _l("Toelichting"),
    "notes": _l("Toelichting"),
    "status_reason": _l("Toelichting status"),
    "reason": _l("Reden"),
}


def is_control(char: str) -> bool:
    """Whether a single-line text may not contain this character (mail headers replace it)."""
    return char in _BIDI or unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") or char in "\ufffe\uffff"


def xml_illegal(value: str) -> str | None:
    """The first character no text may contain because XML cannot hold it, or None."""
    found = XML_ILLEGAL.search(value)
    return found.group() if found else None


def code_point(char: str) -> str:
    """A character named by its code point, e.g. U+FFFF (it may be invisible or unprintable)."""
    return f"U+{ord(char):04X}"


def bad_character(value: str) -> str | None:
    """The first character a single-line text may not contain, or None."""
    return next((char for char in value if is_control(char)), None)


def _label(key: str) -> str:
    return str(LABELS.get(key, key))


def check_text(key: str, value) -> None:
    """Refuse a text with a character XML cannot hold (ServiceError on the field)."""
    if isinstance(value, str) and (char := xml_illegal(value)) is not None:
        raise ServiceError(
            _(
                "Het veld '%(f)s' bevat een teken dat niet kan worden opgeslagen (%(c)s). Verwijder het "
                "(het is vaak onzichtbaar en meegekomen bij kopiëren en plakken).",
                f=_label(key),
                c=code_point(char),
            ),
            field=key,
        )


def check_line(key: str, value) -> None:
    """Refuse a single-line text with a control character (ServiceError on the field)."""
    check_text(key, value)
    if isinstance(value, str) and (char := bad_character(value)) is not None:
        what = {"\n": _("een regeleinde"), "\r": _("een regeleinde"), "\t": _("een tab")}.get(
            char, _("een stuurteken")
        )
        raise ServiceError(
            _("Het veld '%(f)s' mag maar één regel zijn en geen %(w)s bevatten.", f=_label(key), w=what),
            field=key,
        )


def check_date(key: str, value) -> None:
    """Refuse a date outside FIRST_YEAR..LAST_YEAR (ServiceError on the field)."""
    if isinstance(value, date) and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ServiceError(
            _(
                "De datum in '%(f)s' ligt niet tussen %(a)s en %(b)s.",
                f=_label(key),
                a=FIRST_YEAR,
                b=LAST_YEAR,
            ),
            field=key,
        )


def check_values(model, data: dict) -> None:
    """Check a dict of values for a model at once, before any of them is set (apply_changes)."""
    kinds = _kinds(model)
    for key, value in data.items():
        check = kinds.get(key)
        if check is not None:
            check(key, value)


def _kind(column):
    """check_line, check_text, check_date or None for a column."""
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return None
    if issubclass(python_type, str):
        return check_text if isinstance(column.type, Text) else check_line
    if issubclass(python_type, date):
        return check_date
    return None


def _kinds(model) -> dict:
    mapper = model.__mapper__
    if getattr(mapper, "local_table", None) is None or mapper.local_table.name in UNCHECKED_TABLES:
        return {}
    kinds = {}
    for key, column in mapper.columns.items():
        kind = _kind(column)
        if kind is not None:
            kinds[key] = kind
    return kinds


def _listener(key: str, check):
    def on_set(target, value, oldvalue, initiator):
        if value is not None and value != oldvalue:
            check(key, value)
        return value

    return on_set


def _install(mapper: Mapper) -> None:
    for key, check in _kinds(mapper.class_).items():
        attribute = getattr(mapper.class_, key)
        if not event.contains(attribute, "set", _LISTENERS.get((mapper.class_, key))):  # pyright: ignore[reportArgumentType]
            listener = _LISTENERS[(mapper.class_, key)] = _listener(key, check)
            event.listen(attribute, "set", listener, retval=True)


_LISTENERS: dict = {}


def install() -> None:
    """Attach the checks to every mapped model (idempotent)."""
    import riecycle.models  # noqa: F401 - every model mapped

    for mapper in Base.registry.mappers:
        _install(mapper)
