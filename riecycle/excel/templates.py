"""Import templates: the import sheets with dropdowns (data validation) fed by a hidden Lijsten sheet."""

from itertools import zip_longest

from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select

from riecycle.excel import schema
from riecycle.excel.filecheck import max_rows
from riecycle.excel.writer import Col, SheetWriter, new_workbook, save
from riecycle.extensions import db
from riecycle.models import Team, Theme

KINDS = ("plan", "teams")
# Columns where one cell may hold several names: the dropdown only suggests.
MULTI = {"teams"}


def _lists(org) -> dict[str, list[str]]:
    teams = sorted(
        db.session.scalars(
            select(Team.name).where(Team.organisation_id == org.id, Team.deleted_at.is_(None))
        ).all(),
        key=str.lower,
    )
    lists = {
        "themes": list(db.session.scalars(select(Theme.name_nl).order_by(Theme.position))),
        "teams": teams,
        "yes_no": [_("Ja"), _("Nee")],
    }
    for kind in (
        "risk_scope",
        "risk_source",
        "risk_status",
        "level",
        "approach",
        "measure_status",
        "change_type",
        "team_kind",
        "risk_method_short",
    ):
        lists[kind] = list(schema.dutch_labels(kind).values())
    return lists


def _lists_sheet(wb, lists: dict) -> None:
    """The hidden Lijsten sheet: one column per value list."""
    names = list(lists)
    sheet = SheetWriter(wb, str(schema.LISTS_SHEET), [Col(n) for n in names], hidden=True)
    for values in zip_longest(*(lists[n] for n in names)):
        sheet.row(values)
    sheet.close()


def _ranges(lists: dict) -> dict[str, str]:
    """List name -> its absolute range on the Lijsten sheet, for a data validation."""
    title = quote_sheetname(str(schema.LISTS_SHEET))
    return {
        n: f"{title}!${get_column_letter(i)}$2:${get_column_letter(i)}${max(len(v), 1) + 1}"
        for i, (n, v) in enumerate(lists.items(), start=1)
    }


def _data_sheet(wb, title, fields, ranges: dict, rows: int) -> None:
    sheet = SheetWriter(wb, str(title), schema.columns(fields))
    for index, field in enumerate(fields, start=1):
        if not field.choices:
            continue
        multi = field.choices in MULTI
        validation = DataValidation(
            type="list",
            formula1=ranges[field.choices],
            allow_blank=True,
            showDropDown=False,
            showErrorMessage=True,
            errorStyle="warning" if multi else "stop",
            errorTitle=_("Kies uit de lijst"),
            error=_("Meerdere teams scheidt u met een puntkomma.")
            if multi
            else _("Kies een waarde uit de lijst."),
        )
        letter = get_column_letter(index)
        validation.add(f"{letter}2:{letter}{rows + 1}")
        sheet.ws.data_validations.append(validation)
    sheet.close()


def _help_sheet(wb, sheets) -> None:
    sheet = SheetWriter(
        wb,
        str(schema.HELP_SHEET),
        [
            Col(_("Tabblad"), width=18),
            Col(_("Kolom"), width=26),
            Col(_("Verplicht"), "bool"),
            Col(_("Uitleg"), "longtext", 80),
        ],
    )
    sheet.plain_row(
        [
            None,
            None,
            None,
            _(
                "Vul per tabblad één rij per regel in. Laat de kolomkoppen staan. riecycle controleert eerst het hele "
                "bestand: bevat één rij een fout, dan wordt er niets ingelezen en ziet u per rij en kolom wat er mis is."
            ),
        ],
        ["text", "text", "text", "longtext"],
    )
    for title, fields in sheets:
        for field in fields:
            if field.importable:
                sheet.row([str(title), str(field.header), field.required, str(field.help) or None])
    sheet.close()


def build(org, kind: str):
    """The template workbook for 'plan' (risks plus measures) or 'teams' (teams plus employees)."""
    rows = max_rows()
    with force_locale("nl"):
        wb = new_workbook()
        if kind == "plan":
            sheets = [
                (schema.RISKS_SHEET, [f for f in schema.RISK_FIELDS if f.importable]),
                (schema.MEASURES_SHEET, [f for f in schema.MEASURE_FIELDS if f.importable]),
            ]
        else:
            sheets = [
                (schema.TEAMS_SHEET, schema.TEAM_FIELDS),
                (schema.EMPLOYEES_SHEET, schema.EMPLOYEE_FIELDS),
            ]
        _help_sheet(wb, sheets)
        lists = _lists(org)
        ranges = _ranges(lists)
        for title, fields in sheets:
            _data_sheet(wb, title, fields, ranges, rows)
        _lists_sheet(wb, lists)
        return save(wb)
