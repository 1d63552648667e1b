"""``smartcity-graph serve``: a supervisor and isolated HTTP workers, as a user runs them."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import ROOT, free_port, read_log, stop_process, wait_until_healthy

CITIES = (
    "PREFIX schema: <https://schema.org/> "
    "SELECT ?c ?name WHERE { ?c a schema:City ; schema:name ?name } ORDER BY ?name"
)
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }"

pytestmark = pytest.mark.slow


@contextlib.contextmanager
def server(
    *args: str, env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    # Unless a test asks for a store cache, each server starts cold in its own: a warm start
    # swaps its workers once the memory store is loaded, which a test counting workers
    # would race with.
    cache = tempfile.TemporaryDirectory()
    if "--store-cache" not in args:
        args = (*args, "--store-cache", cache.name)
    process = subprocess.Popen(
        [sys.executable, "-m", "smartcity_graph", "serve", "--port", str(port), *args],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=None if env is None else os.environ | env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(process, url, read_log(log))
        deadline = time.monotonic() + 60
        # A cold start in memory mode builds the on-disk store for the next start in a
        # background program; let it finish, so that timings measure the server alone.
        while children_of(process.pid) - workers_of(process.pid):
            assert time.monotonic() < deadline, "the background store build did not finish"
            time.sleep(0.1)
        yield url, process
    finally:
        stop_process(process, 15)
        log.close()
        cache.cleanup()


def children_of(pid: int) -> set[int]:
    children: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            children.update(int(child) for child in (task / "children").read_text().split())
    return children


def workers_of(pid: int) -> set[int]:
    """The HTTP workers of the supervisor *pid*: its forked children (a store build it runs in
    the background is another program)."""
    children = children_of(pid)
    own = Path(f"/proc/{pid}/cmdline").read_bytes()
    workers = set()
    for child in children:
        with contextlib.suppress(OSError):
            if Path(f"/proc/{child}/cmdline").read_bytes() == own:
                workers.add(child)
    return workers


def test_every_worker_serves_from_an_empty_network_namespace(release_dir: Path) -> None:
    with server("--release", str(release_dir), "--workers", "2") as (url, process):
        health = httpx.get(url + "/health").json()
        assert health["workers"] == 2
        assert health["workers_without_network"] is True
        workers = workers_of(process.pid)
        assert len(workers) == 2
        ours = os.readlink("/proc/self/ns/net")
        for pid in workers:
            assert os.readlink(f"/proc/{pid}/ns/net") != ours
            interfaces = Path(f"/proc/{pid}/net/dev").read_text().splitlines()[2:]
            assert [line.split(":")[0].strip() for line in interfaces] == ["lo"]
        assert httpx.get(url + "/sparql", params={"query": CITIES}).status_code == 200


def test_a_runaway_query_is_answered_503_and_its_worker_replaced(release_dir: Path) -> None:
    with server("--release", str(release_dir), "--workers", "1", "--query-timeout", "1.5") as (
        url,
        process,
    ):
        (before,) = workers_of(process.pid)
        started = time.monotonic()
        response = httpx.get(url + "/sparql", params={"query": RUNAWAY}, timeout=30)
        assert response.status_code == 503
        assert "stopped" in response.text
        assert time.monotonic() - started < 5
        after = httpx.get(url + "/sparql", params={"query": CITIES}, timeout=30)
        assert after.status_code == 200
        assert len(after.json()["results"]["bindings"]) == 36
        deadline = time.monotonic() + 15
        while before in workers_of(process.pid):
            assert time.monotonic() < deadline, "the runaway query's worker kept running"
            time.sleep(0.2)
        assert len(workers_of(process.pid)) == 1


def test_a_killed_worker_is_replaced(release_dir: Path) -> None:
    with server("--release", str(release_dir), "--workers", "1") as (url, process):
        (first,) = workers_of(process.pid)
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 15
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url + "/sparql", params={"query": CITIES}).status_code == 200:
                    break
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert first not in workers_of(process.pid)


def test_sigterm_stops_the_supervisor_and_every_worker(release_dir: Path) -> None:
    with server("--release", str(release_dir), "--workers", "2") as (_, process):
        workers = workers_of(process.pid)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        for pid in workers:
            assert (
                not Path(f"/proc/{pid}").exists()
                or "zombie" in Path(f"/proc/{pid}/status").read_text()
            )


def test_a_file_that_cannot_be_loaded_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("<urn:x:a> <urn:x:p> .\n")
    result = subprocess.run(
        [sys.executable, "-m", "smartcity_graph", "serve", "--data", str(broken), "--port", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "broken.ttl" in result.stderr
    assert "Traceback" not in result.stderr


def test_lean_mode_reuses_its_store_on_the_next_start(tmp_path: Path, release_dir: Path) -> None:
    cache = tmp_path / "stores"
    default_cache = tmp_path / "xdg"
    options = ("--release", str(release_dir), "--store-mode", "lean", "--store-cache", str(cache))
    with server(*options, "--workers", "1", env={"XDG_CACHE_HOME": str(default_cache)}) as (
        url,
        _,
    ):
        assert httpx.get(url + "/health").json()["store_mode"] == "lean"
        # The sort sandbox uses the same store: nothing is built anywhere else.
        assert not default_cache.exists()
        first = httpx.get(url + "/sparql", params={"query": CITIES}).json()
    (store,) = (p for p in cache.iterdir() if p.is_dir())
    inode = store.stat().st_ino
    with server(*options, "--workers", "1") as (url, _):
        assert httpx.get(url + "/sparql", params={"query": CITIES}).json() == first
    assert [p.stat().st_ino for p in cache.iterdir() if p.is_dir()] == [inode]


def test_memory_mode_starts_warm_from_the_store_the_first_start_built(
    tmp_path: Path, release_dir: Path
) -> None:
    cache = tmp_path / "stores"
    options = ("--release", str(release_dir), "--store-mode", "memory", "--store-cache", str(cache))
    with server(*options, "--workers", "1") as (url, _):
        assert httpx.get(url + "/health").json()["store_mode"] == "memory"
        first = httpx.get(url + "/sparql", params={"query": CITIES}).json()
        deadline = time.monotonic() + 60
        while not [p for p in cache.iterdir() if p.is_dir() and not p.name.startswith(".")]:
            assert time.monotonic() < deadline, "the on-disk store was not built for next time"
            time.sleep(0.2)
    with server(*options, "--workers", "1") as (url, _):
        modes = set()
        deadline = time.monotonic() + 60
        while "memory" not in modes:
            response = httpx.get(url + "/sparql", params={"query": CITIES})
            assert response.json() == first
            modes.add(httpx.get(url + "/health").json()["store_mode"])
            assert time.monotonic() < deadline, "the workers never moved to the memory store"
            time.sleep(0.05)


def test_an_order_by_that_aborts_the_engine_costs_only_a_sandbox_worker(
    release_dir: Path,
) -> None:
    """pyoxigraph 0.5.13 aborts its process on ORDER BY ?o over the release (numbers and
    strings mixed). The query must not take down the HTTP worker or anyone else's request."""
    crash = "SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o"
    with server("--release", str(release_dir), "--workers", "1") as (url, process):
        (worker,) = workers_of(process.pid)
        with httpx.Client(timeout=30) as client:
            before = client.get(url + "/sparql", params={"query": CITIES})
            assert before.status_code == 200
            for _ in range(3):
                response = client.get(url + "/sparql", params={"query": crash})
                assert response.status_code in (200, 500)
                after = client.get(url + "/sparql", params={"query": CITIES})
                assert after.json() == before.json()
        assert workers_of(process.pid) == {worker}, "the HTTP worker was lost"
        health = httpx.get(url + "/health").json()
        assert health["sort_sandbox"]["workers"] == 1
