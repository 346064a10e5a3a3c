"""The report benchmark: the large employer's report RI&E en Plan van Aanpak, PDF and Word.

Each format runs the real CLI (`flask --app wsgi report rie`) in its own process; wall time and
peak RSS come from os.wait4 (bench.__main__.rss_of). `make bench` calls measure_reports; on its own:

    python -m bench.reports [--scale 1.0] [--db URL]    # generates the large employer on SQLite first
"""

import argparse
import json
import subprocess
import tempfile
from datetime import date
from pathlib import Path

TARGET_SECONDS = 120
TARGET_RSS_MB = 1024
FORMATS = ("pdf", "docx")


def _pages(path: Path) -> int | None:
    try:
        out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return next((int(line.split()[1]) for line in out.splitlines() if line.startswith("Pages:")), None)


def _measured(cmd: list[str], env: dict, timeout: int = 1800) -> dict:
    """Wall time, CPU time and peak RSS of one child process (os.wait4), as bench.__main__.rss_of;
    the CPU time shows the cost on a machine shared with other work."""
    import os
    import time

    from bench.load import ROOT

    out_file = tempfile.TemporaryFile()
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env={**os.environ, **env}, stdout=out_file, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
        time.sleep(0.05)
    out_file.seek(0)
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "returncode": os.waitstatus_to_exitcode(status),
        "output": out_file.read().decode(errors="replace")[-4000:],
    }


def measure_reports(url: str, info: dict, workdir: Path, backend: str) -> dict:
    """Time and peak memory of the report in both formats (a summarised one: the large employer)."""
    from bench.__main__ import FLASK, app_env

    results = {}
    for fmt in FORMATS:
        out = workdir / f"report-{backend}.{fmt}"
        run = _measured(
            [
                FLASK,
                "--app",
                "wsgi",
                "report",
                "rie",
                "--org",
                info["slug"],
                "--format",
                fmt,
                "--out",
                str(out),
            ],
            app_env(url),
        )
        if run["returncode"] != 0:
            results[fmt] = {"error": run["output"][-2000:]}
            continue
        results[fmt] = {
            "seconds": run["seconds"],
            "cpu_seconds": run["cpu_seconds"],
            "peak_rss_mb": run["peak_rss_mb"],
            "bytes": out.stat().st_size,
            "pages": _pages(out) if fmt == "pdf" else None,
            "summarised": "Samengevat rapport" in run["output"],
        }
    return results


def targets(backend: str, reports: dict) -> list[dict]:
    rows = []
    for fmt, data in reports.items():
        if "seconds" not in data:
            continue
        rows.append(
            {
                "what": f"report {fmt} time",
                "backend": backend,
                "measured": data["seconds"],
                "unit": "s",
                "target": f"<= {TARGET_SECONDS}",
                "met": data["seconds"] <= TARGET_SECONDS,
            }
        )
        rows.append(
            {
                "what": f"report {fmt} peak RSS",
                "backend": backend,
                "measured": data["peak_rss_mb"],
                "unit": "MB",
                "target": f"<= {TARGET_RSS_MB}",
                "met": data["peak_rss_mb"] <= TARGET_RSS_MB,
            }
        )
    return rows


def text(reports: dict) -> str:
    """One table cell: both formats."""
    parts = []
    for fmt in FORMATS:
        data = reports.get(fmt, {})
        if "seconds" not in data:
            parts.append(f"{fmt}: —")
            continue
        pages = f", {data['pages']} pages" if data.get("pages") else ""
        parts.append(
            f"{fmt}: {data['seconds']:.1f} s (CPU {data['cpu_seconds']:.1f} s), peak {data['peak_rss_mb']:.0f} MB, {data['bytes'] / 1048576:.1f} MB{pages}"
        )
    return "; ".join(parts)


def main() -> None:
    from bench.__main__ import generate

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--db", default=None, help="an existing database with the large employer")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="riecycle-bench-report-"))
    url = args.db or f"sqlite:///{workdir / 'bench_large.sqlite'}"
    info = {"slug": "ziekenhuis"}
    if args.db is None:
        info = generate("large", url, ["--scale", str(args.scale), "--today", date.today().isoformat()])
    print(f"database: {url}", flush=True)
    reports = measure_reports(url, info, workdir, "sqlite")
    print(
        json.dumps({"scale": args.scale, "reports": reports, "targets": targets("sqlite", reports)}, indent=2)
    )
    print(text(reports))


if __name__ == "__main__":
    main()
