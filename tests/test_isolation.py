"""Isolation you can require: ``require_isolation`` = auto | on | off, decided at start-up.

On this machine (root, namespaces allowed) the HTTP workers leave the network. Where the
kernel forbids namespaces is simulated honestly: the server runs under
``tests/no_namespaces.py``, a seccomp filter that makes ``unshare(2)`` fail with EPERM for
the server and everything it starts, as a container's seccomp profile would. The server
is not told; it meets the kernel's refusal.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

import no_namespaces
from conftest import ROOT, free_port, stop_process, wait_until_healthy

SERVICE = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
CITIES = "PREFIX schema: <https://schema.org/> SELECT ?c WHERE { ?c a schema:City }"
FORBID = [sys.executable, str(ROOT / "tests" / "no_namespaces.py")]

pytestmark = pytest.mark.slow
needs_seccomp = pytest.mark.skipif(
    not no_namespaces.supported(), reason="the seccomp filter knows x86_64 and aarch64 Linux"
)


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    stderr: Path


@contextlib.contextmanager
def server(
    release_dir: Path, require: str, *, forbid: bool = False, extra: tuple[str, ...] = ()
) -> Iterator[Server]:
    """``serve`` with ``SMARTCITY_GRAPH_REQUIRE_ISOLATION=require``, healthy; stderr kept."""
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        stderr = Path(folder) / "stderr"
        command = [sys.executable, "-m", "smartcity_graph", "serve", "--port", str(port)]
        command += ["--release", str(release_dir), "--workers", "1"]
        command += ["--store-cache", str(Path(folder) / "stores"), *extra]
        with stderr.open("wb") as errors:
            process = subprocess.Popen(
                [*FORBID, *command] if forbid else command,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                env=os.environ | {"SMARTCITY_GRAPH_REQUIRE_ISOLATION": require},
            )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(process, url, stderr.read_text)
            yield Server(url, process, stderr)
        finally:
            stop_process(process, 15)


def refused(release_dir: Path, require: str, *, forbid: bool = False) -> tuple[int, str]:
    """``serve`` expected to refuse to start: its exit code and stderr."""
    command = [sys.executable, "-m", "smartcity_graph", "serve", "--port", str(free_port())]
    command += ["--release", str(release_dir)]
    result = subprocess.run(
        [*FORBID, *command] if forbid else command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=os.environ | {"SMARTCITY_GRAPH_REQUIRE_ISOLATION": require},
    )
    assert "serving on" not in result.stdout, "it started"
    return result.returncode, result.stderr


def worker_namespaces(supervisor: int) -> set[str]:
    """The network namespaces of the supervisor's forked HTTP workers."""
    own = Path(f"/proc/{supervisor}/cmdline").read_bytes()
    found = set()
    for task in Path(f"/proc/{supervisor}/task").iterdir():
        for child in (task / "children").read_text().split():
            with contextlib.suppress(OSError):
                if Path(f"/proc/{child}/cmdline").read_bytes() == own:
                    found.add(os.readlink(f"/proc/{child}/ns/net"))
    return found


def service_is_refused(url: str) -> bool:
    return httpx.get(url + "/sparql", params={"query": SERVICE}, timeout=30).status_code == 403


# -- where namespaces work (this machine) -----------------------------------------------------


@pytest.mark.parametrize("require", ["auto", "on"])
def test_where_the_kernel_allows_it_the_workers_serve_without_network(
    require: str, release_dir: Path
) -> None:
    with server(release_dir, require) as running:
        health = httpx.get(running.url + "/health").json()
        assert health["isolation"] == "network-namespace"
        assert health["require_isolation"] == require
        assert health["workers_without_network"] is True
        namespaces = worker_namespaces(running.process.pid)
        assert namespaces
        assert os.readlink(f"/proc/{running.process.pid}/ns/net") not in namespaces
        assert running.stderr.read_text() == "", "nothing to warn about"
        response = httpx.get(running.url + "/sparql", params={"query": CITIES}, timeout=30)
        assert response.status_code == 200


def test_off_keeps_the_network_and_says_what_protects_the_server_in_one_line(
    release_dir: Path,
) -> None:
    with server(release_dir, "off") as running:
        health = httpx.get(running.url + "/health").json()
        assert health["isolation"] == "guard-only"
        assert health["require_isolation"] == "off"
        ours = os.readlink(f"/proc/{running.process.pid}/ns/net")
        assert worker_namespaces(running.process.pid) == {ours}
        (line,) = running.stderr.read_text().splitlines()
        assert line.startswith("smartcity-graph: warning: require_isolation=off")
        assert "the query guard alone protects the server" in line
        assert service_is_refused(running.url)


def test_on_with_a_remote_store_is_a_usage_error(release_dir: Path) -> None:
    command = [sys.executable, "-m", "smartcity_graph", "serve", "--release", str(release_dir)]
    command += ["--port", str(free_port()), "--sparql-endpoint", "http://127.0.0.1:9/sparql"]
    result = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=os.environ | {"SMARTCITY_GRAPH_REQUIRE_ISOLATION": "on"},
    )
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert "require_isolation=on cannot hold with sparql_endpoint" in line


def test_an_unknown_mode_is_a_usage_error(release_dir: Path) -> None:
    code, stderr = refused(release_dir, "sometimes")
    assert code == 2
    (line,) = stderr.splitlines()
    assert "require_isolation 'sometimes' is not one of auto, on, off" in line


# -- where namespaces are forbidden (simulated with seccomp) ----------------------------------


@needs_seccomp
def test_the_simulation_is_real_the_kernel_refuses_namespaces() -> None:
    probe = (
        "import ctypes, os\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "for flags in (0x40000000, 0x50000000):  # NEWNET; NEWUSER|NEWNET\n"
        "    print(libc.unshare(flags), os.strerror(ctypes.get_errno()))\n"
    )
    outside = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    inside = subprocess.run(
        [*FORBID, sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert outside.stdout.splitlines()[0].startswith("0 ")
    assert inside.stdout.splitlines() == ["-1 Operation not permitted"] * 2


@needs_seccomp
def test_on_refuses_to_start_where_the_workers_cannot_leave_the_network(
    release_dir: Path,
) -> None:
    code, stderr = refused(release_dir, "on", forbid=True)
    assert code == 2
    assert "Traceback" not in stderr
    (line,) = stderr.splitlines()
    assert line.startswith(
        "smartcity-graph: error: require_isolation=on, but the HTTP workers cannot leave the "
        "network here (unshare(CLONE_NEWNET): Operation not permitted"
    )
    assert line.endswith("not starting")


@needs_seccomp
def test_auto_where_they_cannot_serves_with_the_guard_alone_and_says_so_in_one_line(
    release_dir: Path,
) -> None:
    with server(release_dir, "auto", forbid=True) as running:
        health = httpx.get(running.url + "/health").json()
        assert health["isolation"] == "guard-only"
        assert health["require_isolation"] == "auto"
        assert health["workers_without_network"] is False
        (line,) = running.stderr.read_text().splitlines()
        assert line.startswith(
            "smartcity-graph: warning: the HTTP workers cannot leave the network here "
            "(unshare(CLONE_NEWNET): Operation not permitted"
        )
        assert "the query guard alone protects the server: SERVICE and every update" in line
        assert service_is_refused(running.url)
        response = httpx.get(running.url + "/sparql", params={"query": CITIES}, timeout=30)
        assert response.status_code == 200
