"""What an exported workbook says about itself, in its custom document properties (issue 17).

An importable export (the evidence workbook, the risk register and plan lists) records for which
organisation and when it was written, and whether names and free text were pseudonymised for
the viewer. The import uses this: references only match records when the workbook was exported
from the same organisation; a record changed after the export is a conflict; a pseudonymised
copy never overwrites a stored title, description or employee.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from openpyxl.packaging.custom import BoolProperty, StringProperty

from riecycle import clock

ORGANISATION = "riecycle-organisatie"
EXPORTED_AT = "riecycle-geexporteerd-op"
PSEUDONYMISED = "riecycle-gepseudonimiseerd"


@dataclass(frozen=True)
class Stamp:
    organisation: str
    exported_at: datetime
    pseudonymised: bool


def pseudonymised_for(viewer) -> bool:
    """Whether some individual measures are shown as pseudonyms to this viewer."""
    return not viewer.personal


def mark(wb, org, viewer) -> None:
    """Stamp a workbook being written for `viewer` of `org`."""
    props = wb.custom_doc_props
    props.append(StringProperty(name=ORGANISATION, value=org.slug))
    props.append(StringProperty(name=EXPORTED_AT, value=clock.now().astimezone(UTC).isoformat()))
    props.append(BoolProperty(name=PSEUDONYMISED, value=pseudonymised_for(viewer)))


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
    # Anything but an explicit "not pseudonymised" counts as pseudonymised: the safe side.
    return Stamp(organisation, exported_at, values.get(PSEUDONYMISED) is not False)
