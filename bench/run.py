"""The benchmark: our SPARQL endpoint beside its anchors, on the same data, in one run.

    python bench/run.py [--scale 10k|100k|1m|5m|release] [--duration 5] [--connections 1,8,32]
                        [--systems KEY,...] [--queries NAME,...] [--out FILE]
    python bench/run.py --smoke [--out FILE]          # CI: < 60 s, exits 1 on any failure

What runs (``--systems``; all by default), every one on 127.0.0.1:

``ours-memory-1``, ``ours-memory-n``, ``ours-lean-1``, ``ours-lean-n``
    ``smartcity-graph serve --data FILE --store-mode memory|lean --workers 1|N
    --query-cache 0 --max-rows 1000000 --query-timeout 60`` (N = the machine's cores).
``ours-cache``
    the same, memory/N with ``--query-cache 256``: the result cache's gain, on its own row.
``bare``
    ``bench/bare_app.py``: FastAPI over an in-memory pyoxigraph store (the speed anchor).
``oxigraph``
    the Rust Oxigraph server (``oxigraph load``, ``optimize``, ``serve-read-only``; the
    memory anchor). Its store build is timed apart from its start.
``rdflib-endpoint``
    rdflib's SPARQL engine behind FastAPI: short cells, skipped above 100k triples.
``virtuoso``
    a private Virtuoso on loopback (bulk loader), behind our server's ``--sparql-endpoint``.
``ours-release``, ``static``
    not SPARQL: a resource page (``/id/city/SLUG``, HTML) and a download
    (``/release/graph.nt``) from our server over ``--release``, against the same bytes from a
    plain Starlette ``StaticFiles`` app (``bench/static_app.py``) under the same uvicorn.

The data and the six queries come from ``bench/generate.py`` (``QUERIES``, ``RESOURCE``); a
scale's file is generated once into ``--data-dir`` (default: a folder under the system's
temporary directory). ``--scale release`` runs the same queries over the real release.

How it measures: every system is started one after another (start-up: spawn to ``/health``
200 or to the first answered query), every query is asked once of every system (its answer's
rows are compared), then for each query and each number of connections every system is
measured back to back, in an order rotated from cell to cell, so the noise of a shared
machine falls on all of them alike: a short ``wrk`` warm-up, then ``wrk -t1 -cC -dDs
--latency``. Memory (RSS and PSS, summed over each server's process tree) is read after the
warm-up and after the run.

Output: Markdown, printed and written to ``bench/results/SCALE.md`` (or ``--out``). Figures
and ratios, never pass/fail: the targets are printed beside the ratios for the reader.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import hashlib
import importlib.metadata
import importlib.util
import json
import math
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import httpx
import pyoxigraph as ox

import systems
import wrk
from systems import BENCH, ROOT, Context, Memory, Running, Spec

SCALES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "5m": 5_000_000}
GENERATOR = BENCH / "generate.py"
DEFAULT_DATA_DIR = Path(tempfile.gettempdir()) / "smartcity-graph-bench"
SELECT_TYPE = "application/sparql-results+json"
GRAPH_TYPE = "text/turtle"
HTML_TYPE = "text/html"
#: rdflib-endpoint answers in seconds where the others answer in milliseconds.
RDFLIB_CELL_SECONDS = 2
#: A slow query's cells are lengthened to about three answers, up to this.
MAX_CELL_SECONDS = 60
#: rdflib-endpoint gets this long to answer a query once (the others: --answer-timeout).
RDFLIB_ANSWER_SECONDS = 30
#: How often a system that died or hung is started again before its cells are given up.
MAX_RESTARTS = 2
PAGE, DOWNLOAD = "a resource page", "a download"
NONE, TIMES = "\N{EN DASH}", "\N{MULTIPLICATION SIGN}"  # in the Markdown tables


# -- the workload ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    """The data every SPARQL system serves and the queries they all answer."""

    data: Path
    triples: int
    queries: dict[str, str]
    resource: str
    origin: str
    size: int = 0  # bytes of the data file


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATOR)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot import {GENERATOR}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _count_triples(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        for line in handle:
            stripped = line.strip()
            if stripped and not stripped.startswith(b"#"):
                count += 1
    return count


def workload(scale: str, seed: int, data_dir: Path, release: Path) -> Workload:
    """The data file (generated once per scale, seed and generator version) and the queries."""
    generator = _generator()
    if scale == "release":
        data = release / "graph.nt"
        if not data.is_file():
            raise RuntimeError(f"no {data}: build the release first (make build)")
        resource = str(generator.RELEASE_RESOURCE)
        queries: dict[str, str] = dict(generator.queries(resource))
        return Workload(
            data,
            _count_triples(data),
            queries,
            resource,
            f"the release ({data})",
            data.stat().st_size,
        )
    version = hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:10]
    data = data_dir / f"{scale}-seed{seed}-{version}.nt"
    if not data.is_file():
        data_dir.mkdir(parents=True, exist_ok=True)
        partial = data.with_name(f".{data.stem}-{os.getpid()}.nt")
        try:
            subprocess.run(
                [
                    sys.executable,
                    str(GENERATOR),
                    "--scale",
                    scale,
                    "--seed",
                    str(seed),
                    "--out",
                    str(partial),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            partial.replace(data)
        finally:
            partial.unlink(missing_ok=True)
    return Workload(
        data,
        _count_triples(data),
        dict(generator.QUERIES),
        str(generator.RESOURCE),
        f"`bench/generate.py --scale {scale} --seed {seed}` (cached as {data})",
        data.stat().st_size,
    )


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first such keyword outside IRIs and strings."""
    text = re.sub(r"<[^<>\s]*>|\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|#[^\n]*", " ", query)
    match = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", text, re.IGNORECASE)
    return match.group(1).upper() if match else "SELECT"


def accept_for(query: str) -> str:
    return GRAPH_TYPE if query_form(query) in {"CONSTRUCT", "DESCRIBE"} else SELECT_TYPE


# -- one answer, checked ---------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One request made outside wrk: the status, size and rows of the answer."""

    status: int
    size: int
    rows: int | None
    truncated: bool
    error: str = ""
    seconds: float = 0.0


def ask(client: httpx.Client, url: str, accept: str) -> Answer:
    """GET *url* once; count the rows (SELECT), the triples (CONSTRUCT) of a SPARQL answer."""
    try:
        begin = time.perf_counter()
        response = client.get(url, headers={"Accept": accept})
        seconds = time.perf_counter() - begin
    except httpx.HTTPError as error:
        return Answer(0, 0, None, False, f"{type(error).__name__}: {error}")
    truncated = "sparql-results-truncated" in response.headers
    if response.status_code != 200:
        return Answer(
            response.status_code,
            len(response.content),
            None,
            truncated,
            f"HTTP {response.status_code}: {response.text[:200]}",
        )
    rows: int | None = None
    kind = response.headers.get("content-type", "").split(";")[0].strip()
    try:
        if kind == SELECT_TYPE:
            document = json.loads(response.content)
            rows = 1 if "boolean" in document else len(document["results"]["bindings"])
        elif kind in {GRAPH_TYPE, "application/n-triples"}:
            fmt = ox.RdfFormat.TURTLE if kind == GRAPH_TYPE else ox.RdfFormat.N_TRIPLES
            rows = sum(1 for _ in ox.parse(response.content, format=fmt))
    except (ValueError, KeyError, SyntaxError) as error:
        return Answer(200, len(response.content), None, truncated, f"unreadable answer: {error}")
    return Answer(200, len(response.content), rows, truncated, seconds=seconds)


# -- the run ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One thing to measure on one system: a request and the media type asked for."""

    system: str
    column: str  # a query name, or PAGE / DOWNLOAD
    path: str  # after the system's SPARQL endpoint ("?query=…"), or after its base URL
    accept: str

    def url(self, run: Run) -> str:
        """The URL on the system as it runs now (a restarted system has a new port)."""
        running = run.started[self.system]
        return (running.endpoint if self.path.startswith("?") else running.base) + self.path


@dataclass
class Cell:
    """One system at one column and number of connections."""

    result: wrk.WrkResult | None = None
    error: str = ""


@dataclass
class Run:
    """Everything measured, for the report."""

    args: argparse.Namespace
    work: Workload
    specs: list[Spec]
    started: dict[str, Running] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # key -> why
    failed: dict[str, str] = field(default_factory=dict)  # key -> why it did not start
    answers: dict[tuple[str, str], Answer] = field(default_factory=dict)
    cells: dict[tuple[str, str, int], Cell] = field(default_factory=dict)
    memory_warm: dict[str, Memory] = field(default_factory=dict)
    memory_end: dict[str, Memory] = field(default_factory=dict)
    part_memory: dict[str, dict[str, Memory]] = field(default_factory=dict)
    page_path: str = ""
    static_note: str = ""
    dropped: set[str] = field(default_factory=set)
    died: set[str] = field(default_factory=set)  # systems with a process gone by the end
    settled: dict[str, float] = field(default_factory=dict)  # longest wait for idle, s
    restarts: dict[str, int] = field(default_factory=dict)

    def label(self, key: str) -> str:
        return next(spec.label for spec in self.specs if spec.key == key)

    def rps(self, key: str, column: str, connections: int) -> float | None:
        cell = self.cells.get((key, column, connections))
        if cell is None or cell.result is None or not cell.result.requests:
            return None
        return cell.result.rps


def say(message: str) -> None:
    """Progress, on stderr (stdout gets the report)."""
    print(message, file=sys.stderr, flush=True)


def all_specs(workers: int, static_folder: Callable[[], Path]) -> list[Spec]:
    """Every system, in the order they start (the static server needs ours (release) first)."""
    return [
        systems.bare_spec(),
        *systems.ours_specs(workers),
        systems.oxigraph_spec(),
        systems.rdflib_spec(),
        systems.virtuoso_spec(workers),
        systems.release_spec(),
        systems.static_spec(static_folder),
    ]


def prepare_static(run: Run, folder: Path) -> Path:
    """The static server's files: the release's graph.nt and our resource page, same bytes."""
    folder.mkdir(exist_ok=True)
    shutil.copyfile(run.args.release / "graph.nt", folder / "graph.nt")
    ours = run.started.get("ours-release")
    page = b""
    if ours is not None:
        response = httpx.get(ours.base + run.page_path, headers={"Accept": HTML_TYPE}, timeout=30)
        if response.status_code == 200:
            page = response.content
    if not page:  # without our page, an HTML file of a typical page's size
        run.static_note = "our page was not available: the static page is 8 kB of filler HTML"
        page = b"<!doctype html><html><body>" + b"<p>filler</p>" * 620 + b"</body></html>"
    (folder / "page.html").write_bytes(page)
    return folder


def start_all(run: Run, context: Context) -> None:
    """Start the chosen systems one by one; note the skipped and the failed."""
    seen: dict[tuple[str, ...], str] = {}
    for spec in run.specs:
        reason = spec.skip(context, run.work.triples)
        if spec.args and reason is None:
            effective, dropped = systems.known_options(spec.args, context.server_help)
            run.dropped.update(dropped)
            if tuple(effective) in seen:
                reason = (
                    f"same command line as {run.label(seen[tuple(effective)])} "
                    f"(the server lacks {', '.join(dropped)})"
                )
            seen.setdefault(tuple(effective), spec.key)
        if reason is not None:
            run.skipped[spec.key] = reason
            say(f"skip  {spec.label}: {reason}")
            continue
        say(f"start {spec.label} ...")
        try:
            running = spec.start(context)
        except Exception as error:
            run.failed[spec.key] = str(error).strip()
            say(f"FAIL  {spec.label}: {error}")
            continue
        run.started[spec.key] = running
        extra = "".join(f", {name} {value:.2f} s" for name, value in running.timings.items())
        say(f"      {spec.label}: ready in {running.startup_s:.2f} s{extra}")


def targets(run: Run) -> list[Target]:
    """What every started system is asked: each query (SPARQL systems), the page and file."""
    found = []
    for name, query in run.work.queries.items():
        encoded = "?query=" + urllib.parse.quote(query, safe="")
        for key, running in run.started.items():
            if running.endpoint:
                found.append(Target(key, name, encoded, accept_for(query)))
    files = {
        "ours-release": (run.page_path, "/release/graph.nt"),
        "static": ("/page.html", "/graph.nt"),
    }
    for key, (page, download) in files.items():
        if key in run.started:
            found.append(Target(key, PAGE, page, HTML_TYPE))
            found.append(Target(key, DOWNLOAD, download, "*/*"))
    return found


def restart(run: Run, context: Context, key: str, why: str) -> None:
    """Stop a system that is stuck on abandoned work and start it afresh (figures of the
    first start are kept; the restart is noted)."""
    say(f"      restarting {run.label(key)}: {why}")
    old = run.started.pop(key)
    old.stop()
    spec = next(spec for spec in run.specs if spec.key == key)
    run.restarts[key] = run.restarts.get(key, 0) + 1
    try:
        running = spec.start(context)
    except Exception as error:
        say(f"FAIL  {run.label(key)}: restart failed: {error}")
        old.notes.append(f"restart failed ({why}): {str(error).splitlines()[0][:120]}")
        run.started[key] = old  # stopped: its remaining cells say "server died"
        return
    running.startup_s, running.timings = old.startup_s, old.timings
    running.notes = [*old.notes, f"restarted: {why}"]
    run.started[key] = running


def settle(run: Run, context: Context, key: str) -> None:
    """Wait until a system is idle again: a server keeps working on the requests wrk left
    queued, and that work must not fall on the next system's cell. Restart it if it is still
    busy after ``--settle`` seconds."""
    running = run.started[key]
    waited = systems.wait_idle(running.pids, run.args.settle)
    run.settled[key] = max(run.settled.get(key, 0.0), waited)
    if waited >= run.args.settle:
        restart(run, context, key, f"still busy {run.args.settle:.0f} s after a cell")


def answer_timeout(run: Run, key: str) -> float:
    """Seconds a system may take for its first answer to a query."""
    limit: float = run.args.answer_timeout
    return min(limit, RDFLIB_ANSWER_SECONDS) if key == "rdflib-endpoint" else limit


def check_answers(run: Run, context: Context, found: list[Target]) -> None:
    """Ask everything once (the first warm-up); remember status, size, rows and time. A
    system that does not answer in time is restarted, so it does not go on working."""
    for target in found:
        timeout = answer_timeout(run, target.system)
        with httpx.Client(timeout=timeout) as client:
            answer = ask(client, target.url(run), target.accept)
        run.answers[(target.system, target.column)] = answer
        if answer.error:
            say(f"ERROR {run.label(target.system)} / {target.column}: {answer.error}")
        if answer.error.startswith(("ReadTimeout", "WriteTimeout", "PoolTimeout")):
            run.answers[(target.system, target.column)] = Answer(
                0, 0, None, False, f"no answer within {timeout:.0f} s"
            )
            restart(run, context, target.system, f"no answer to {target.column} in {timeout:.0f} s")


def read_memory(run: Run) -> dict[str, Memory]:
    for key, running in run.started.items():
        run.part_memory.setdefault(key, {})
        for part, pids in running.parts.items():
            run.part_memory[key][part] = systems.memory(pids)
    return {key: systems.memory(running.pids) for key, running in run.started.items()}


def cell_seconds(duration: int, latency: float, rdflib: bool) -> int:
    """A cell's wrk duration: *duration*, but long enough for about three answers of a slow
    query (its first answer took *latency* seconds), at most a minute; rdflib-endpoint gets
    short cells."""
    if rdflib:
        return min(duration, RDFLIB_CELL_SECONDS)
    return max(duration, min(MAX_CELL_SECONDS, math.ceil(3 * latency)))


def measure(run: Run, context: Context, found: list[Target]) -> None:
    """Every (column, connections) cell, every system back to back, order rotated."""
    columns = list(dict.fromkeys(target.column for target in found))
    plan = [
        (column, connections, [t for t in found if t.column == column])
        for column in columns
        for connections in run.args.connections
    ]
    total = sum(len(group) for _, _, group in plan)
    done = 0
    for index, (column, connections, group) in enumerate(plan):
        shift = index % len(group)
        for target in group[shift:] + group[:shift]:
            done += 1
            cell = run.cells.setdefault((target.system, column, connections), Cell())
            answer = run.answers[(target.system, column)]
            running = run.started[target.system]
            if answer.error:
                cell.error = answer.error
                continue
            if not running.alive() and run.restarts.get(target.system, 0) < MAX_RESTARTS:
                restart(run, context, target.system, "its server exited during the run")
                running = run.started[target.system]
            if not running.alive():
                cell.error = "server died"
                say(f"[{done}/{total}] {column} @{connections}: {running.label}: server died")
                continue
            rdflib = target.system == "rdflib-endpoint"
            seconds = cell_seconds(run.args.duration, answer.seconds, rdflib)
            url = target.url(run)
            try:
                if run.args.warmup and not rdflib:
                    wrk.run(
                        url,
                        connections=connections,
                        seconds=run.args.warmup,
                        accept=target.accept,
                        timeout_s=run.args.wrk_timeout,
                    )
                cell.result = wrk.run(
                    url,
                    connections=connections,
                    seconds=seconds,
                    accept=target.accept,
                    timeout_s=run.args.wrk_timeout,
                )
            except (RuntimeError, ValueError, subprocess.TimeoutExpired) as error:
                cell.error = str(error).strip().splitlines()[0]
            settle(run, context, target.system)
            result = cell.result
            figure = (
                f"{result.rps:.1f} req/s, p99 {_ms(result.p99_ms)} ms, errors {result.errors}"
                if result
                else cell.error
            )
            say(f"[{done}/{total}] {column} @{connections}: {run.label(target.system)}: {figure}")


# -- the report ------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    if value is None:
        return NONE
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _latency(result: wrk.WrkResult) -> str:
    """``p50 / p99 · n · errors`` of one cell."""
    return (
        f"{_ms(result.p50_ms)} / {_ms(result.p99_ms)} · n={result.requests:,} · "
        f"{result.describe_errors()}"
    )


def _rate(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def _mb(kb: int | None) -> str:
    return NONE if kb is None else f"{kb / 1024:,.0f}"


def _ratio(value: float | None) -> str:
    if value is None:
        return NONE
    return f"{value:,.0f}{TIMES}" if value >= 100 else f"{value:.2f}{TIMES}"


def geomean(values: Sequence[float]) -> float | None:
    positive = [v for v in values if v > 0]
    if not positive:
        return None
    return math.exp(sum(math.log(v) for v in positive) / len(positive))


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return [*lines, ""]


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine(server_src: Path | None) -> list[str]:
    """The header lines naming the machine and the software."""
    cpuinfo = Path("/proc/cpuinfo").read_text(errors="replace")
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    meminfo = Path("/proc/meminfo").read_text()
    total = re.search(r"^MemTotal:\s+(\d+) kB", meminfo, re.MULTILINE)
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    packages = ["pyoxigraph", "oxigraph", "fastapi", "starlette", "uvicorn", "rdflib"]
    software = ", ".join(f"{name} {_version(name)}" for name in packages)
    ram = f"{int(total.group(1)) / 1024**2:.1f} GiB RAM" if total else "RAM unknown"
    return [
        f"- **Machine:** {model.group(1) if model else platform.processor()}, "
        f"{os.cpu_count()} cores, {ram}, Linux {platform.release()}",
        f"- **Software:** Python {platform.python_version()}, {software}, "
        f"rdflib-endpoint {_version('rdflib-endpoint')}, "
        f"Virtuoso {systems.virtuoso_version()}, {wrk.wrk_version()}; "
        f"smartcity-graph {_version('smartcity-graph')} at `{commit or 'unknown commit'}`"
        + (f" (our server's code from `{server_src}`)" if server_src else ""),
    ]


def _cell_text(run: Run, key: str, column: str, connections: int, anchor: str) -> str:
    cell = run.cells.get((key, column, connections))
    if cell is None:
        return NONE
    if cell.result is None:
        return cell.error[:60] or "failed"
    rps = run.rps(key, column, connections)
    if rps is None:
        return "0"
    base = run.rps(anchor, column, connections)
    text = _rate(rps)
    return text + (f" ({rps / base:.2f}{TIMES})" if base and key != anchor else "")


def _shorten(query: str, width: int = 140) -> str:
    """The query on one line, without its PREFIX declarations, cut at *width*."""
    body = re.sub(r"(?im)^\s*PREFIX\s+\S*\s*<[^>]*>\s*$", "", query)
    text = " ".join(body.split())
    return text if len(text) <= width else text[: width - 1] + "\N{HORIZONTAL ELLIPSIS}"


def _rows_order(run: Run, kind: str) -> list[Spec]:
    return [s for s in run.specs if s.kind == kind]


def throughput_tables(run: Run) -> list[str]:
    queries = list(run.work.queries)
    lines: list[str] = []
    for connections in run.args.connections:
        lines += [
            f"### {connections} connection{'s' * (connections != 1)}: requests/s ({TIMES} bare)",
            "",
        ]
        rows = []
        for spec in _rows_order(run, "sparql"):
            if spec.key in run.skipped or spec.key in run.failed:
                why = run.skipped.get(spec.key) or "did not start: " + run.failed[spec.key]
                rows.append([spec.label, why.splitlines()[0][:120]] + [""] * (len(queries) + 1))
                continue
            ratios = [
                rps / base
                for q in queries
                if (rps := run.rps(spec.key, q, connections))
                and (base := run.rps("bare", q, connections))
            ]
            mean = geomean(ratios) if spec.key != "bare" else None
            rows.append(
                [spec.label, ""]
                + [_cell_text(run, spec.key, q, connections, "bare") for q in queries]
                + [_ratio(mean)]
            )
        header = ["system", "note", *queries, f"geomean {TIMES} bare"]
        if not any(row[1] for row in rows):  # nothing skipped or failed: no note column
            header, rows = header[:1] + header[2:], [row[:1] + row[2:] for row in rows]
        lines += table(header, rows)
        lines += [
            f"p50 / p99 latency in ms, requests (n) and errors, at {connections} "
            f"connection{'s' * (connections != 1)}:",
            "",
        ]
        rows = []
        for spec in _rows_order(run, "sparql"):
            if spec.key not in run.started:
                continue
            cells = []
            for q in queries:
                cell = run.cells.get((spec.key, q, connections))
                if cell is None:
                    cells.append(NONE)
                elif cell.result is None:
                    cells.append(cell.error[:80])
                else:
                    r = cell.result
                    cells.append(_latency(r))
            rows.append([spec.label, *cells])
        lines += table(["system", *queries], rows)
    return lines


def files_table(run: Run) -> list[str]:
    if "ours-release" not in run.started and "static" not in run.started:
        return []
    rows = []
    for column in (PAGE, DOWNLOAD):
        for connections in run.args.connections:
            ours = run.cells.get(("ours-release", column, connections))
            static = run.cells.get(("static", column, connections))
            a = run.rps("ours-release", column, connections)
            b = run.rps("static", column, connections)

            def latency(cell: Cell | None) -> str:
                if cell is None:
                    return NONE
                if cell.result is None:
                    return cell.error[:80]
                r = cell.result
                return _latency(r)

            rows.append(
                [
                    column,
                    str(connections),
                    _rate(a) if a is not None else NONE,
                    _rate(b) if b is not None else NONE,
                    _ratio(a / b if a and b else None),
                    latency(ours),
                    latency(static),
                ]
            )
    sizes = []
    for column in (PAGE, DOWNLOAD):
        for key in ("ours-release", "static"):
            answer = run.answers.get((key, column))
            if answer is not None:
                sizes.append(f"{column} from {run.label(key)}: {answer.size:,} bytes")
    return [
        "## Pages and downloads: ours vs. static files under the same uvicorn",
        "",
        f"Our page is `{run.page_path}` (Accept: text/html) from `serve --release "
        f"{run.args.release}`; the download is `/release/graph.nt`. The static server serves "
        "the same bytes (the page saved as page.html). " + "; ".join(sizes) + ".",
        "",
        *([run.static_note, ""] if run.static_note else []),
        *table(
            [
                "request",
                "connections",
                "ours req/s",
                "static req/s",
                "ours ÷ static (want ≥ 0.8)",
                "ours p50 / p99 ms · n · errors",
                "static p50 / p99 ms · n · errors",
            ],
            rows,
        ),
    ]


def answers_table(run: Run) -> list[str]:
    queries = list(run.work.queries)
    rows = []
    for spec in _rows_order(run, "sparql"):
        if spec.key not in run.started:
            continue
        cells = []
        for q in queries:
            answer = run.answers.get((spec.key, q))
            if answer is None:
                cells.append(NONE)
                continue
            if answer.error:
                cells.append(answer.error[:80])
                continue
            bare = run.answers.get(("bare", q))
            text = "?" if answer.rows is None else f"{answer.rows:,}"
            if bare and bare.rows is not None and answer.rows != bare.rows:
                text += " ≠ bare"
            if answer.truncated:
                text += " (truncated)"
            cells.append(f"{text} · {answer.size / 1024:,.0f} kB")
        rows.append([spec.label, *cells])
    return [
        "## Answers (rows or triples · size), asked once of every system before measuring",
        "",
        *table(["system", *queries], rows),
    ]


def ratio_tables(run: Run) -> list[str]:
    n = run.args.workers
    queries = list(run.work.queries)
    judged = [
        ("ours-memory-1", "bare", "ours memory/1 ÷ bare app", "≥ 1.0 at 1 and 8"),
        ("ours-memory-n", "bare", f"ours memory/{n} ÷ bare app", f"≥ 1.7 at 8 ({n} workers)"),
        ("ours-memory-1", "rdflib-endpoint", "ours memory/1 ÷ rdflib-endpoint", "≥ 50"),
        ("ours-memory-n", "rdflib-endpoint", f"ours memory/{n} ÷ rdflib-endpoint", "≥ 50"),
        ("ours-lean-1", "oxigraph", "ours lean/1 ÷ Rust Oxigraph", "≥ 1.0"),
        ("ours-lean-n", "oxigraph", f"ours lean/{n} ÷ Rust Oxigraph", "≥ 1.0"),
        ("ours-cache", "ours-memory-n", f"result cache: memory/{n}+cache ÷ memory/{n}", "(gain)"),
        ("virtuoso", "bare", "ours remote → Virtuoso ÷ bare app", "(figure)"),
    ]
    rows = []
    for key, anchor, name, want in judged:
        for connections in run.args.connections:
            values = [
                (
                    a / b
                    if (a := run.rps(key, q, connections))
                    and (b := run.rps(anchor, q, connections))
                    else None
                )
                for q in queries
            ]
            if all(v is None for v in values):
                continue
            mean = geomean([v for v in values if v is not None])
            rows.append([name, want, str(connections), *map(_ratio, values), _ratio(mean)])
    lines = [
        "## Ratios the issue judges (throughput; figures, not pass/fail)",
        "",
        *table(["ratio", "want", "connections", *queries, "geomean"], rows),
    ]
    memory_rows = []
    for key, anchor, name, want in [
        ("ours-lean-n", "oxigraph", f"ours lean/{n} ÷ Rust Oxigraph", "≤ 1.5"),
        ("ours-lean-1", "oxigraph", "ours lean/1 ÷ Rust Oxigraph", "≤ 1.5"),
        ("ours-memory-1", "bare", "ours memory/1 ÷ bare app", "(figure)"),
        ("ours-memory-n", "bare", f"ours memory/{n} ÷ bare app", "(figure)"),
    ]:
        ours, other = run.memory_end.get(key), run.memory_end.get(anchor)
        if ours is None or other is None or not ours.rss_kb or not other.rss_kb:
            continue
        pss = ours.pss_kb / other.pss_kb if ours.pss_kb and other.pss_kb else None
        memory_rows.append([name, want, _ratio(ours.rss_kb / other.rss_kb), _ratio(pss)])
    if memory_rows:
        lines += [
            "Memory after the run (sums over each process tree):",
            "",
            *table(["ratio", "want", "RSS", "PSS"], memory_rows),
        ]
    return lines


def startup_table(run: Run) -> list[str]:
    rows = []
    for spec in run.specs:
        if spec.key in run.skipped:
            rows.append(
                [spec.label, NONE, NONE, NONE, NONE, NONE, NONE, NONE, run.skipped[spec.key]]
            )
            continue
        if spec.key in run.failed:
            reason = run.failed[spec.key].splitlines()[0][:160]
            rows.append(
                [spec.label, NONE, NONE, NONE, NONE, NONE, NONE, NONE, "did not start: " + reason]
            )
            continue
        running = run.started[spec.key]
        warm, end = run.memory_warm.get(spec.key), run.memory_end.get(spec.key)
        notes = [n for n in running.notes if n]
        for part, memory in run.part_memory.get(spec.key, {}).items():
            notes.append(f"{part} RSS {_mb(memory.rss_kb)} MB after the run")
        if run.settled.get(spec.key, 0.0) >= 1:
            notes.append(f"busy up to {run.settled[spec.key]:.1f} s after a cell (queued work)")
        if spec.key in run.died:
            notes.append("a process of this system exited during the run")
        rows.append(
            [
                spec.label,
                f"{running.startup_s:.2f}",
                ", ".join(f"{name} {value:.2f}" for name, value in running.timings.items()) or NONE,
                _mb(warm.rss_kb if warm else None),
                _mb(end.rss_kb if end else None),
                _mb(warm.pss_kb if warm else None),
                _mb(end.pss_kb if end else None),
                str(end.processes if end else NONE),
                "; ".join(notes),
            ]
        )
    return [
        "## Start-up and memory",
        "",
        "Start-up: spawn to `/health` 200 (ours, bare app) or to the first answered query "
        "(`ASK {}`; Oxigraph, rdflib-endpoint) or file (static). Oxigraph's store build "
        "(`load`, `optimize`) and Virtuoso's start and bulk load are timed separately; the "
        "lean rows share one `--store-cache` in the scratch folder, built by a first, timed "
        "start (lean cold start), so their own start-up is a warm one. "
        "Memory in MB, summed over the server and all its descendants; PSS divides shared "
        "pages among the processes sharing them.",
        "",
        *table(
            [
                "system",
                "start-up s",
                "store build s",
                "RSS warm",
                "RSS end",
                "PSS warm",
                "PSS end",
                "processes",
                "notes",
            ],
            rows,
        ),
    ]


def report(run: Run, command: str, date: str) -> str:
    args = run.args
    work = run.work
    lines = [
        f"# SPARQL endpoint benchmark: {args.scale} ({work.triples:,} triples)",
        "",
        f"- **Date:** {date}",
        f"- **Command:** `{command}`",
        *machine(args.server_src),
        f"- **Data:** {work.origin}; {work.size / 1e6:.1f} MB; resource `{work.resource}`",
        f"- **Each cell:** {args.warmup} s wrk warm-up, then `wrk -t1 -cC -d{args.duration}s "
        f"--latency --timeout {args.wrk_timeout}s` with the URL-encoded query (GET; Accept: "
        f"{SELECT_TYPE} for SELECT, {GRAPH_TYPE} for CONSTRUCT); rdflib-endpoint "
        f"{min(args.duration, RDFLIB_CELL_SECONDS)} s cells, no warm-up. Systems interleaved "
        "per (query, connections), their order rotated from cell to cell; all on 127.0.0.1 "
        "on the same machine as wrk. A cell of a query whose first answer took over "
        f"{args.duration / 3:.1f} s lasts about three answers (at most {MAX_CELL_SECONDS} s); "
        "n = requests completed in the cell.",
    ]
    if run.dropped:
        lines.append(
            "- **Options the server does not accept yet** (dropped from its command lines; "
            f"rows left identical are run once): {', '.join(sorted(run.dropped))}"
        )
    lines += ["", "## Systems", ""]
    lines += table(
        ["key (--systems)", "system", "how it runs"],
        [[spec.key, spec.label, f"`{spec.describe}`"] for spec in run.specs],
    )
    lines += ["## Queries", ""]
    lines += table(
        ["name", "form", "query (without its prefixes)"],
        [[name, query_form(q), "`" + _shorten(q) + "`"] for name, q in work.queries.items()],
    )
    lines += answers_table(run)
    lines += ["## Throughput and latency", "", *throughput_tables(run)]
    lines += ratio_tables(run)
    lines += files_table(run)
    lines += startup_table(run)
    return "\n".join(lines).rstrip() + "\n"


# -- raw results: written before the report, so a report can be rendered again ----------------

PATH_ARGS = ("release", "data_dir", "out", "server_src")


def save_raw(run: Run, command: str, date: str, path: Path) -> None:
    """Everything the report is made of, as JSON (``--render`` makes the report again)."""
    arguments = {
        name: str(value) if isinstance(value, Path) else value
        for name, value in vars(run.args).items()
    }
    raw = {
        "command": command,
        "date": date,
        "args": arguments,
        "work": {**dataclasses.asdict(run.work), "data": str(run.work.data)},
        "specs": [
            {"key": s.key, "label": s.label, "kind": s.kind, "describe": s.describe, "args": s.args}
            for s in run.specs
        ],
        "started": {
            key: {
                "label": r.label,
                "base": r.base,
                "endpoint": r.endpoint,
                "startup_s": r.startup_s,
                "timings": r.timings,
                "notes": r.notes,
            }
            for key, r in run.started.items()
        },
        "answers": [[k, c, dataclasses.asdict(a)] for (k, c), a in run.answers.items()],
        "cells": [
            [k, c, n, dataclasses.asdict(cell.result) if cell.result else None, cell.error]
            for (k, c, n), cell in run.cells.items()
        ],
        "memory_warm": {k: dataclasses.asdict(m) for k, m in run.memory_warm.items()},
        "memory_end": {k: dataclasses.asdict(m) for k, m in run.memory_end.items()},
        "part_memory": {
            k: {part: dataclasses.asdict(m) for part, m in parts.items()}
            for k, parts in run.part_memory.items()
        },
        "died": sorted(run.died),
        "dropped": sorted(run.dropped),
        **{
            name: getattr(run, name)
            for name in ("skipped", "failed", "page_path", "static_note", "settled", "restarts")
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(raw, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _not_startable(context: Context) -> Running:
    raise RuntimeError("a system read back from raw results cannot be started")


def load_raw(path: Path) -> tuple[Run, str, str]:
    """(run, command, date) from :func:`save_raw`'s JSON."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    arguments = argparse.Namespace(**raw["args"])
    for name in PATH_ARGS:
        value = getattr(arguments, name, None)
        setattr(arguments, name, Path(value) if value else None)
    work = Workload(**{**raw["work"], "data": Path(raw["work"]["data"])})
    specs = [
        Spec(s["key"], s["label"], s["kind"], _not_startable, s["describe"], args=tuple(s["args"]))
        for s in raw["specs"]
    ]
    started = {
        key: Running(
            key,
            r["label"],
            r["base"],
            r["endpoint"],
            [],
            r["startup_s"],
            r["timings"],
            r["notes"],
        )
        for key, r in raw["started"].items()
    }
    cells = {}
    for key, column, connections, result, error in raw["cells"]:
        cells[(key, column, connections)] = Cell(wrk.WrkResult(**result) if result else None, error)
    run = Run(
        arguments,
        work,
        specs,
        started=started,
        skipped=raw["skipped"],
        failed=raw["failed"],
        answers={(k, c): Answer(**a) for k, c, a in raw["answers"]},
        cells=cells,
        memory_warm={k: Memory(**m) for k, m in raw["memory_warm"].items()},
        memory_end={k: Memory(**m) for k, m in raw["memory_end"].items()},
        part_memory={
            k: {part: Memory(**m) for part, m in parts.items()}
            for k, parts in raw["part_memory"].items()
        },
        page_path=raw["page_path"],
        static_note=raw["static_note"],
        dropped=set(raw["dropped"]),
        died=set(raw["died"]),
        settled=raw["settled"],
        restarts=raw["restarts"],
    )
    return run, raw["command"], raw["date"]


# -- the command line ------------------------------------------------------------------------


def _csv_ints(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r}: expected numbers like 1,8,32") from error
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: expected positive numbers")
    return values


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


SMOKE_SYSTEMS = ["ours-memory-1", "bare", "ours-release", "static"]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark our SPARQL endpoint against its anchors (see the module docstring).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--scale", choices=[*SCALES, "release"], default="10k")
    parser.add_argument("--seed", type=int, default=1, help="bench/generate.py's seed")
    parser.add_argument("--duration", type=int, default=5, help="seconds per measured cell")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of wrk before each cell")
    parser.add_argument("--connections", type=_csv_ints, default=[1, 8, 32])
    parser.add_argument("--systems", type=_csv, default=None, help="keys, comma-separated")
    parser.add_argument("--queries", type=_csv, default=None, help="names, comma-separated")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="N")
    parser.add_argument("--release", type=Path, default=ROOT / "release")
    parser.add_argument("--page-slug", default="milan", help="the city of the page row")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--wrk-timeout", type=int, default=30, help="wrk's --timeout, seconds")
    parser.add_argument(
        "--start-timeout",
        type=float,
        default=None,
        help="seconds a system may take to start (default: 120 + 150 per million triples)",
    )
    parser.add_argument(
        "--server-src",
        type=Path,
        default=None,
        help="run our server from this folder's smartcity_graph package (e.g. a commit "
        "exported with `git archive`) instead of the installed one",
    )
    parser.add_argument(
        "--answer-timeout", type=float, default=120, help="seconds for the first answer"
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=60,
        help="seconds a system may stay busy after its cell before it is restarted",
    )
    parser.add_argument("--out", type=Path, default=None, help="default bench/results/SCALE.md")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (logs)")
    parser.add_argument(
        "--render",
        type=Path,
        default=None,
        metavar="RAW.json",
        help="measure nothing: make the report again from a run's raw results (written "
        "beside every report as OUT.json)",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="CI: 10k, ours memory/1 + bare + static, 1 connection, 1 s cells; exit 1 on failure",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.scale = "10k" if args.scale != "release" else "release"
        args.duration, args.warmup, args.connections = 1, 0, [1]
        args.systems = args.systems or SMOKE_SYSTEMS
        args.start_timeout = args.start_timeout or 40
    args.release = args.release.resolve()
    if args.out is None and args.render is not None:
        args.out = args.render.with_suffix(".md")
    if args.out is None:
        args.out = BENCH / "results" / f"{'smoke' if args.smoke else args.scale}.md"
    return args


def write_report(run: Run, command: str, date: str, out: Path) -> None:
    """Render the Markdown report, print it and write it to *out*."""
    text = report(run, command, date)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)
    say(f"written to {out} (raw results: {out.with_suffix('.json')})")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.render is not None:  # no measuring: the report of an earlier run, made again
        run, command, date = load_raw(args.render)
        write_report(run, command, date, args.out)
        return 0
    command = "python bench/run.py " + shlex.join(sys.argv[1:] if argv is None else argv)
    if wrk.wrk_binary() is None:
        say("wrk is not on PATH (Debian: apt-get install wrk)")
        return 2
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    date = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    work = workload(args.scale, args.seed, args.data_dir, args.release)
    if args.queries:
        unknown = set(args.queries) - set(work.queries)
        if unknown:
            say(f"unknown queries: {', '.join(sorted(unknown))}; known: {', '.join(work.queries)}")
            return 2
        work = Workload(
            work.data,
            work.triples,
            {name: work.queries[name] for name in args.queries},
            work.resource,
            work.origin,
            work.size,
        )
    scratch = Path(tempfile.mkdtemp(prefix="smartcity-bench-"))
    run = Run(args, work, [], page_path=f"/id/city/{args.page_slug}")
    specs = all_specs(args.workers, lambda: prepare_static(run, scratch / "static"))
    if args.systems:
        unknown = set(args.systems) - {spec.key for spec in specs}
        if unknown:
            known = ", ".join(spec.key for spec in specs)
            say(f"unknown systems: {', '.join(sorted(unknown))}; known: {known}")
            return 2
        specs = [spec for spec in specs if spec.key in args.systems]
    run.specs = specs
    say(f"data: {work.data} ({work.triples:,} triples); scratch: {scratch}")
    context = Context(
        data=work.data,
        release=args.release,
        scratch=scratch,
        workers=args.workers,
        start_timeout=args.start_timeout or 120 + 150 * work.triples / 1e6,
        server_help=systems.serve_help(args.server_src),
        server_src=args.server_src,
    )
    try:
        start_all(run, context)
        found = targets(run)
        check_answers(run, context, found)
        for key in list(run.started):
            settle(run, context, key)
        run.memory_warm = read_memory(run)
        measure(run, context, found)
        run.memory_end = read_memory(run)
        run.died = {key for key, running in run.started.items() if not running.alive()}
    finally:
        for running in run.started.values():
            with contextlib.suppress(Exception):
                running.stop()
        if args.keep:
            say(f"kept {scratch} (server logs, stores)")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    save_raw(run, command, date, args.out.with_suffix(".json"))
    write_report(run, command, date, args.out)
    problems = smoke_problems(run)
    if args.smoke and problems:
        say("smoke: " + "; ".join(problems))
        return 1
    return 0 if run.started else 1


def smoke_problems(run: Run) -> list[str]:
    """Everything that makes the smoke run fail: a system down, an error, a cell with nothing."""
    problems = [f"{run.label(k)} did not start" for k in run.failed]
    problems += [f"{run.label(k)}: {a.error}" for (k, _), a in run.answers.items() if a.error]
    for (key, column, connections), cell in run.cells.items():
        if cell.result is None:
            problems.append(f"{run.label(key)} / {column} @{connections}: {cell.error}")
        elif cell.result.errors or not cell.result.requests:
            problems.append(
                f"{run.label(key)} / {column} @{connections}: "
                f"{cell.result.requests} requests, errors {cell.result.describe_errors()}"
            )
    return problems


if __name__ == "__main__":
    sys.exit(main())
