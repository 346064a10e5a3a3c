"""How the sheets look: header styling, number and date formats, column widths."""

from openpyxl.styles import Alignment, Font, PatternFill

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", start_color="0B6E4F", end_color="0B6E4F")
HEADER_ALIGNMENT = Alignment(vertical="center", wrap_text=True)
SECTION_FONT = Font(bold=True, size=12)
WRAP = Alignment(vertical="top", wrap_text=True)
TOP = Alignment(vertical="top")

# Dutch notation; Excel shows them in the reader's own locale where it can.
DATE_FORMAT = "DD-MM-YYYY"
DATETIME_FORMAT = "DD-MM-YYYY HH:MM"
TIME_FORMAT = "HH:MM"
EUR_FORMAT = '"€" #,##0.00;"€" -#,##0.00'
PERCENT_FORMAT = "0%"
INTEGER_FORMAT = "0"

# Column kinds -> default width (characters).
WIDTHS = {
    "text": 22,
    "longtext": 48,
    "date": 13,
    "datetime": 17,
    "time": 8,
    "eur": 14,
    "pct": 10,
    "int": 10,
    "num": 10,
    "bool": 9,
}
# Printing (LibreOffice and Excel do not fit row heights to wrapped text when they open a file,
# so the writer sets each row's height from an estimate of its wrapped lines).
LINE_HEIGHT = 15.0  # points per line of 11 pt text
MAX_ROW_HEIGHT = 409.0  # Excel's limit
PAPER_A4 = 9

NUMBER_FORMATS = {
    "date": DATE_FORMAT,
    "datetime": DATETIME_FORMAT,
    "time": TIME_FORMAT,
    "eur": EUR_FORMAT,
    "pct": PERCENT_FORMAT,
    "int": INTEGER_FORMAT,
}
