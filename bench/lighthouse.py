"""Lighthouse, mobile profile, on the home, statement and help pages; prints the scores.

Not part of CI. Installs the npm ``lighthouse`` package (the version pinned below) once
into ``node_modules/.lighthouse`` (git-ignored), serves the app with gunicorn on 127.0.0.1
on a fresh SQLite database, and runs Lighthouse with ``npx`` and Debian's Chromium
(``CHROME_PATH``, with the flags of ``devtools.chromium``). Lighthouse's default profile
is the mobile one: a phone screen, a slow 4G network and a 4x slower CPU, simulated.
Targets: performance >= 98, accessibility 100. (Best practices is printed too: it catches
console errors such as a CSP violation.)

    python bench/lighthouse.py [--lang en] [--runs 3]

The median of the runs is printed per page; the JSON reports go to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devtools.chromium import CHROMIUM, CHROMIUM_FLAGS, chromium_missing
from devtools.server import ROOT, gunicorn, migrated_sqlite

LIGHTHOUSE_VERSION = "12.8.2"  # the newest that runs on Node 20 (13.x needs Node 22)
TOOL_DIR = ROOT / "node_modules" / ".lighthouse"
RESULTS = ROOT / "bench" / "results"
CHROME_FLAGS = ["--headless=new", *CHROMIUM_FLAGS]
PAGES = [
    ("home", "/{lang}/"),
    ("statement", "/{lang}/statements/2020-08-suspension"),
    ("help", "/{lang}/help/"),
]
METRICS = [
    ("first-contentful-paint", "FCP"),
    ("largest-contentful-paint", "LCP"),
    ("total-blocking-time", "TBT"),
    ("cumulative-layout-shift", "CLS"),
    ("total-byte-weight", "bytes"),
]


def ensure_lighthouse() -> None:
    binary = TOOL_DIR / "node_modules" / ".bin" / "lighthouse"
    if binary.exists():
        return
    if shutil.which("npm") is None:
        raise SystemExit("npm is needed to install Lighthouse (apt-get install npm)")
    TOOL_DIR.mkdir(parents=True, exist_ok=True)
    print(f"installing lighthouse@{LIGHTHOUSE_VERSION} into {TOOL_DIR} ...", flush=True)
    subprocess.run(
        [
            "npm",
            "install",
            "--no-save",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(TOOL_DIR),
            f"lighthouse@{LIGHTHOUSE_VERSION}",
        ],
        check=True,
    )


def run_lighthouse(url: str, report: Path) -> dict[str, Any]:
    command = [
        "npx",
        "--no-install",
        "lighthouse",
        url,
        "--only-categories=performance,accessibility,best-practices",
        "--output=json",
        f"--output-path={report}",
        f"--chrome-flags={' '.join(CHROME_FLAGS)}",
        "--quiet",
    ]
    env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
    for attempt in range(3):  # Lighthouse now and then fails to connect to a new Chromium
        done = subprocess.run(command, cwd=TOOL_DIR, env=env, capture_output=True, text=True)
        if done.returncode == 0:
            break
        print(f"    lighthouse failed (attempt {attempt + 1}): {done.stderr.strip()[-300:]}")
    else:
        raise SystemExit(f"lighthouse failed on {url}")
    result: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return result


def summary(result: dict[str, Any]) -> dict[str, float]:
    categories = result["categories"]
    figures = {
        "performance": round(categories["performance"]["score"] * 100),
        "accessibility": round(categories["accessibility"]["score"] * 100),
        "best-practices": round(categories["best-practices"]["score"] * 100),
    }
    for audit, label in METRICS:
        figures[label] = float(result["audits"][audit]["numericValue"])
    return figures


def failed_accessibility_audits(result: dict[str, Any]) -> list[str]:
    refs = result["categories"]["accessibility"]["auditRefs"]
    audits = result["audits"]
    return [
        f"{ref['id']}: {audits[ref['id']]['title']}"
        for ref in refs
        if ref["weight"] > 0 and audits[ref["id"]]["score"] not in (None, 1)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lang", default="en", choices=["be", "ru", "en"])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    missing = chromium_missing()
    if missing:
        raise SystemExit(missing)
    ensure_lighthouse()
    RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "CAMPAIGN_DATABASE_URL": migrated_sqlite(Path(tmp), team=True),
            "CAMPAIGN_SECRET_KEY": secrets.token_hex(32),  # gunicorn refuses the dev key
        }
        with gunicorn("wsgi:app", 2, env, probe=f"/{args.lang}/") as (port, _):
            print(f"lighthouse {LIGHTHOUSE_VERSION}, mobile profile, median of {args.runs} runs")
            print(
                f"{'page':<40}{'perf':>5}{'a11y':>6}{'best':>6}{'FCP ms':>8}{'LCP ms':>8}"
                f"{'TBT ms':>8}{'CLS':>6}{'bytes':>8}"
            )
            for name, path in PAGES:
                url = f"http://127.0.0.1:{port}{path.format(lang=args.lang)}"
                runs = []
                for run in range(args.runs):
                    report = RESULTS / f"lighthouse-{name}-{args.lang}-{run + 1}.json"
                    result = run_lighthouse(url, report)
                    runs.append(summary(result))
                    failed = failed_accessibility_audits(result)
                median = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
                print(
                    f"{path.format(lang=args.lang):<40}{median['performance']:>5.0f}"
                    f"{median['accessibility']:>6.0f}{median['best-practices']:>6.0f}"
                    f"{median['FCP']:>8.0f}{median['LCP']:>8.0f}"
                    f"{median['TBT']:>8.0f}{median['CLS']:>6.2f}{median['bytes']:>8.0f}",
                    flush=True,
                )
                for line in failed:
                    print(f"    accessibility: {line}")


if __name__ == "__main__":
    main()
