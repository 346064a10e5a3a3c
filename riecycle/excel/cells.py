"""Cell values: parse one cell of an import file into a stored value, or raise CellError (Dutch)."""

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask_babel import force_locale
from flask_babel import gettext as _

from riecycle.excel import schema
from riecycle.inputs import MAX_INT, MIN_INT
from riecycle.services import fields

TRUE = {"ja", "j", "x", "1", "waar", "true", "yes", "y", "wel"}
FALSE = {"nee", "n", "0", "onwaar", "false", "no", "niet", ""}


def norm(text) -> str:
    text = str(text or "").strip().lower().replace("’", "'").replace("‘", "'").replace("`", "'")
    return re.sub(r"\s+", " ", text)


class CellError(ValueError):
    pass


# Scripts whose letters look like Latin ones (Cyrillic о, Greek ο ...) in a value that must be Dutch.
LOOKALIKE_SCRIPTS = ("CYRILLIC", "GREEK", "FULLWIDTH", "ARMENIAN", "CHEROKEE")


def odd_character(value) -> str | None:
    """Why a value that looks right may not be: an invisible character or a lookalike letter.

    A cell "Open" with a zero-width space, a soft hyphen or a Cyrillic "О" shows exactly like
    the allowed "Open"; the message must then name the character and where it is.
    """
    if not isinstance(value, str):
        return None
    latin = any(char.isascii() and char.isalpha() for char in value)  # a mix of scripts is suspect
    for index, char in enumerate(value):
        category = unicodedata.category(char)
        if category == "Cf" or (category == "Zs" and char != " "):
            return _(
                "'%(v)s' bevat een onzichtbaar teken (%(c)s) op plaats %(p)s. Typ de waarde opnieuw.",
                v=value,
                c=_named(char),
                p=index + 1,
            )
        if (
            latin
            and not char.isascii()
            and char.isalpha()
            and unicodedata.name(char, "").startswith(LOOKALIKE_SCRIPTS)
        ):
            return _(
                "'%(v)s' bevat een teken dat op een letter lijkt maar een ander teken is (%(c)s) op "
                "plaats %(p)s. Typ de waarde opnieuw.",
                v=value,
                c=_named(char),
                p=index + 1,
            )
    return None


def _named(char: str) -> str:
    name = unicodedata.name(char, "").lower()
    return f"U+{ord(char):04X} {name}".strip()


def text(value, max_length: int | None = None) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        value = value.strftime("%d-%m-%Y")
    result = str(value).strip() or None
    if result and (char := fields.xml_illegal(result)) is not None:
        raise CellError(
            _(
                "De tekst bevat een teken dat niet kan worden opgeslagen (%(c)s). Verwijder het.",
                c=fields.code_point(char),
            )
        )
    if result and max_length and len(result) > max_length:
        raise CellError(_("De tekst is te lang: %(n)s tekens, maximaal %(m)s.", n=len(result), m=max_length))
    return result


def line(value, max_length: int | None = None) -> str | None:
    """Single-line text (a title, a name): no line breaks, tabs or other control characters."""
    result = text(value, max_length)
    if result and fields.bad_character(result) is not None:
        raise CellError(_("Deze tekst moet op één regel staan, zonder regeleinden, tabs of stuurtekens."))
    return result


def integer(value) -> int | None:
    number = _integer(value)
    if number is not None and not MIN_INT <= number <= MAX_INT:
        raise CellError(_("Vul een kleiner getal in."))
    return number


def _integer(value) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CellError(_("Vul een heel getal in."))
    if isinstance(value, (int, float, Decimal)) and float(value).is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    raise CellError(_("'%(v)s' is geen heel getal. Vul alleen cijfers in, bijvoorbeeld 3.", v=value))


def day(value) -> date | None:
    """A date cell; a year outside fields.FIRST_YEAR..LAST_YEAR is refused like the forms do."""
    result = _day(value)
    if result is not None and not fields.FIRST_YEAR <= result.year <= fields.LAST_YEAR:
        raise CellError(
            _("De datum ligt niet tussen %(a)s en %(b)s.", a=fields.FIRST_YEAR, b=fields.LAST_YEAR)
        )
    return result


# Excel's serial day numbers (days since 30-12-1899) read as dates, bounded to plausible ones:
# 10000 is 18-05-1927, the upper bound the last day of fields.LAST_YEAR.
EXCEL_EPOCH = date(1899, 12, 30)
MIN_SERIAL = 10_000
SERIAL_RE = re.compile(r"\s*(\d{5,6})(\.\d+)?\s*")


def _serial(value) -> date | None:
    """The date of an Excel serial day number (46419 or "46419"), None when it is none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        number = float(value)
    elif isinstance(value, str) and (match := SERIAL_RE.fullmatch(value)):
        number = float(match.group(1))
    else:
        return None
    if not MIN_SERIAL <= number <= (date(fields.LAST_YEAR, 12, 31) - EXCEL_EPOCH).days:
        return None
    return EXCEL_EPOCH + timedelta(days=int(number))


def _day(value) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if (serial := _serial(value)) is not None:
        return serial
    if isinstance(value, str):
        for fmt in ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%y"):
            try:
                return datetime.strptime(value.strip(), fmt).date()
            except ValueError:
                continue
    raise CellError(
        _("'%(v)s' is geen geldige datum. Gebruik dag-maand-jaar, bijvoorbeeld 31-12-2026.", v=value)
    )


# Amounts typed as text: Dutch (1.500,50 / 1500,50 / 1.500) or with a decimal point (1500.50).
DUTCH_AMOUNT = re.compile(r"-?(\d{1,3}(\.\d{3})+|\d+)(,\d{1,2})?")
POINT_AMOUNT = re.compile(r"-?\d+(\.\d{1,2})?")
AMOUNT_CHARACTERS = re.compile(r"-?[\d.,]+")


def money(value) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise CellError(_("Vul een bedrag in euro's in, bijvoorbeeld 1500 of 1500,50."))
    amount = Decimal(str(value)) if isinstance(value, (int, float, Decimal)) else _amount(str(value))
    if not amount.is_finite():
        raise CellError(_("Vul een bedrag in euro's in, bijvoorbeeld 1500 of 1500,50."))
    if amount < 0:
        raise CellError(_("Het budget kan niet negatief zijn."))
    if amount >= Decimal("10000000000"):
        raise CellError(_("Het budget moet lager zijn dan € 10 miljard."))
    return amount.quantize(Decimal("0.01"))


def _amount(value: str) -> Decimal:
    """An amount typed as text; a mix of points and commas that reads two ways is refused.

    "1,500.50" was stored as € 1,50: a comma before a point, a comma followed by three digits
    ("1,500": 1,5 or 1500?) and more than two decimals are ambiguous.
    """
    raw = value.replace("€", "").replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    if DUTCH_AMOUNT.fullmatch(raw):
        return Decimal(raw.replace(".", "").replace(",", "."))
    if POINT_AMOUNT.fullmatch(raw):
        return Decimal(raw)
    if AMOUNT_CHARACTERS.fullmatch(raw):
        raise CellError(
            _(
                "'%(v)s' is geen eenduidig bedrag: de punten en komma's zijn op twee manieren te lezen. "
                "Schrijf het bedrag met een komma voor de centen, bijvoorbeeld 1500,50 of 1.500,50.",
                v=value,
            )
        )
    raise CellError(
        _(
            "'%(v)s' is geen bedrag. Vul een bedrag in euro's in, bijvoorbeeld 1500 of 1500,50.",
            v=value,
        )
    )


def yes_no(value) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, (int, float)):
        return bool(value)
    key = norm(value)
    if key in TRUE:
        return True
    if key in FALSE:
        return False
    raise CellError(_("Vul Ja of Nee in (nu: '%(v)s').", v=value))


def names(value) -> list[str]:
    raw = text(value) or ""
    return [part.strip() for part in re.split(r"[;\n]", raw) if part.strip()]


class Lookup:
    """Dutch label (or stored value) -> stored value, case-insensitive."""

    def __init__(self, kind: str):
        with force_locale("nl"):
            labels = schema.dutch_labels(kind)
        self.kind = kind
        self.values = {**{norm(k): k for k in labels}, **{norm(v): k for k, v in labels.items()}}
        self.shown = ", ".join(labels.values())

    def __call__(self, value, default=None):
        key = norm(text(value))
        if not key:
            return default
        if key in self.values:
            return self.values[key]
        raise CellError(_("'%(v)s' is geen geldige keuze. Kies uit: %(c)s.", v=text(value), c=self.shown))
