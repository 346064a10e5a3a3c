"""Reading an import file: refuse what is not a plain .xlsx, then check every row and collect
every problem (sheet, row, column, Dutch message), so the user fixes the file in one go.

This module is the import's public face for views, the CLI and the jobs; the work is done in:

- filecheck.py: the file itself (size, format, macros, encryption, zip and part bounds);
- tables.py and cells.py: sheets, header rows, rows and cell values;
- directory.py: the organisation's teams, users, employees, themes and factors by name;
- plan_import.py and teams_import.py: the checks of each kind of file;
- apply.py: creating what a checked file describes, through the services.

Nothing here writes to the database except apply.py, which only flushes.
"""

from riecycle.excel.apply import apply_plan, apply_teams
from riecycle.excel.cells import CellError, norm
from riecycle.excel.filecheck import check_file, max_bytes, max_rows, read_workbook
from riecycle.excel.plan_import import PlanImport, parse_plan
from riecycle.excel.problems import ImportRefused, Problem
from riecycle.excel.teams_import import TeamsImport, parse_teams

__all__ = [
    "CellError",
    "ImportRefused",
    "PlanImport",
    "Problem",
    "TeamsImport",
    "apply_plan",
    "apply_teams",
    "check_file",
    "max_bytes",
    "max_rows",
    "norm",
    "parse_plan",
    "parse_teams",
    "read_workbook",
]
