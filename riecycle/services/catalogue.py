"""The catalogue of standard measures: seed/catalogue.yaml plus the organisation's own entries."""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from riecycle.content import load_yaml
from riecycle.extensions import db
from riecycle.models import CatalogueEntry
from riecycle.models.measure import APPROACHES, LEVELS, ChangeType
from riecycle.services import ServiceError
from riecycle.tenancy import get_in_org

CHANGE_TYPES = tuple(ChangeType)


@dataclass
class Entry:
    """One catalogue measure in the reader's language, standard or the organisation's own."""

    key: str
    title: str
    description: str
    level: str
    approach: str
    themes: list = field(default_factory=list)
    factors: list = field(default_factory=list)
    quick_win: bool = False
    change_type: str = "eenvoudig"
    own: CatalogueEntry | None = None  # set for the organisation's own entries

    def prefill(self) -> dict:
        """The fields a new measure copies from this entry."""
        return {
            "title": self.title,
            "description": self.description,
            "level": self.level,
            "approach": self.approach,
            "quick_win": self.quick_win,
            "change_type": self.change_type,
            "catalogue_key": self.key,
        }


def _text(value, locale: str) -> str:
    if isinstance(value, dict):
        return value.get(locale) or value.get("nl") or ""
    return value or ""


def standard_entries(locale: str = "nl") -> list[Entry]:
    """The shared catalogue from seed/catalogue.yaml, in the given language."""
    return [
        Entry(
            key=item["key"],
            title=_text(item["title"], locale),
            description=_text(item.get("description"), locale),
            level=item["level"],
            approach=item["approach"],
            themes=list(item.get("themes") or []),
            factors=list(item.get("factors") or []),
            quick_win=bool(item.get("quick_win")),
            change_type=item.get("change_type") or "eenvoudig",
        )
        for item in load_yaml("catalogue.yaml")["measures"]
    ]


def own_entries(org) -> list[CatalogueEntry]:
    """The organisation's own catalogue entries."""
    return list(
        db.session.scalars(
            select(CatalogueEntry)
            .where(CatalogueEntry.organisation_id == org.id, CatalogueEntry.deleted_at.is_(None))
            .order_by(CatalogueEntry.title)
        )
    )


def _from_own(entry: CatalogueEntry) -> Entry:
    return Entry(
        key=entry.key,
        title=entry.title,
        description=entry.description,
        level=entry.level,
        approach=entry.approach,
        themes=list(entry.themes or []),
        factors=list(entry.factors or []),
        quick_win=entry.quick_win,
        change_type=entry.change_type,
        own=entry,
    )


def entries(
    org, locale: str = "nl", *, level=None, approach=None, theme=None, factor=None, q=None
) -> list[Entry]:
    """Own entries first, then the standard ones, filtered."""
    items = [_from_own(e) for e in own_entries(org)] + standard_entries(locale)
    needle = (q or "").strip().lower()
    return [
        e
        for e in items
        if (not level or e.level == level)
        and (not approach or e.approach == approach)
        and (not theme or theme in e.themes)
        and (not factor or factor in e.factors)
        and (not needle or needle in e.title.lower() or needle in e.description.lower())
    ]


def get_entry(org, key: str | None, locale: str = "nl") -> Entry | None:
    """One entry by key ("org-<id>" for the organisation's own), or None."""
    if not key:
        return None
    if key.startswith("org-"):
        entry = get_in_org(CatalogueEntry, key[4:], org)
        if entry is None:
            return None
        return _from_own(entry)
    return next((e for e in standard_entries(locale) if e.key == key), None)


def _validate(data: dict) -> dict:
    title = (data.get("title") or "").strip()
    description = (data.get("description") or "").strip()
    if not title:
        raise ServiceError(_("Geef de maatregel een titel."), "title")
    if not description:
        raise ServiceError(_("Beschrijf de maatregel."), "description")
    if data.get("level") not in LEVELS:
        raise ServiceError(_("Kies een niveau."), "level")
    if data.get("approach") not in APPROACHES:
        raise ServiceError(_("Kies een aanpak."), "approach")
    if data.get("change_type") not in CHANGE_TYPES:
        raise ServiceError(_("Kies het soort maatregel."), "change_type")
    return {
        "title": title[:200],
        "description": description,
        "level": data["level"],
        "approach": data["approach"],
        "themes": list(data.get("themes") or []),
        "factors": list(data.get("factors") or []),
        "quick_win": bool(data.get("quick_win")),
        "change_type": data["change_type"],
    }


def create_entry(org, data: dict) -> CatalogueEntry:
    """Add an organisation-specific catalogue entry."""
    entry = CatalogueEntry(organisation_id=org.id, **_validate(data))
    db.session.add(entry)
    db.session.flush()
    return entry


def update_entry(entry: CatalogueEntry, data: dict) -> None:
    """Change an organisation-specific catalogue entry."""
    for key, value in _validate(data).items():
        setattr(entry, key, value)
    db.session.flush()
