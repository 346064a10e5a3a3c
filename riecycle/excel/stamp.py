"""What an exported workbook says about itself, in its custom document properties.

An importable export (the evidence workbook, the risk register and plan lists) records for which
organisation and when it was written, and whether names and free text were pseudonymised for
the viewer. The import uses this: references only match records when the workbook was exported
from the same organisation; a record changed after the export is a conflict; a pseudonymised
copy never overwrites a stored title, description or employee.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from openpyxl.packaging.custom import BoolProperty, StringProperty

from riecycle import clock

ORGANISATION = "riecycle-organisatie"
EXPORTED_AT = "riecycle-geexporteerd-op"
PSEUDONYMISED = "riecycle-gepseudonimiseerd"
AS_OF = "riecycle-stand-van"  # a workbook with a period shows the state of that day, not today's


@dataclass(frozen=True)
class Stamp:
    organisation: str
    exported_at: datetime
    pseudonymised: bool
    as_of: date | None = None


def pseudonymised_for(viewer) -> bool:
    """Whether some individual measures are shown as pseudonyms to this viewer."""
    return not viewer.personal


def mark(wb, org, viewer, as_of: date | None = None) -> None:
    """Stamp a workbook being written for `viewer` of `org` (as_of: the day whose state it shows)."""
    props = wb.custom_doc_props
    props.append(StringProperty(name=ORGANISATION, value=org.slug))
    props.append(StringProperty(name=EXPORTED_AT, value=clock.now().astimezone(UTC).isoformat()))
    props.append(BoolProperty(name=PSEUDONYMISED, value=pseudonymised_for(viewer)))
    if as_of is not None:
        props.append(StringProperty(name=AS_OF, value=as_of.isoformat()))


def read(wb) -> Stamp | None:
    """The stamp of an uploaded workbook, or None (a template, another program's file)."""
    try:
        values = {p.name: p.value for p in wb.custom_doc_props}
    except (AttributeError, TypeError):
        return None
    organisation, exported = values.get(ORGANISATION), values.get(EXPORTED_AT)
    if not isinstance(organisation, str) or not isinstance(exported, str):
        return None
    try:
        exported_at = datetime.fromisoformat(exported)
    except ValueError:
        return None
    if exported_at.tzinfo is None:
        exported_at = exported_at.replace(tzinfo=UTC)
    try:
        as_of = date.fromisoformat(values[AS_OF]) if isinstance(values.get(AS_OF), str) else None
    except ValueError:
        as_of = date.min  # unreadable: treat as a past state (the import refuses it)
    # Anything but an explicit "not pseudonymised" counts as pseudonymised: the safe side.
    return Stamp(organisation, exported_at, values.get(PSEUDONYMISED) is not False, as_of)
