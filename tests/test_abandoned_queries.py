"""Issue 12, part 3: a query whose client has gone is stopped at once, and admission limits.

Every test here runs a real ``smartcity-graph serve`` (or a real uvicorn over
``create_app``) on 127.0.0.1 and speaks to it over real sockets; what is checked is what
the kernel shows (processes, their CPU time, their open files) and what a client receives.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from conftest import ROOT, free_port, read_log, stop_process, wait_until_healthy
from test_server import CITIES, RUNAWAY, server, workers_of

pytestmark = pytest.mark.slow

TICK = os.sysconf("SC_CLK_TCK")
#: What the issue asks: an abandoned query's worker is free within a second of the
#: disconnect.
FREED_WITHIN = 1.0


# -- what the kernel shows ---------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of *pid* (all its threads); 0 once it has gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def alive(pid: int) -> bool:
    """Running (a zombie awaiting its parent's wait counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "zombie" not in status


def busy_workers(pids: set[int], window: float = 0.5, threshold: float = 0.15) -> set[int]:
    """The processes among *pids* that used more than *threshold* of a core in *window*."""
    before = {pid: cpu_seconds(pid) for pid in pids}
    time.sleep(window)
    return {pid for pid in pids if cpu_seconds(pid) - before[pid] > threshold * window}


def tree(pid: int) -> set[int]:
    """*pid* and all its descendants."""
    found = {pid}
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            for child in (task / "children").read_text().split():
                found |= tree(int(child))
    return found


def tree_cpu(pid: int) -> float:
    return sum(cpu_seconds(p) for p in tree(pid))


def open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


# -- what a client does ------------------------------------------------------------------------


def send_query(url: str, query: str, source: str = "127.0.0.1") -> socket.socket:
    """Open a connection from *source* and send a GET for *query*; leave it open."""
    port = int(url.rsplit(":", 1)[1])
    connection = socket.create_connection(("127.0.0.1", port), source_address=(source, 0))
    connection.sendall(
        f"GET /sparql?query={quote(query)} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Accept: application/sparql-results+json\r\n\r\n".encode()
    )
    return connection


def answer_of(connection: socket.socket, timeout: float = 30) -> bytes:
    """Everything the server sends on *connection* until it closes or a response is whole."""
    connection.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def health(url: str) -> dict[str, object]:
    found: dict[str, object] = httpx.get(url + "/health", timeout=10).json()
    return found


# -- part 3a: abandoned queries stop ------------------------------------------------------------


def test_abandoned_slow_queries_are_stopped_and_their_workers_freed_within_a_second(
    release_dir: Path,
) -> None:
    """Two runaway queries from clients that then close their connections.

    The query timeout is 60 s, so nothing but the disconnect can stop them. What is checked
    is what the kernel shows: the HTTP workers burning CPU on the runaways must be gone (the
    queries are stopped with them) within a second of the disconnect, the server must
    answer a quick query at once, and the process tree must then be idle.

    A naive endpoint, which does not watch ``receive()`` for ``http.disconnect`` while the
    engine works, keeps evaluating both queries until the timeout: the busy workers stay,
    both cores stay busy, and the first assertion fails after one second.
    """
    options = ("--release", str(release_dir), "--workers", "2", "--query-timeout", "60")
    with server(*options) as (url, process):
        workers = workers_of(process.pid)
        assert len(workers) == 2
        connections = [send_query(url, RUNAWAY) for _ in range(2)]
        deadline = time.monotonic() + 10
        while not (busy := busy_workers(workers)):
            assert time.monotonic() < deadline, "the runaway queries never started"
        for connection in connections:
            connection.close()
        closed = time.monotonic()
        while any(alive(pid) for pid in busy):
            assert time.monotonic() - closed < FREED_WITHIN, (
                f"the workers running abandoned queries still run {FREED_WITHIN} s after "
                "their clients closed"
            )
            time.sleep(0.01)
        freed = time.monotonic() - closed
        quick = httpx.get(url + "/sparql", params={"query": CITIES}, timeout=10)
        assert quick.status_code == 200
        assert time.monotonic() - closed < FREED_WITHIN + 2
        deadline = time.monotonic() + 15
        while len(workers_of(process.pid)) != 2:
            assert time.monotonic() < deadline, "the recycled workers were not replaced"
            time.sleep(0.05)
        time.sleep(0.5)  # the replacements' own start-up
        spent = tree_cpu(process.pid)
        time.sleep(1.0)
        assert tree_cpu(process.pid) - spent < 0.3, "the server still burns CPU"
        print(f"abandoned queries' workers freed {freed:.3f} s after the disconnect")


def test_an_abandoned_query_of_the_library_engine_kills_its_worker_and_leaks_nothing(
    release_dir: Path,
) -> None:
    """``create_app`` under uvicorn (the library use): queries run in the embedded engine's
    worker processes. Each abandoned runaway must have its worker killed and replaced within
    a second, and ten rounds must leave the same number of processes and open files.

    Without the disconnect watch, each runaway holds its worker for the 60 s timeout: the
    pool has two, so the third round's queries wait, and the worker pids never change."""
    with library_server(release_dir) as (url, process):
        first = health(url)
        assert first["workers"] == 2
        baseline = (len(tree(process.pid)), open_files(process.pid))
        for round_ in range(10):
            before = set(tree(process.pid)) - {process.pid}
            connections = [send_query(url, RUNAWAY) for _ in range(2)]
            deadline = time.monotonic() + 10
            while not busy_workers(before, window=0.2):
                assert time.monotonic() < deadline, "the runaway queries never started"
            busy = busy_workers(before, window=0.2)
            for connection in connections:
                connection.close()
            closed = time.monotonic()
            while any(alive(pid) for pid in busy):
                assert time.monotonic() - closed < FREED_WITHIN, f"round {round_}"
                time.sleep(0.01)
            quick = httpx.get(url + "/sparql", params={"query": CITIES}, timeout=10)
            assert quick.status_code == 200
        deadline = time.monotonic() + 10
        while (len(tree(process.pid)), open_files(process.pid)) != baseline:
            assert time.monotonic() < deadline, (
                f"processes and open files {baseline} became "
                f"{(len(tree(process.pid)), open_files(process.pid))}"
            )
            time.sleep(0.1)
        after = health(url)
        assert after["workers"] == 2
        assert after["abandoned"] == 20
        assert after["queries"]["abandoned"] == 20  # type: ignore[index]


@contextlib.contextmanager
def library_server(release_dir: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """uvicorn serving ``create_app`` with the embedded engine: two worker processes, a
    60 s timeout, the result cache off."""
    port = free_port()
    program = (
        "import sys, uvicorn\n"
        "from pathlib import Path\n"
        "from smartcity_graph.query.dataset import from_release\n"
        "from smartcity_graph.settings import Settings\n"
        "from smartcity_graph.web import create_app\n"
        "settings = Settings(workers=2, query_timeout=60, query_cache=0)\n"
        "app = create_app(settings, from_release(Path(sys.argv[1])))\n"
        "uvicorn.run(app, host='127.0.0.1', port=int(sys.argv[2]), log_level='warning')\n"
    )
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    process = subprocess.Popen(
        [sys.executable, "-c", program, str(release_dir), str(port)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(process, url, read_log(log))
        yield url, process
    finally:
        stop_process(process, 15)
        log.seek(0)
        output = log.read().decode(errors="replace")
        log.close()
        assert "Traceback" not in output, output


def test_a_cancelled_remote_query_closes_its_http_request() -> None:
    """The remote engine, cancelled as the web layer cancels it when the client leaves,
    closes its connection to the remote store at once (a store that never answers here)."""
    from smartcity_graph.query.engine import QueryRequest
    from smartcity_graph.query.remote import RemoteEngine

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    closed = threading.Event()

    def silent_store() -> None:
        connection, _ = listener.accept()
        connection.settimeout(30)
        with contextlib.suppress(OSError):
            while connection.recv(65536):
                pass
            closed.set()
        connection.close()

    thread = threading.Thread(target=silent_store, daemon=True)
    thread.start()

    async def abandon() -> float:
        engine = RemoteEngine(f"http://127.0.0.1:{port}/sparql")
        await engine.start()
        try:
            query = QueryRequest(query="ASK {}", form="ASK", result_format="json")
            task = asyncio.ensure_future(engine.run(query, 60))
            await asyncio.sleep(0.5)
            task.cancel()
            started = time.monotonic()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            while not closed.is_set():
                assert time.monotonic() - started < FREED_WITHIN
                await asyncio.sleep(0.01)
            return time.monotonic() - started
        finally:
            await engine.close()

    try:
        assert asyncio.run(abandon()) < FREED_WITHIN
    finally:
        listener.close()
        thread.join(5)


# -- part 3b: admission limits ---------------------------------------------------------------


def test_concurrency_limits_answer_429_per_client_and_503_overall_with_retry_after(
    release_dir: Path,
) -> None:
    """One HTTP worker (the limits are per worker process), at most 3 queries at once, 2 per
    client address. Runaways hold the slots (timeout 4 s); clients are told apart by their
    loopback source address (127.0.0.1, .2, .3).

    * a client's third query gets 429 with Retry-After, at once, though the server has a
      free slot;
    * with every slot taken, another client gets 503 with Retry-After, at once;
    * neither reaches the engine: the result cache (in front of the engine) counts no miss
      for them.

    A naive endpoint has no limit: both extra queries run (or wait for a worker) and end
    in 503 from the timeout after seconds, not at once, without the limits' messages."""
    env = {
        "SMARTCITY_GRAPH_MAX_QUERIES": "3",
        "SMARTCITY_GRAPH_MAX_QUERIES_PER_CLIENT": "2",
    }
    options = ("--release", str(release_dir), "--workers", "1", "--query-timeout", "4")
    with server(*options, env=env) as (url, _):
        before = health(url)
        queries = before["queries"]
        assert queries["limit"] == 3  # type: ignore[index]
        assert queries["per_client_limit"] == 2  # type: ignore[index]
        misses = before["result_cache"]["misses"]  # type: ignore[index]
        held = [send_query(url, RUNAWAY, "127.0.0.1") for _ in range(2)]
        wait_for_running(url, 2)

        started = time.monotonic()
        extra = httpx.get(url + "/sparql", params={"query": CITIES}, timeout=10)
        assert extra.status_code == 429, extra.text
        assert time.monotonic() - started < 1
        assert int(extra.headers["retry-after"]) >= 1
        assert "2 queries running" in extra.text

        held.append(send_query(url, RUNAWAY, "127.0.0.2"))
        wait_for_running(url, 3)
        started = time.monotonic()
        with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.3")) as other:
            busy = other.get(url + "/sparql", params={"query": CITIES}, timeout=10)
        assert busy.status_code == 503, busy.text
        assert time.monotonic() - started < 1
        assert int(busy.headers["retry-after"]) >= 1
        assert "as many queries as it may" in busy.text

        during = health(url)
        assert during["result_cache"]["misses"] == misses + 3  # type: ignore[index]
        assert during["queries"]["refused_client"] == 1  # type: ignore[index]
        assert during["queries"]["refused_busy"] == 1  # type: ignore[index]
        for connection in held:  # answered 503 at the timeout
            assert b" 503 " in answer_of(connection).split(b"\r\n", 1)[0]
            connection.close()
        deadline = time.monotonic() + 30
        while True:  # the worker is recycled after the timeouts; the next one answers
            with contextlib.suppress(httpx.HTTPError):
                again = httpx.get(url + "/sparql", params={"query": CITIES}, timeout=10)
                if again.status_code == 200:
                    break
            assert time.monotonic() < deadline
            time.sleep(0.1)


def wait_for_running(url: str, count: int) -> None:
    """Until the (single) worker says *count* queries are running."""
    deadline = time.monotonic() + 10
    while health(url)["queries"]["running"] != count:  # type: ignore[index]
        assert time.monotonic() < deadline, f"{count} queries never ran at once"
        time.sleep(0.05)


def test_admission_counts_and_releases_slots() -> None:
    from smartcity_graph.errors import TooManyQueries, TooManyQueriesFromClient
    from smartcity_graph.web.limits import Admission

    admission = Admission(overall=2, per_client=1)
    with admission.admit("a"):
        with pytest.raises(TooManyQueriesFromClient), admission.admit("a"):
            pass
        with admission.admit("b"):
            with pytest.raises(TooManyQueries), admission.admit("c"):
                pass
            assert admission.running == 2
    assert admission.running == 0
    assert admission.clients == {}
    unlimited = Admission(overall=0, per_client=0)
    with contextlib.ExitStack() as stack:
        for _ in range(100):
            stack.enter_context(unlimited.admit("a"))
        assert unlimited.running == 100
