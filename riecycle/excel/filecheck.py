"""The file itself: refuse what is not a plain .xlsx, and bound what it costs before parsing.

Empty, oversized, old-format, encrypted, macro, corrupt and non-Excel files are refused, and so
are zips that unpack too large and parts (styles, shared strings, sheets) that would cost far
more to parse than any real workbook. Only then is the workbook opened, in read-only mode.
"""

import logging
import zipfile
from contextvars import ContextVar
from io import BytesIO

from flask import current_app
from flask_babel import gettext as _
from openpyxl import load_workbook
from openpyxl.reader import excel as openpyxl_reader
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from riecycle.excel.problems import ImportRefused
from riecycle.excel.problems import refuse as _refuse

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_ROWS = 10_000  # config.IMPORT_MAX_ROWS (RIECYCLE_IMPORT_MAX_ROWS)
# A zip that unpacks to more than this is refused (a "zip bomb").
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# Parts that are parsed whole, bounded before parsing: a styles.xml of 87 MB (1.4 million style
# entries) took 44 s and 1.2 GB. A real workbook's styles are a few hundred KB at most.
MAX_STYLES_BYTES = 4 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 30 * 1024 * 1024
MAX_SHEET_BYTES = 40 * 1024 * 1024
_WITHOUT_SIZE_PROBE = ContextVar("riecycle_without_size_probe", default=False)


class _ImportSheet(ReadOnlyWorksheet):
    """openpyxl's read-only sheet, without its size probe while read_workbook() loads a file.

    openpyxl looks for a sheet's <dimension> when it opens the workbook, and when there is none
    it parses the whole sheet to find out (its loop only stops at the end of <sheetData>): a
    file padded with a million empty rows was read in full before a single row was checked.
    The import does not use the size (tables.py reads the rows that are in the file), so
    read_workbook() skips the probe; everywhere else openpyxl behaves as before.
    """

    def _get_size(self):
        if not _WITHOUT_SIZE_PROBE.get():
            super()._get_size()


openpyxl_reader.ReadOnlyWorksheet = _ImportSheet  # pyright: ignore[reportAttributeAccessIssue]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARKER = "EncryptedPackage".encode("utf-16-le")


def max_bytes() -> int:
    return int(current_app.config.get("IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows() -> int:
    """Filled rows per sheet an import reads: the setting RIECYCLE_IMPORT_MAX_ROWS."""
    return int(current_app.config.get("IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def check_file(data: bytes, filename: str | None = None) -> None:
    """Refuse empty, oversized, old-format, encrypted, macro, corrupt and non-Excel files."""
    name = (filename or "").lower()
    if not data:
        _refuse(_("Het bestand is leeg. Kies het ingevulde Excel-bestand (.xlsx)."))
    if len(data) > max_bytes():
        _refuse(
            _(
                "Het bestand is te groot (%(size)s MB); de grens is %(mb)s MB. Splits het bestand of verwijder "
                "overbodige tabbladen en afbeeldingen.",
                size=f"{len(data) / 1048576:.1f}".replace(".", ","),
                mb=f"{max_bytes() / 1048576:g}".replace(".", ","),
            )
        )
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_MARKER in data:
            _refuse(
                _(
                    "Het bestand is beveiligd met een wachtwoord. Haal in Excel de beveiliging eraf (Bestand → "
                    "Info → Werkmap beveiligen → Versleutelen met wachtwoord: leegmaken), sla op en probeer opnieuw."
                )
            )
        _refuse(
            _(
                "Dit is een oud Excel-bestand (.xls), ook al eindigt de naam misschien op .xlsx. Open het in "
                "Excel en kies Opslaan als → 'Excel-werkmap (.xlsx)'."
            )
        )
    if name.endswith((".xlsm", ".xltm", ".xlsb")):
        _refuse(
            _(
                "Bestanden met macro's (.xlsm) of binaire werkmappen (.xlsb) worden niet geaccepteerd. "
                "Sla het bestand op als 'Excel-werkmap (.xlsx)'."
            )
        )
    if not data.startswith(b"PK"):
        _refuse(
            _(
                "Dit bestand is geen Excel-werkmap (.xlsx). Gebruik het sjabloon van deze pagina of "
                "sla uw bestand in Excel op als 'Excel-werkmap (.xlsx)'."
            )
        )
    _check_zip(data)


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {i.filename.lower() for i in infos}
            if any(n.endswith("vbaproject.bin") for n in names):
                _refuse(
                    _(
                        "Het bestand bevat macro's. Bestanden met macro's worden om veiligheidsredenen niet "
                        "geaccepteerd: sla het op als 'Excel-werkmap (.xlsx)' zonder macro's."
                    )
                )
            if "xl/workbook.xml" not in names:
                _refuse(
                    _(
                        "Dit bestand is geen Excel-werkmap (.xlsx) maar een ander soort bestand "
                        "(bijvoorbeeld Word of een zip-map)."
                    )
                )
            content_types = archive.read("[Content_Types].xml") if "[content_types].xml" in names else b""
            if b"macroEnabled" in content_types:
                _refuse(
                    _(
                        "Het bestand is een werkmap met macro's (.xlsm). Sla het op als 'Excel-werkmap (.xlsx)'."
                    )
                )
            if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
                _refuse(_("Het bestand is uitgepakt te groot om in te lezen. Splits het bestand."))
            _check_parts(infos)
            if archive.testzip() is not None:
                raise zipfile.BadZipFile
    except ImportRefused:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        ValueError,
        OSError,
        EOFError,
        RuntimeError,
        NotImplementedError,
    ):
        _refuse(
            _(
                "Het bestand is beschadigd en kan niet worden gelezen. Open het in Excel, sla het opnieuw "
                "op als 'Excel-werkmap (.xlsx)' en probeer het nog eens."
            )
        )


def _check_parts(infos) -> None:
    """Refuse parts that would cost far more to parse than any real workbook, before parsing.

    The sizes are the uncompressed sizes the zip declares; testzip() (after this) checks them.
    """
    for info in infos:
        name = info.filename.lower()
        if name.endswith("styles.xml") and info.file_size > MAX_STYLES_BYTES:
            _refuse(
                _(
                    "De opmaak van het bestand is te groot (%(mb)s MB aan celstijlen) om in te lezen. "
                    "Kopieer de gegevens naar het sjabloon van deze pagina (Plakken als waarden) en "
                    "probeer het opnieuw.",
                    mb=f"{info.file_size / 1048576:.0f}",
                )
            )
        if name.endswith("sharedstrings.xml") and info.file_size > MAX_SHARED_STRINGS_BYTES:
            _refuse(_("Het bestand bevat te veel tekst om in één keer in te lezen. Splits het bestand."))
        if name.startswith("xl/worksheets/") and name.endswith(".xml") and info.file_size > MAX_SHEET_BYTES:
            _refuse(_("Een tabblad van het bestand is te groot om in te lezen. Splits het bestand."))


def read_workbook(data: bytes, filename: str | None = None):
    """An openpyxl workbook in read-only mode, after check_file()."""
    check_file(data, filename)
    token = _WITHOUT_SIZE_PROBE.set(True)
    try:
        return load_workbook(BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds of errors for broken files
        log.info("unreadable xlsx upload", exc_info=True)
        _refuse(
            _(
                "Het bestand is beschadigd of geen geldige Excel-werkmap en kan niet worden gelezen. "
                "Sla het in Excel opnieuw op als 'Excel-werkmap (.xlsx)'."
            )
        )
    finally:
        _WITHOUT_SIZE_PROBE.reset(token)
