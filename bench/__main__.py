"""`make bench` / `python -m bench`: generate the scenarios and measure, on SQLite and PostgreSQL.

Writes bench/results/latest.json and bench/results/latest.md (the README table). Settings from
the environment: BENCH_BACKENDS (default "sqlite,postgresql"), BENCH_SECONDS per page (10),
BENCH_CONNECTIONS (8), BENCH_WORKERS (2), BENCH_SCALE (1.0 = the issue's sizes),
BENCH_ARBO_ORGS (2000). Everything runs on 127.0.0.1 and stops by itself.
"""

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.load import ROOT, Gunicorn, ensure_wrk, fetch, login, run_wrk
from bench.reports import measure_reports
from bench.reports import targets as report_targets
from bench.reports import text as reports_text

RESULTS = ROOT / "bench" / "results"
PY = sys.executable
FLASK = str(Path(sys.executable).parent / "flask")

TARGET_P95_MS = 150
TARGET_RATIO = 0.10  # the target; 0.20 is the stretch goal
TARGET_EXPORT_RSS_MB = 300
TARGET_EXPORT_VS_RAW = 2.0
TARGET_IMPORT_S = 15
TARGET_REMINDERS_S = 10


def setting(name: str, default):
    return type(default)(os.environ.get(name, default))


def machine() -> dict:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(ln.split()[1])
        for ln in Path("/proc/meminfo").read_text().splitlines()
        if ln.startswith("MemTotal")
    )
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def run_measured(cmd: list[str], env: dict | None = None, timeout: int = 1800) -> dict:
    """Run a command; wall time, peak RSS of that process (wait4), exit code and output."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return {"seconds": round(time.perf_counter() - started, 2), "returncode": proc.returncode, "output": out}


def rss_of(cmd: list[str], env: dict | None = None, timeout: int = 1800) -> dict:
    """Wall time and peak RSS (MB) of one child process, read with os.wait4."""
    out_file = tempfile.TemporaryFile()
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=out_file, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    out_file.seek(0)
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "returncode": proc.returncode,
        "output": out_file.read().decode(errors="replace")[-4000:],
    }


def json_line(output: str) -> dict:
    line = next(ln for ln in reversed(output.splitlines()) if ln.startswith("{"))
    return json.loads(line)


def app_env(url: str) -> dict:
    return {
        "RIECYCLE_ENV": "production",
        "RIECYCLE_SECRET_KEY": "bench-only-secret-" + "0" * 46,  # production wants 32+ bytes
        "RIECYCLE_SECURE_COOKIES": "0",
        "RIECYCLE_DATABASE_URL": url,
    }


def generate(scenario: str, url: str, extra: list[str]) -> dict:
    result = run_measured([PY, "-m", "bench.generate", "--scenario", scenario, "--db", url, "--json", *extra])
    if result["returncode"] != 0:
        raise RuntimeError(f"generating {scenario} failed:\n{result['output'][-3000:]}")
    return {**json_line(result["output"]), "wall_seconds": result["seconds"]}


def pages_of(info: dict) -> dict[str, str]:
    o = f"/o/{info['slug']}"
    return {
        "dashboard": f"{o}/",
        "risk register": f"{o}/rie/risicos",
        "risk detail": f"{o}/rie/risicos/{info['risk_id']}",
        "plan": f"{o}/plan/",
        "mijn maatregelen": f"{o}/plan/mijn",
        "session with attendance": f"{o}/voorlichting/{info['session_id']}/presentielijst",
        "self-inspection": f"{o}/zelfinspectie/",
        "audit log": f"{o}/audit/",
    }


def arbo_pages_of(info: dict) -> dict[str, str]:
    """The adviser's pages: the list of their 2,000 organisations, and one small client's dashboard."""
    return {
        "arbodienst: adviser's organisations": "/account/organisaties",
        "arbodienst: small organisation dashboard": f"/o/{info['small_slug']}/cyclus",
    }


def measure_pages(url: str, info: dict, workdir: Path, backend: str, pages=None, tag: str = "") -> dict:
    """Each page alone (the first request: nothing cached; then a second one), then wrk for p50/p95."""
    seconds, connections = setting("BENCH_SECONDS", 10), setting("BENCH_CONNECTIONS", 8)
    results = {}
    with Gunicorn(
        app_env(url), workers=setting("BENCH_WORKERS", 2), log=workdir / f"gunicorn-{backend}{tag}.log"
    ) as app:
        cookie = login(app.base, info["login"], info["password"])
        for name, path in {"healthz": "/healthz", **(pages or pages_of(info))}.items():
            status, size, single = fetch(app.base + path, cookie)  # the page must answer 200
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
            _status, _size, again = fetch(app.base + path, cookie)  # the same worker may have it cached
            print(
                f"  {backend} {name}: single request {single * 1000:.0f} ms (again {again * 1000:.0f} ms), "
                f"{size / 1024:.0f} KiB",
                flush=True,
            )
            run = no_latency_without_requests(run_wrk(app.base + path, cookie, seconds, connections))
            results[name] = {
                "path": path,
                "bytes": size,
                "single_ms": round(single * 1000, 1),
                "single_again_ms": round(again * 1000, 1),
                **run,
            }
            print(f"    p50 {run['p50_ms']} ms, p95 {run['p95_ms']} ms, {run['rps']} req/s", flush=True)
    ceiling = results["healthz"]["rps"]
    for row in results.values():
        row["ratio_to_healthz"] = round(row["rps"] / ceiling, 3) if ceiling else None
    return results


def no_latency_without_requests(run: dict) -> dict:
    """wrk reports 0 ms when no request finished within the run: that is no latency, not a fast one."""
    if run["requests"] == 0:
        run = {
            **run,
            "p50_ms": None,
            "p95_ms": None,
            "p99_ms": None,
            "max_ms": None,
            "note": "no request completed within the run",
        }
    return run


def p95_text(page: dict) -> str:
    if page["p95_ms"] is None:
        return f"> {page.get('seconds', 10)} s (none completed; 1 request alone: {page['single_ms'] / 1000:.1f} s)"
    return f"{page['p50_ms']:.0f} / {page['p95_ms']:.0f}"


def measure_export(url: str, info: dict, workdir: Path, backend: str) -> dict:
    out = workdir / f"evidence-{backend}.xlsx"
    run = rss_of(
        [FLASK, "--app", "wsgi", "export", "evidence", "--org", info["slug"], "--out", str(out)], app_env(url)
    )
    if run["returncode"] != 0:
        return {"error": run["output"][-2000:]}
    shape = json.loads(
        subprocess.run(
            [PY, "-m", "bench.tasks", "count-cells", "--file", str(out)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    shape_file = workdir / f"shape-{backend}.json"
    shape_file.write_text(json.dumps(shape))
    raw = rss_of(
        [
            PY,
            "-m",
            "bench.tasks",
            "raw-openpyxl",
            "--shape",
            str(shape_file),
            "--out",
            str(workdir / f"raw-{backend}.xlsx"),
        ]
    )
    cells = sum(s["rows"] * s["cols"] for s in shape)
    return {
        "seconds": run["seconds"],
        "peak_rss_mb": run["peak_rss_mb"],
        "bytes": out.stat().st_size,
        "cells": cells,
        "sheets": shape,
        "raw_openpyxl_seconds": raw["seconds"],
        "raw_openpyxl_peak_rss_mb": raw["peak_rss_mb"],
        "ratio_to_raw": round(run["seconds"] / raw["seconds"], 2) if raw["seconds"] else None,
    }


def measure_import(url: str, info: dict, workdir: Path, backend: str) -> dict:
    path = workdir / f"import-{backend}.xlsx"
    subprocess.run(
        [
            PY,
            "-m",
            "bench.tasks",
            "import-file",
            "--db",
            url,
            "--org",
            info["slug"],
            "--out",
            str(path),
            "--measures",
            str(import_rows()),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    run = rss_of(
        [
            PY,
            "-m",
            "bench.tasks",
            "import",
            "--db",
            url,
            "--org",
            info["slug"],
            "--file",
            str(path),
            "--as",
            info["login"],
        ]
    )
    if run["returncode"] != 0:
        return {"error": run["output"][-2000:]}
    result = json_line(run["output"])
    return {**result, "process_seconds": run["seconds"], "peak_rss_mb": run["peak_rss_mb"]}


def import_rows() -> int:
    """The user-facing row limit of an import sheet (RIECYCLE_IMPORT_MAX_ROWS, default 10,000)."""
    from riecycle.excel.filecheck import DEFAULT_MAX_ROWS

    return int(os.environ.get("RIECYCLE_IMPORT_MAX_ROWS") or DEFAULT_MAX_ROWS)


def measure_contention(url: str, info: dict) -> dict:
    """Concurrent small write transactions in one organisation, with and without the change counter."""
    result = {}
    for label, flag in (("without_counter", ["--no-counter"]), ("with_counter", [])):
        run = run_measured(
            [PY, "-m", "bench.tasks", "writers", "--db", url, "--org", info["slug"], "--writers", "4"]
            + ["--commits", str(setting("BENCH_WRITER_COMMITS", 50)), *flag]
        )
        result[label] = (
            json_line(run["output"]) if run["returncode"] == 0 else {"error": run["output"][-2000:]}
        )
    return result


def measure_padded_import(url: str, info: dict, workdir: Path, backend: str) -> dict:
    """A 100-measure plan file whose measures sheet is padded with a million empty rows."""
    path = workdir / f"import-padded-{backend}.xlsx"
    subprocess.run(
        [PY, "-m", "bench.tasks", "padded-file", "--db", url, "--org", info["slug"], "--out", str(path)]
        + ["--measures", "100", "--empty-rows", "1000000"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    run = rss_of(
        [PY, "-m", "bench.tasks", "import", "--db", url, "--org", info["slug"], "--file", str(path)]
        + ["--as", info["login"]]
    )
    if run["returncode"] != 0:
        return {"error": run["output"][-2000:]}
    result = json_line(run["output"])
    return {**result, "process_seconds": run["seconds"], "peak_rss_mb": run["peak_rss_mb"]}


def measure_reminders(url: str, info: dict) -> dict:
    sys.path.insert(0, str(ROOT))
    from tests.support.smtp import SmtpSink

    def one_pass(day: str, sink) -> dict:
        env = {**app_env(url), "RIECYCLE_SMTP_HOST": sink.host, "RIECYCLE_SMTP_PORT": str(sink.port)}
        before = len(sink.envelopes)
        run = rss_of([FLASK, "--app", "wsgi", "reminders", "run", "--now", f"{day}T07:00"], env)
        last = run["output"].strip().splitlines()[-1] if run["output"].strip() else ""
        return {
            "seconds": run["seconds"],
            "peak_rss_mb": run["peak_rss_mb"],
            "returncode": run["returncode"],
            "mails_received": len(sink.envelopes) - before,
            "summary": last,
        }

    anchor = date.fromisoformat(info["today"])
    with SmtpSink() as sink:
        # The first pass after installing sends the whole catch-up window (14 days of backlog);
        # the next day's pass is the steady state the daily scheduler runs. Both are reported.
        first = one_pass((anchor - timedelta(days=1)).isoformat(), sink)
        daily = one_pass(anchor.isoformat(), sink)
    return {**daily, "first_pass_with_backlog": first}


def database(backend: str, name: str, workdir: Path, cluster) -> str:
    if backend == "sqlite":
        return f"sqlite:///{workdir / (name + '.sqlite')}"
    return cluster.create_database(name)


def targets(results: dict) -> list[dict]:
    rows = []
    for backend, data in results["backends"].items():
        pages = {**data.get("pages", {}), **_arbo_rows(data)}
        for name, page in pages.items():
            if name == "healthz":
                continue
            rows.append(
                {
                    "what": f"{name} p95",
                    "backend": backend,
                    "measured": page["p95_ms"] if page["p95_ms"] is not None else f"> {page['single_ms']}",
                    "unit": "ms",
                    "target": f"<= {TARGET_P95_MS}",
                    "met": page["p95_ms"] is not None and page["p95_ms"] <= TARGET_P95_MS,
                }
            )
            rows.append(
                {
                    "what": f"{name} throughput vs /healthz",
                    "backend": backend,
                    "measured": page["ratio_to_healthz"],
                    "unit": "ratio",
                    "target": f">= {TARGET_RATIO}",
                    "met": page["ratio_to_healthz"] >= TARGET_RATIO,
                }
            )
        rows += report_targets(backend, data.get("report", {}))
        export = data.get("export", {})
        if "seconds" in export:
            rows.append(
                {
                    "what": "export peak RSS",
                    "backend": backend,
                    "measured": export["peak_rss_mb"],
                    "unit": "MB",
                    "target": f"<= {TARGET_EXPORT_RSS_MB}",
                    "met": export["peak_rss_mb"] <= TARGET_EXPORT_RSS_MB,
                }
            )
            rows.append(
                {
                    "what": "export time vs raw openpyxl",
                    "backend": backend,
                    "measured": export["ratio_to_raw"],
                    "unit": "x",
                    "target": f"<= {TARGET_EXPORT_VS_RAW}",
                    "met": export["ratio_to_raw"] <= TARGET_EXPORT_VS_RAW,
                }
            )
        imported = data.get("import", {})
        if "seconds" in imported:
            rows.append(
                {
                    "what": f"import {results['settings'].get('import_rows', 10000):,} measures",
                    "backend": backend,
                    "measured": imported["seconds"],
                    "unit": "s",
                    "target": f"<= {TARGET_IMPORT_S}",
                    "met": imported["seconds"] <= TARGET_IMPORT_S,
                }
            )
        reminders = data.get("reminders", {})
        if "seconds" in reminders:
            rows.append(
                {
                    "what": "reminder pass, 2,000 organisations",
                    "backend": backend,
                    "measured": reminders["seconds"],
                    "unit": "s",
                    "target": f"<= {TARGET_REMINDERS_S}",
                    "met": reminders["seconds"] <= TARGET_REMINDERS_S and reminders["returncode"] == 0,
                }
            )
    return rows


def _arbo_rows(data: dict) -> dict:
    """The arbodienst pages, with their ratio to the /healthz of the large employer's run."""
    ceiling = data.get("pages", {}).get("healthz", {}).get("rps")
    rows = {}
    for name, page in data.get("arbo_pages", {}).items():
        if name != "healthz":
            rows[name] = {**page, "ratio_to_healthz": round(page["rps"] / ceiling, 3) if ceiling else None}
    return rows


def single_text(page: dict) -> str:
    again = page.get("single_again_ms")
    return f"{page['single_ms']:.0f}" + (f" / {again:.0f}" if again is not None else "")


def markdown(results: dict) -> str:
    m = results["machine"]
    lines = [
        f"Measured {results['date'][:10]} on {m['nproc']} cores ({m['cpu']}), {m['ram_gb']} GB RAM, "
        f"Python {m['python']}; gunicorn {results['settings']['workers']} sync workers, wrk "
        f"{results['settings']['connections']} connections × {results['settings']['seconds']} s per page.",
        "",
        "Single request: the first request of the page (nothing cached yet) / a second one.",
        "",
        "| Page | SQLite single (ms) | SQLite p50 / p95 (ms) | SQLite req/s (× /healthz) | "
        "PostgreSQL single (ms) | PostgreSQL p50 / p95 (ms) | PostgreSQL req/s (× /healthz) |",
        "|---|---|---|---|---|---|---|",
    ]
    backends = results["backends"]
    first = next(iter(backends.values())) if backends else {}
    names = [*first.get("pages", {}), *_arbo_rows(first)]
    for name in names:
        cells = []
        for backend in ("sqlite", "postgresql"):
            data = backends.get(backend, {})
            page = {**data.get("pages", {}), **_arbo_rows(data)}.get(name)
            if page is None:
                cells += ["—", "—", "—"]
                continue
            ratio = page.get("ratio_to_healthz")
            cells += [
                single_text(page),
                p95_text(page),
                f"{page['rps']:.1f} ({ratio:.2f})" if ratio is not None else f"{page['rps']:.1f}",
            ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "| Task | SQLite | PostgreSQL |", "|---|---|---|"]

    def cell(backend, key, fmt):
        data = backends.get(backend, {}).get(key)
        return fmt(data) if data and "seconds" in data else "—"

    def export_fmt(e):
        return (
            f"{e['seconds']:.1f} s, peak {e['peak_rss_mb']:.0f} MB; raw openpyxl {e['raw_openpyxl_seconds']:.1f} s "
            f"(× {e['ratio_to_raw']:.2f}), {e['cells']:,} cells"
        )

    lines.append(
        "| Evidence workbook, large employer | "
        + " | ".join(cell(b, "export", export_fmt) for b in ("sqlite", "postgresql"))
        + " |"
    )
    lines.append(
        "| Report RI&E en Plan van Aanpak, large employer (summarised) | "
        + " | ".join(reports_text(backends.get(b, {}).get("report", {})) for b in ("sqlite", "postgresql"))
        + " |"
    )
    lines.append(
        f"| Import of {results['settings'].get('import_rows', 10000):,} measures (the row limit) | "
        + " | ".join(cell(b, "import", lambda i: f"{i['seconds']:.1f} s") for b in ("sqlite", "postgresql"))
        + " |"
    )
    lines.append(
        "| Import of a plan padded with 1,000,000 empty rows | "
        + " | ".join(
            cell(
                b,
                "import_padded",
                lambda i: (
                    f"{i['seconds']:.1f} s (read {i['parse_seconds']:.1f} s), {i['bytes'] / 1048576:.1f} MB"
                ),
            )
            for b in ("sqlite", "postgresql")
        )
        + " |"
    )
    lines.append(
        "| Reminder pass, 2,000 organisations | "
        + " | ".join(
            cell(
                b,
                "reminders",
                lambda r: (
                    f"{r['seconds']:.1f} s ({r['mails_received']} mails); first pass with "
                    f"14-day backlog {r['first_pass_with_backlog']['seconds']:.1f} s "
                    f"({r['first_pass_with_backlog']['mails_received']} mails)"
                ),
            )
            for b in ("sqlite", "postgresql")
        )
        + " |"
    )

    def writers_fmt(c):
        if "with_counter" not in c or "commits_per_s" not in c.get("with_counter", {}):
            return "—"
        w, wo = c["with_counter"], c["without_counter"]
        return (
            f"{w['commits_per_s']:.0f} commits/s with the counter, {wo.get('commits_per_s', 0):.0f} without "
            f"({w['writers']} writers)"
        )

    lines.append(
        "| Concurrent edits in one organisation | "
        + " | ".join(writers_fmt(backends.get(b, {}).get("contention", {})) for b in ("sqlite", "postgresql"))
        + " |"
    )
    missed = [t for t in results["targets"] if not t["met"]]
    lines += [
        "",
        "Targets missed: "
        + (
            "none."
            if not missed
            else "; ".join(
                f"{t['what']} on {t['backend']}: {t['measured']} {t['unit']} (target {t['target']})"
                for t in missed
            )
        ),
    ]
    return "\n".join(lines) + "\n"


def rerender() -> None:
    """`python -m bench report`: rebuild the targets and latest.md from latest.json."""
    results = json.loads((RESULTS / "latest.json").read_text())
    for data in results["backends"].values():
        for name, page in data.get("pages", {}).items():
            data["pages"][name] = no_latency_without_requests(page)
    results["targets"] = targets(results)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / "latest.md").write_text(markdown(results))
    print(markdown(results))


def main() -> None:
    from tests.support.pg import PostgresCluster

    if sys.argv[1:] == ["report"]:
        rerender()
        return
    ensure_wrk()
    backends = [b for b in setting("BENCH_BACKENDS", "sqlite,postgresql").split(",") if b]
    scale = setting("BENCH_SCALE", 1.0)
    orgs = setting("BENCH_ARBO_ORGS", 2000)
    today = date.today().isoformat()
    results = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {
            "seconds": setting("BENCH_SECONDS", 10),
            "connections": setting("BENCH_CONNECTIONS", 8),
            "workers": setting("BENCH_WORKERS", 2),
            "scale": scale,
            "arbodienst_orgs": orgs,
            "anchor_date": today,
            "import_rows": import_rows(),
        },
        "backends": {},
    }
    workdir = Path(tempfile.mkdtemp(prefix="riecycle-bench-"))
    cluster = PostgresCluster() if "postgresql" in backends else None
    started = time.perf_counter()
    try:
        if cluster:
            cluster.start()
        for backend in backends:
            print(f"== {backend}", flush=True)
            data = results["backends"].setdefault(backend, {})
            url = database(backend, "bench_large", workdir, cluster)
            info = generate("large", url, ["--scale", str(scale), "--today", today])
            data["large_employer"] = info
            print(
                f"  large employer generated in {info['generate_seconds']} s "
                f"(+ self-inspection run {info['checklist_run_seconds']} s, "
                f"pulse results frozen in {info.get('pulse_freeze_seconds')} s)",
                flush=True,
            )
            data["pages"] = measure_pages(url, info, workdir, backend)
            data["export"] = measure_export(url, info, workdir, backend)
            print(f"  export: {data['export']}"[:400], flush=True)
            data["report"] = measure_reports(url, info, workdir, backend)
            print(f"  report: {reports_text(data['report'])}", flush=True)
            data["contention"] = measure_contention(url, info)
            print(f"  concurrent writers: {data['contention']}", flush=True)
            data["import"] = measure_import(url, info, workdir, backend)
            print(f"  import: {data['import']}", flush=True)
            data["import_padded"] = measure_padded_import(url, info, workdir, backend)
            print(f"  padded import: {data['import_padded']}", flush=True)
            arbo_url = database(backend, "bench_arbo", workdir, cluster)
            arbo = generate("arbodienst", arbo_url, ["--orgs", str(orgs), "--today", today])
            data["arbodienst"] = arbo
            print(f"  arbodienst generated in {arbo['generate_seconds']} s", flush=True)
            data["arbo_pages"] = measure_pages(arbo_url, arbo, workdir, backend, arbo_pages_of(arbo), "-arbo")
            data["reminders"] = measure_reminders(arbo_url, arbo)
            print(f"  reminders: {data['reminders']}", flush=True)
    finally:
        if cluster:
            cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    results["targets"] = targets(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / "latest.md").write_text(markdown(results))
    print(markdown(results))
    print(f"Written {RESULTS / 'latest.json'} in {results['total_seconds']} s.")


if __name__ == "__main__":
    main()
