"""Benchmark steps that run in their own process, so wall time and peak RSS are theirs alone.

python -m bench.tasks import-file  --db URL --org SLUG --out FILE [--measures N]
python -m bench.tasks import       --db URL --org SLUG --file FILE --as EMAIL
python -m bench.tasks padded-file  --db URL --org SLUG --out FILE [--measures N] [--empty-rows N]
python -m bench.tasks count-cells  --file FILE            (prints JSON: sheets with rows x cols)
python -m bench.tasks raw-openpyxl --shape JSON --out FILE
python -m bench.tasks writers      --db URL --org SLUG [--writers N] [--commits N] [--no-counter]
"""

import argparse
import json
import random
import time
from datetime import date, timedelta

from openpyxl import Workbook, load_workbook


def _app(db_url: str, **config):
    from riecycle import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": db_url, **config})


def build_import_file(
    db_url: str, slug: str, out: str, n_measures: int, n_risks: int = 400, label: str = ""
) -> None:
    """An import file with the template's sheets and headers: n_risks risks and n_measures measures.

    label makes the titles differ from an earlier file's (a title that exists is refused).
    """
    from flask_babel import force_locale
    from sqlalchemy import select

    from riecycle.excel import schema
    from riecycle.extensions import db
    from riecycle.models import Membership, Organisation, Team, Theme, User

    app = _app(db_url)
    rng = random.Random(21)
    with app.app_context(), app.test_request_context("/"), force_locale("nl"):
        org = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
        teams = list(db.session.scalars(select(Team.name).where(Team.organisation_id == org.id).limit(200)))
        themes = list(db.session.scalars(select(Theme.name_nl)))
        emails = list(
            db.session.scalars(
                select(User.email)
                .join(Membership, Membership.user_id == User.id)
                .where(
                    Membership.organisation_id == org.id,
                    Membership.role.in_(("preventiemedewerker", "beheerder")),
                )
            )
        )
        dutch = schema.dutch
        wb = Workbook(write_only=True)
        risks = wb.create_sheet(str(schema.RISKS_SHEET))
        risks.append([str(f.header) for f in schema.RISK_FIELDS])
        index = {f.key: i for i, f in enumerate(schema.RISK_FIELDS)}
        for i in range(n_risks):
            row = [None] * len(schema.RISK_FIELDS)
            row[index["ref"]] = f"IMP-R{i + 1:04d}"
            row[index["theme"]] = rng.choice(themes)
            row[index["title"]] = f"Geïmporteerd knelpunt {label}{i + 1}"
            row[index["description"]] = "Piekbelasting in de avonddienst door onderbezetting."
            row[index["kans"]], row[index["frequentie"]], row[index["effect"]] = (
                rng.choice((1, 3, 5)),
                rng.choice((1, 4, 7)),
                rng.choice((1, 5, 10)),
            )
            risks.append(row)
        measures = wb.create_sheet(str(schema.MEASURES_SHEET))
        measures.append([str(f.header) for f in schema.MEASURE_FIELDS])
        index = {f.key: i for i, f in enumerate(schema.MEASURE_FIELDS)}
        today = date.today()
        for i in range(n_measures):
            row = [None] * len(schema.MEASURE_FIELDS)
            level = "team" if i % 3 else "organisatie"
            row[index["ref"]] = f"IMP-M{i + 1:05d}"
            row[index["risk_refs"]] = f"IMP-R{rng.randrange(n_risks) + 1:04d}"
            row[index["title"]] = f"Geïmporteerde maatregel {label}{i + 1}"
            row[index["level"]] = dutch("level", level)
            row[index["teams"]] = rng.choice(teams) if level == "team" else None
            row[index["approach"]] = dutch("approach", "bronaanpak")
            row[index["responsible"]] = rng.choice(emails)
            row[index["termijn"]] = today + timedelta(days=rng.randint(-60, 365))
            measures.append(row)
        wb.save(out)


def pad_sheet(data: bytes, sheet_number: int, empty_rows: int, then: str | None = None) -> bytes:
    """The xlsx with empty, formatted rows appended to sheet N (1-based), optionally one filled row
    after them (`then`: the text of its cell A), as a sheet formatted far down looks in the file."""
    import re
    import zipfile
    from io import BytesIO

    part = f"xl/worksheets/sheet{sheet_number}.xml"
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == part:
                xml = content.decode()
                last = max((int(n) for n in re.findall(r'<row r="(\d+)"', xml)), default=0)
                rows = [
                    f'<row r="{n}" s="0" customFormat="1"/>' for n in range(last + 1, last + 1 + empty_rows)
                ]
                if then is not None:
                    n = last + 1 + empty_rows
                    rows.append(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{then}</t></is></c></row>')
                xml = re.sub(r"<sheetData\s*/>", "<sheetData></sheetData>", xml)
                xml = xml.replace("</sheetData>", "".join(rows) + "</sheetData>", 1)
                xml = re.sub(r'<dimension ref="[^"]*"\s*/>', "", xml)
                content = xml.encode()
            target.writestr(item, content)
    return out.getvalue()


def build_padded_file(db_url: str, slug: str, out: str, n_measures: int, empty_rows: int) -> None:
    """A small plan file whose Plan van aanpak sheet is padded with `empty_rows` empty rows."""
    from pathlib import Path

    build_import_file(db_url, slug, out, n_measures, n_risks=40, label="opgevuld ")
    path = Path(out)
    path.write_bytes(pad_sheet(path.read_bytes(), 2, empty_rows))


def run_import(db_url: str, slug: str, path: str, email: str) -> dict:
    """Parse, check and store the file in one transaction, as `flask import plan` does."""
    from pathlib import Path

    from sqlalchemy import select

    from riecycle.audit import reset_actor, set_actor
    from riecycle.excel import importer
    from riecycle.extensions import db
    from riecycle.models import Organisation
    from riecycle.services import accounts

    data = Path(path).read_bytes()
    # The row limit is the default setting (RIECYCLE_IMPORT_MAX_ROWS); only the byte limit is
    # lifted: this measures the import itself.
    app = _app(db_url, IMPORT_MAX_BYTES=len(data) + 1)
    with app.app_context(), app.test_request_context("/"):
        org = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
        user = accounts.find_user(email)
        token = set_actor(user.id)
        started = time.perf_counter()
        try:
            parsed = importer.parse_plan(org, data, path)
            parsed_at = time.perf_counter()
            counts = importer.apply_plan(org, user, parsed)
            db.session.commit()
        except importer.ImportRefused as refused:
            return {"error": [p.as_text() for p in refused.problems[:5]]}
        finally:
            reset_actor(token)
        done = time.perf_counter()
        return {
            "seconds": round(done - started, 2),
            "parse_seconds": round(parsed_at - started, 2),
            "apply_seconds": round(done - parsed_at, 2),
            "bytes": len(data),
            "notes": [str(n) for n in getattr(parsed, "notes", [])],
            **counts,
        }


def count_cells(path: str) -> list[dict]:
    """Per sheet: rows and columns actually written (rows x widest row)."""
    wb = load_workbook(path, read_only=True)
    shape = []
    for ws in wb.worksheets:
        rows = cols = 0
        for row in ws.iter_rows(values_only=True):
            rows += 1
            cols = max(cols, len(row))
        shape.append({"sheet": ws.title, "rows": rows, "cols": cols})
    wb.close()
    return shape


def raw_openpyxl(shape: list[dict], out: str) -> None:
    """The baseline: openpyxl write-only, the same sheets and cell count, plain mixed values."""
    wb = Workbook(write_only=True)
    start = date(2024, 1, 1)
    for sheet in shape:
        ws = wb.create_sheet(sheet["sheet"][:31])
        cols = sheet["cols"]
        for r in range(sheet["rows"]):
            ws.append(
                [
                    (
                        f"Tekst {r}-{c} werkdruk"
                        if c % 3 == 0
                        else r * c
                        if c % 3 == 1
                        else start + timedelta(days=r % 900)
                    )
                    for c in range(cols)
                ]
            )
    wb.save(out)


def concurrent_writers(db_url: str, slug: str, writers: int, commits: int, counter: bool) -> dict:
    """`writers` threads each commit `commits` small edits (one measure's title) in one organisation.

    Every commit raises the organisation's one change-counter row (riecycle/changes.py); with
    counter=False that hook is removed, so the two runs show what the shared row costs.
    """
    import threading

    from sqlalchemy import event, select

    from riecycle import changes
    from riecycle.extensions import db
    from riecycle.models import Measure, Organisation

    app = _app(db_url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": writers + 2})
    with app.app_context():
        if not counter:
            event.remove(db.session, "before_commit", changes._before_commit)
        org_id = db.session.scalar(select(Organisation.id).where(Organisation.slug == slug))
        ids = list(
            db.session.scalars(
                select(Measure.id)
                .where(Measure.organisation_id == org_id)
                .order_by(Measure.id)
                .limit(writers * 50)
            )
        )
        db.session.remove()
    errors: list[str] = []

    def work(n: int) -> None:
        mine = ids[n::writers]
        with app.app_context():
            for i in range(commits):
                try:
                    measure = db.session.get(Measure, mine[i % len(mine)])
                    measure.title = f"Bench {n}-{i} " + measure.title[:150]
                    db.session.commit()
                except Exception as error:  # noqa: BLE001 - counted and reported
                    db.session.rollback()
                    errors.append(type(error).__name__)
            db.session.remove()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(writers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    done = writers * commits - len(errors)
    return {
        "counter": counter,
        "writers": writers,
        "commits": done,
        "errors": sorted(set(errors)),
        "seconds": round(seconds, 2),
        "commits_per_s": round(done / seconds, 1) if seconds else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "task", choices=("import-file", "padded-file", "import", "count-cells", "raw-openpyxl", "writers")
    )
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--commits", type=int, default=100)
    parser.add_argument("--no-counter", action="store_true")
    parser.add_argument("--db")
    parser.add_argument("--org")
    parser.add_argument("--out")
    parser.add_argument("--file")
    parser.add_argument("--as", dest="email")
    parser.add_argument("--measures", type=int, default=10_000)
    parser.add_argument("--shape")
    parser.add_argument("--empty-rows", type=int, default=1_000_000)
    args = parser.parse_args()
    if args.task == "import-file":
        build_import_file(args.db, args.org, args.out, args.measures)
    elif args.task == "padded-file":
        build_padded_file(args.db, args.org, args.out, args.measures, args.empty_rows)
    elif args.task == "import":
        print(json.dumps(run_import(args.db, args.org, args.file, args.email)))
    elif args.task == "writers":
        print(
            json.dumps(concurrent_writers(args.db, args.org, args.writers, args.commits, not args.no_counter))
        )
    elif args.task == "count-cells":
        print(json.dumps(count_cells(args.file)))
    else:
        raw_openpyxl(json.loads(open(args.shape).read()), args.out)


if __name__ == "__main__":
    main()
