"""The benchmark harness (``bench/run.py --smoke``) runs end to end and reports no errors.

The smoke run starts real servers on 127.0.0.1 (ours with one memory worker, the bare
FastAPI app, our server over the release and a static file server), asks every benchmark
query once and measures each for about a second with ``wrk`` at one connection. It exits
non-zero when a system fails to start or a request errs; the Markdown it writes must hold
its tables. Figures are never asserted: the machine is shared and noisy.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HARNESS = ROOT / "bench" / "run.py"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("wrk") is None, reason="wrk is not on PATH (apt-get install wrk)"
    ),
]


@pytest.fixture(scope="module")
def smoke_report(tmp_path_factory: pytest.TempPathFactory, release_dir: Path) -> str:
    out = tmp_path_factory.mktemp("bench") / "smoke.md"
    done = subprocess.run(
        [
            sys.executable,
            str(HARNESS),
            "--smoke",
            "--release",
            str(release_dir),
            "--data-dir",
            str(tmp_path_factory.mktemp("bench-data")),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, f"bench/run.py --smoke failed:\n{done.stderr[-4000:]}"
    return out.read_text(encoding="utf-8")


def _table_rows(report: str, heading: str, header: bool = False) -> list[list[str]]:
    """The rows (cells stripped) of the first Markdown table after *heading*: the body, or
    with *header* the header row first."""
    lines = report.split(heading, 1)[1].splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith("|"))
    rows = [_cells(lines[start])] if header else []
    for line in lines[start + 2 :]:  # after the header and the |---| line
        if not line.startswith("|"):
            break
        rows.append(_cells(line))
    return rows


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split(" | ")]


def test_smoke_report_names_the_machine_and_the_command(smoke_report: str) -> None:
    assert "- **Machine:**" in smoke_report
    assert "- **Software:**" in smoke_report
    assert "python bench/run.py --smoke" in smoke_report


def test_smoke_report_has_throughput_latency_files_and_startup_tables(smoke_report: str) -> None:
    for heading in (
        "## Queries",
        "## Answers",
        "### 1 connection: requests/s",
        "p50 / p99 latency in ms, requests (n) and errors, at 1 connection",
        "## Ratios the issue judges",
        "## Pages and downloads",
        "## Start-up and memory",
    ):
        assert heading in smoke_report


def test_smoke_measured_every_query_on_ours_and_the_bare_app(smoke_report: str) -> None:
    header, *body = _table_rows(smoke_report, "### 1 connection: requests/s", header=True)
    queries = [n for n, name in enumerate(header) if name not in {"system", "note"}][:-1]
    assert len(queries) == 6  # every query a column, then the geomean
    rows = {row[0]: row for row in body}
    assert {"ours memory/1", "bare FastAPI + pyoxigraph"} <= set(rows)
    for row in rows.values():
        assert all(re.match(r"[\d,.]+", row[n]) for n in queries), row


def test_smoke_had_no_errors(smoke_report: str) -> None:
    latency = _table_rows(
        smoke_report, "p50 / p99 latency in ms, requests (n) and errors, at 1 connection"
    )
    files = _table_rows(smoke_report, "## Pages and downloads")
    assert latency
    assert len(files) == 2
    for row in latency:
        assert all(cell.endswith("· 0") for cell in row[1:]), row
    for row in files:
        assert row[-2].endswith("· 0"), row
        assert row[-1].endswith("· 0"), row
    answers = _table_rows(smoke_report, "## Answers")
    assert not any("≠" in cell or "HTTP" in cell for row in answers for cell in row), answers
