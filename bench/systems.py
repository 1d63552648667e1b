"""The systems ``bench/run.py`` compares: how each starts, where it answers, what memory it holds.

Every system is a set of real processes on 127.0.0.1, each started in its own session (its
own process group), so stopping one kills the server and every worker it forked. Memory is
summed over the process tree (the server and all its descendants): RSS from
``/proc/PID/status``, and PSS from ``/proc/PID/smaps_rollup``, which splits the pages that
forked workers share instead of counting them once per process.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
HOST = "127.0.0.1"

#: The options every one of our servers runs with: no result cache (unless a row says so),
#: no row cap that would cut the large answers, a timeout no benchmark query reaches.
OURS_COMMON = ("--max-rows", "1000000", "--query-timeout", "60")


# -- processes -------------------------------------------------------------------------------


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, start time in clock ticks) of *pid*, or None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()  # the command name may hold spaces and ')'
    return int(fields[1]), int(fields[19])


def descendants(root: int) -> list[int]:
    """*root* and every process below it, found through /proc parent links."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None:
                children.setdefault(stat[0], []).append(int(entry))
    found, queue = [], [root]
    while queue:
        pid = queue.pop()
        if _stat(pid) is not None:
            found.append(pid)
        queue.extend(children.get(pid, []))
    return found


def _kb(path: str, key: str) -> int | None:
    try:
        text = Path(path).read_text()
    except OSError:
        return None
    match = re.search(rf"^{key}:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class Memory:
    """Memory of a set of process trees: RSS and PSS in kB (PSS None if unreadable)."""

    rss_kb: int
    pss_kb: int | None
    processes: int


def memory(roots: Sequence[int]) -> Memory:
    """Sum of VmRSS (and Pss) over *roots* and all their descendants."""
    rss, pss, count, pss_ok = 0, 0, 0, True
    for root in roots:
        for pid in descendants(root):
            value = _kb(f"/proc/{pid}/status", "VmRSS")
            if value is None:
                continue
            rss += value
            count += 1
            shared = _kb(f"/proc/{pid}/smaps_rollup", "Pss")
            if shared is None:
                pss_ok = False
            else:
                pss += shared
    return Memory(rss, pss if pss_ok else None, count)


def cpu_seconds(roots: Sequence[int]) -> float:
    """User plus system CPU time of *roots* and all their descendants, in seconds."""
    ticks = 0
    for root in roots:
        for pid in descendants(root):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_idle(roots: Sequence[int], limit: float, step: float = 0.2) -> float:
    """Wait until the trees of *roots* use under 5% of a core over *step*; seconds waited
    (*limit* or more if they never did)."""
    started = time.perf_counter()
    before = cpu_seconds(roots)
    while True:
        time.sleep(step)
        now = cpu_seconds(roots)
        waited = time.perf_counter() - started
        if now - before < 0.05 * step or waited >= limit:
            return waited
        before = now


def spawn(
    command: Sequence[str], log: Path, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start *command* in a new session (its own process group), output to *log*."""
    with log.open("ab") as out:  # the child keeps its own descriptor
        return subprocess.Popen(
            list(command),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """SIGTERM the process group, SIGKILL it after *timeout*, then any descendant that left it."""
    if process.poll() is not None:
        return
    tree = [(pid, _stat(pid)) for pid in descendants(process.pid)]
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    deadline = time.monotonic() + timeout
    for pid, stat in tree:  # a child that moved to another group, killed by id
        while stat is not None and _stat(pid) == stat and time.monotonic() < deadline:
            time.sleep(0.05)
        if stat is not None and _stat(pid) == stat:  # the same process, not a reused id
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def log_tail(log: Path, lines: int = 15) -> str:
    """The last *lines* lines of a log, for error messages."""
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def wait_ready(
    url: str, process: subprocess.Popen[bytes], log: Path, started: float, timeout: float
) -> float:
    """Poll *url* until it answers 200; seconds since *started* (a perf_counter reading)."""
    deadline = started + timeout
    with httpx.Client(timeout=5) as client:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"exited with {process.returncode}:\n{log_tail(log)}")
            try:
                status = client.get(url).status_code
            except httpx.HTTPError:
                status = 0
            if status == 200:
                return time.perf_counter() - started
            if status in {404, 405}:  # up, but not what we ask for: waiting will not help
                raise RuntimeError(f"{url} answers HTTP {status}")
            if time.perf_counter() > deadline:
                raise RuntimeError(f"not ready after {timeout:.0f} s:\n{log_tail(log)}")
            time.sleep(0.05)


def ask_url(endpoint: str) -> str:
    """*endpoint* with the smallest query there is (``ASK {}``): the first successful query."""
    return endpoint + "?query=" + urllib.parse.quote("ASK {}", safe="")


# -- what a started system is ----------------------------------------------------------------


@dataclass
class Running:
    """One started system: where it answers, its processes, how long it took to start."""

    key: str
    label: str
    base: str  # http://127.0.0.1:PORT
    endpoint: str  # the SPARQL endpoint ('' for servers that only serve files and pages)
    processes: list[subprocess.Popen[bytes]]
    startup_s: float
    timings: dict[str, float] = field(default_factory=dict)  # e.g. {"load": 3.1}
    notes: list[str] = field(default_factory=list)
    parts: dict[str, list[int]] = field(default_factory=dict)  # name -> root pids

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self.processes]

    def alive(self) -> bool:
        return all(process.poll() is None for process in self.processes)

    def stop(self) -> None:
        """Stop every process, the last started first (our server before its Virtuoso)."""
        for process in reversed(self.processes):
            stop(process, 20)


@dataclass(frozen=True)
class Context:
    """What every system is started with."""

    data: Path  # the N-Triples file all SPARQL systems serve
    release: Path  # the release our page/download server serves
    scratch: Path  # a private temporary folder (logs, stores, databases)
    workers: int  # N, for the N-worker rows
    start_timeout: float
    server_help: str  # `smartcity-graph serve --help`, to drop options it does not know yet
    server_src: Path | None = None  # our server's code, if not the installed package
    builds: dict[str, float] = field(default_factory=dict)  # store builds done once per run

    def log(self, key: str) -> Path:
        return self.scratch / f"{key}.log"


@dataclass(frozen=True)
class Spec:
    """A system the harness can start."""

    key: str
    label: str
    kind: str  # "sparql" or "files"
    start: Callable[[Context], Running]
    describe: str  # the command, for the report
    skip: Callable[[Context, int], str | None] = lambda context, triples: None
    args: tuple[str, ...] = ()  # our server's options (rows with the same effective ones are one)


# -- our server ------------------------------------------------------------------------------


def serve_help(server_src: Path | None = None) -> str:
    """``python -m smartcity_graph serve --help`` (empty if the server cannot start at all)."""
    done = subprocess.run(
        [sys.executable, "-m", "smartcity_graph", "serve", "--help"],
        cwd=ROOT,
        env=ours_environment(server_src),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.stdout


def known_options(args: Sequence[str], help_text: str) -> tuple[list[str], list[str]]:
    """(*args* without the options ``serve --help`` does not list, the options dropped).

    The server is growing options (``--store-mode``, ``--query-cache``) while the harness is
    written; a row keeps its final command line and runs what the server accepts today.
    """
    if not help_text:  # the server cannot even print its help: run it as is, to see why
        return list(args), []
    kept: list[str] = []
    dropped: list[str] = []
    index = 0
    while index < len(args):
        token = args[index]
        takes_value = index + 1 < len(args) and not args[index + 1].startswith("--")
        width = 2 if takes_value else 1
        if token.startswith("--") and not re.search(rf"(?<![\w-]){re.escape(token)}\b", help_text):
            dropped.append(" ".join(args[index : index + width]))
        else:
            kept.extend(args[index : index + width])
        index += width
    return kept, dropped


#: wrk is one client with up to 32 connections, measuring throughput: the admission limits
#: (``max_queries``, ``max_queries_per_client``) would answer it 429, so they are off here.
NO_ADMISSION_LIMITS = {
    "SMARTCITY_GRAPH_MAX_QUERIES": "0",
    "SMARTCITY_GRAPH_MAX_QUERIES_PER_CLIENT": "0",
}


def ours_environment(server_src: Path | None) -> dict[str, str]:
    """The environment of our server (admission limits off): this one, or with
    *server_src* (a folder holding a ``smartcity_graph`` package, e.g. an exported commit's
    ``src``) first on the path."""
    if server_src is None:
        return {**os.environ, **NO_ADMISSION_LIMITS}
    path = os.environ.get("PYTHONPATH", "")
    return {
        **os.environ,
        **NO_ADMISSION_LIMITS,
        "PYTHONPATH": f"{server_src}{os.pathsep}{path}" if path else str(server_src),
    }


def ours_command(port: int, args: Sequence[str]) -> list[str]:
    """Our server's command line."""
    return [
        sys.executable,
        "-m",
        "smartcity_graph",
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        *args,
    ]


def _launch_ours(
    context: Context, key: str, args: Sequence[str]
) -> tuple[subprocess.Popen[bytes], str, float]:
    """Spawn our server with *args*; (process, base URL, seconds to /health 200)."""
    port, log = free_port(), context.log(key)
    started = time.perf_counter()
    process = spawn(ours_command(port, args), log, env=ours_environment(context.server_src))
    base = f"http://{HOST}:{port}"
    try:
        startup = wait_ready(base + "/health", process, log, started, context.start_timeout)
    except BaseException:
        stop(process)
        raise
    return process, base, startup


def _lean_store(context: Context, args: list[str]) -> dict[str, float]:
    """Lean rows share one on-disk store cache in the scratch folder, built by a first,
    cold start that is timed and stopped (the counterpart of ``oxigraph load``); the rows
    then start warm. Returns the build's timing."""
    if "--store-mode" not in args or args[args.index("--store-mode") + 1] != "lean":
        return {}
    if not re.search(r"(?<![\w-])--store-cache\b", context.server_help):
        return {}
    args += ["--store-cache", str(context.scratch / "lean-stores")]
    if "lean" not in context.builds:
        process, _, seconds = _launch_ours(context, "lean-store-build", args)
        stop(process)
        context.builds["lean"] = seconds
    return {"lean cold start": context.builds["lean"]}


def start_ours(
    context: Context, key: str, label: str, args: Sequence[str], kind: str = "sparql"
) -> Running:
    """Our server with *args* (options it does not know yet are dropped and noted)."""
    kept, dropped = known_options(args, context.server_help)
    timings = _lean_store(context, kept)
    process, base, startup = _launch_ours(context, key, kept)
    notes = [f"server lacks {', '.join(dropped)}: ran without"] if dropped else []
    endpoint = base + "/sparql" if kind == "sparql" else ""
    return Running(key, label, base, endpoint, [process], startup, timings, notes)


def ours_rows(workers: int) -> list[tuple[str, str, tuple[str, ...]]]:
    """(key, label, options) of our server's rows."""
    n = str(workers)
    no_cache = ("--query-cache", "0", *OURS_COMMON)
    return [
        ("ours-memory-1", "ours memory/1", ("--store-mode", "memory", "--workers", "1", *no_cache)),
        (
            "ours-memory-n",
            f"ours memory/{n}",
            ("--store-mode", "memory", "--workers", n, *no_cache),
        ),
        ("ours-lean-1", "ours lean/1", ("--store-mode", "lean", "--workers", "1", *no_cache)),
        ("ours-lean-n", f"ours lean/{n}", ("--store-mode", "lean", "--workers", n, *no_cache)),
        (
            "ours-cache",
            f"ours memory/{n} + result cache",
            ("--store-mode", "memory", "--workers", n, "--query-cache", "256", *OURS_COMMON),
        ),
    ]


def ours_specs(workers: int) -> list[Spec]:
    """Our server over the benchmark data, one spec per row."""
    specs = []
    for key, label, args in ours_rows(workers):

        def start(
            context: Context, key: str = key, label: str = label, args: tuple[str, ...] = args
        ) -> Running:
            return start_ours(context, key, label, ("--data", str(context.data), *args))

        command = "smartcity_graph serve --data FILE " + " ".join(args)
        specs.append(Spec(key, label, "sparql", start, command, args=args))
    return specs


def release_spec() -> Spec:
    """Our server over the real release: the resource page and download rows."""
    args = ("--store-mode", "memory", "--workers", "1", "--query-cache", "0", *OURS_COMMON)

    def start(context: Context) -> Running:
        return start_ours(
            context,
            "ours-release",
            "ours (release)",
            ("--release", str(context.release), *args),
            "files",
        )

    return Spec(
        "ours-release",
        "ours (release)",
        "files",
        start,
        "smartcity_graph serve --release DIR " + " ".join(args),
    )


# -- the anchors -----------------------------------------------------------------------------


def start_python_app(
    context: Context, key: str, label: str, script: str, ready: str, *args: str
) -> Running:
    """A bench/*.py app under the same uvicorn as ours: ``python SCRIPT PORT ARGS``."""
    port, log = free_port(), context.log(key)
    started = time.perf_counter()
    process = spawn([sys.executable, str(BENCH / script), str(port), *args], log)
    base = f"http://{HOST}:{port}"
    try:
        startup = wait_ready(base + ready, process, log, started, context.start_timeout)
    except BaseException:
        stop(process)
        raise
    return Running(key, label, base, base + "/sparql", [process], startup)


def bare_spec() -> Spec:
    def start(context: Context) -> Running:
        return start_python_app(
            context,
            "bare",
            "bare FastAPI + pyoxigraph",
            "bare_app.py",
            "/health",
            str(context.data),
        )

    return Spec(
        "bare", "bare FastAPI + pyoxigraph", "sparql", start, "python bench/bare_app.py PORT FILE"
    )


def static_spec(directory: Callable[[], Path]) -> Spec:
    """A Starlette StaticFiles app over *directory()* (made once ours (release) has started)."""

    def start(context: Context) -> Running:
        folder = directory()
        running = start_python_app(
            context, "static", "static files (Starlette)", "static_app.py", "/graph.nt", str(folder)
        )
        running.endpoint = ""
        return running

    return Spec(
        "static", "static files (Starlette)", "files", start, "python bench/static_app.py PORT DIR"
    )


def oxigraph_binary() -> str | None:
    """The Rust Oxigraph server of this environment (PyPI ``oxigraph``), else one on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else shutil.which("oxigraph")


def timed(command: Sequence[str], log: Path, timeout: float) -> float:
    """Run *command* to completion (output to *log*); its wall time in seconds."""
    started = time.perf_counter()
    with log.open("ab") as out:
        done = subprocess.run(
            list(command), stdout=out, stderr=subprocess.STDOUT, timeout=timeout, check=False
        )
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} {command[1]} failed:\n{log_tail(log)}")
    return time.perf_counter() - started


def oxigraph_spec() -> Spec:
    """``oxigraph load`` (timed: the store build), ``optimize`` (timed), ``serve-read-only``."""

    def start(context: Context) -> Running:
        binary = oxigraph_binary()
        if binary is None:
            raise RuntimeError("oxigraph not installed")
        location, log = context.scratch / "oxigraph-store", context.log("oxigraph")
        if "oxigraph load" not in context.builds:  # once per run (a restart reuses the store)
            context.builds["oxigraph load"] = timed(
                [binary, "load", "--location", str(location), "--file", str(context.data)],
                log,
                context.start_timeout,
            )
            context.builds["oxigraph optimize"] = timed(
                [binary, "optimize", "--location", str(location)], log, context.start_timeout
            )
        timings = {
            "load": context.builds["oxigraph load"],
            "optimize": context.builds["oxigraph optimize"],
        }
        port = free_port()
        base = f"http://{HOST}:{port}"
        started = time.perf_counter()
        process = spawn(
            [
                binary,
                "serve-read-only",
                "--location",
                str(location),
                "--bind",
                f"{HOST}:{port}",
                # No --timeout-s: with it, every query keeps a thread alive for the whole
                # timeout (OriginTrail/dkg#1757); at thousands of queries/s that exhausted
                # vm.max_map_count here and the server aborted mid-run.
            ],
            log,
        )
        try:
            startup = wait_ready(
                ask_url(base + "/query"), process, log, started, context.start_timeout
            )
        except BaseException:
            stop(process)
            raise
        return Running(
            "oxigraph",
            "Oxigraph server (Rust)",
            base,
            base + "/query",
            [process],
            startup,
            timings=timings,
        )

    def skip(context: Context, triples: int) -> str | None:
        return None if oxigraph_binary() else "oxigraph (PyPI) not installed"

    return Spec(
        "oxigraph",
        "Oxigraph server (Rust)",
        "sparql",
        start,
        "oxigraph load; oxigraph optimize; oxigraph serve-read-only (no --timeout-s)",
        skip,
    )


RDFLIB_MAX_TRIPLES = 100_000


def rdflib_spec() -> Spec:
    """rdflib-endpoint: rdflib's own SPARQL engine behind FastAPI (slow; small data only)."""

    def start(context: Context) -> Running:
        binary = Path(sys.executable).parent / "rdflib-endpoint"
        port, log = free_port(), context.log("rdflib-endpoint")
        base = f"http://{HOST}:{port}"
        started = time.perf_counter()
        process = spawn(
            [str(binary), "serve", str(context.data), "--host", HOST, "--port", str(port)], log
        )
        try:
            startup = wait_ready(ask_url(base + "/"), process, log, started, context.start_timeout)
        except BaseException:
            stop(process)
            raise
        # Its endpoint is / (rdflib-endpoint 0.6; older releases answered at /sparql). It
        # runs uvicorn with its access log on, as its command line does.
        return Running("rdflib-endpoint", "rdflib-endpoint", base, base + "/", [process], startup)

    def skip(context: Context, triples: int) -> str | None:
        if not (Path(sys.executable).parent / "rdflib-endpoint").exists():
            return "rdflib-endpoint not installed"
        if triples > RDFLIB_MAX_TRIPLES:
            return f"skipped above {RDFLIB_MAX_TRIPLES // 1000}k triples (too slow)"
        return None

    return Spec(
        "rdflib-endpoint",
        "rdflib-endpoint",
        "sparql",
        start,
        "rdflib-endpoint serve FILE (endpoint /)",
        skip,
    )


# -- Virtuoso behind our remote mode ---------------------------------------------------------

VIRTUOSO_GRAPH = "urn:x-smartcity-graph:bench"

#: After tests/virtuoso.py: loopback ports, files confined to the temporary folder and the
#: data's folder, no outbound proxy. Differences for benchmarking: the data's graph is the
#: default graph of /sparql (so Virtuoso's own system graphs do not join the answers),
#: enough threads for 32 connections, row limits above our 1,000,000 (ResultSetMaxRows, and
#: MaxSortedTopRows: our server bounds a query with LIMIT max_rows+1, and Virtuoso refuses
#: ORDER BY with a LIMIT over 10,000 by default), buffers by data size.
VIRTUOSO_INI = """[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = {host}:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 40
CheckpointInterval = 0
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
AllowOSCalls = 0
DirsAllowed = {folder}, {data_folder}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
ThreadsPerQuery = 2
MaxSortedTopRows = 2000000

[HTTPServer]
ServerPort = {host}:{http_port}
ServerRoot = {folder}
MaxClientConnections = 40
ServerThreads = 40
EnabledDavVSP = 0
HTTPProxyEnabled = 0
Charset = UTF-8

[Client]
SQL_PREFETCH_ROWS = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT = 0
SQL_TXN_TIMEOUT = 0

[SPARQL]
DefaultGraph = {graph}
ResultSetMaxRows = 2000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 60
"""


def isql(sql_port: int, statement: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """Run SQL through ``isql-vt`` as dba."""
    return subprocess.run(
        [
            shutil.which("isql-vt") or "isql-vt",
            f"{HOST}:{sql_port}",
            "dba",
            "dba",
            f"exec={statement}",
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def virtuoso_version() -> str:
    binary = shutil.which("virtuoso-t")
    if binary is None:
        return "not installed"
    done = subprocess.run([binary, "-?"], capture_output=True, text=True, check=False)
    for line in (done.stdout + done.stderr).splitlines():
        if line.startswith("Version"):
            return line.split()[1]
    return "unknown"


def start_virtuoso(context: Context) -> tuple[subprocess.Popen[bytes], int, dict[str, float]]:
    """A private Virtuoso with the data bulk-loaded: (process, HTTP port, timings)."""
    folder = Path(tempfile.mkdtemp(prefix="virtuoso-", dir=context.scratch))
    sql_port, http_port = free_port(), free_port()
    large = context.data.stat().st_size > 50_000_000
    (folder / "virtuoso.ini").write_text(
        VIRTUOSO_INI.format(
            folder=folder,
            data_folder=context.data.parent,
            host=HOST,
            sql_port=sql_port,
            http_port=http_port,
            graph=VIRTUOSO_GRAPH,
            buffers=340_000 if large else 40_000,  # 8 kB each: 2.7 GB / 330 MB
            dirty=250_000 if large else 30_000,
        )
    )
    log = context.log("virtuoso")
    started = time.perf_counter()
    process = spawn(
        [shutil.which("virtuoso-t") or "virtuoso-t", "+foreground", "+configfile", "virtuoso.ini"],
        log,
        cwd=folder,
    )
    try:
        deadline = started + context.start_timeout
        while isql(sql_port, "status();", 30).returncode != 0:
            if process.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError(f"Virtuoso did not start:\n{log_tail(log)}")
            time.sleep(0.2)
        timings = {"virtuoso start": time.perf_counter() - started}
        # The bulk loader (ld_dir + rdf_loader_run) rather than TTLP_MT over one string,
        # which would need the whole file in one SQL string.
        begin = time.perf_counter()
        folder_sql, name_sql = (
            str(p).replace("'", "''") for p in (context.data.parent, context.data.name)
        )
        loaded = isql(
            sql_port,
            # our own paths, quoted as SQL strings, and a constant IRI
            f"ld_dir('{folder_sql}', '{name_sql}', '{VIRTUOSO_GRAPH}'); "  # noqa: S608
            "rdf_loader_run(); checkpoint; "
            "select ll_file, ll_state, ll_error from DB.DBA.load_list;",
            context.start_timeout,
        )
        timings["virtuoso load"] = time.perf_counter() - begin
        if loaded.returncode != 0 or "Error" in loaded.stdout or "*** Error" in loaded.stderr:
            raise RuntimeError(f"Virtuoso could not load the data:\n{loaded.stdout}{loaded.stderr}")
        if re.search(r"\s2\s+NULL", loaded.stdout) is None:  # ll_state 2 = done, no ll_error
            raise RuntimeError(f"Virtuoso's bulk loader reported:\n{loaded.stdout}")
        return process, http_port, timings
    except BaseException:
        stop(process, 20)
        raise


def virtuoso_spec(workers: int) -> Spec:
    """Our server in remote mode (``--sparql-endpoint``) in front of a private Virtuoso."""
    args = ("--query-cache", "0", *OURS_COMMON)

    def start(context: Context) -> Running:
        virtuoso, http_port, timings = start_virtuoso(context)
        try:
            ours = start_ours(
                context,
                "virtuoso",
                "ours remote → Virtuoso",
                (
                    "--data",
                    str(context.data),
                    "--sparql-endpoint",
                    f"http://{HOST}:{http_port}/sparql",
                    *args,
                ),
            )
        except BaseException:
            stop(virtuoso, 20)
            raise
        ours.processes.insert(0, virtuoso)
        ours.timings.update(timings)
        ours.parts = {"virtuoso": [virtuoso.pid], "ours": [ours.processes[1].pid]}
        return ours

    def skip(context: Context, triples: int) -> str | None:
        if shutil.which("virtuoso-t") is None or shutil.which("isql-vt") is None:
            return "virtuoso-t/isql-vt not on PATH (Debian: virtuoso-opensource-7-bin)"
        return None

    return Spec(
        "virtuoso",
        "ours remote → Virtuoso",
        "sparql",
        start,
        "virtuoso-t (bulk loader) + smartcity_graph serve --sparql-endpoint URL " + " ".join(args),
        skip,
    )
