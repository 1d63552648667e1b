"""Soak and shutdown: a real server under mixed load for a bounded time, then a graceful stop
and a restart on the same release.

    python bench/soak.py --release release --connections 64 --seconds 60

What it does, against ``smartcity-graph serve`` on 127.0.0.1 (started here, default settings):

1. **Before:** a warm-up pass over every kind of request, then a probe (sequential requests
   for a few seconds): p99 latency, and the RSS of the server's whole process tree.
2. **Soak:** N connections for S seconds of mixed requests (SPARQL queries over GET and
   POST, HTML pages, RDF documents by Accept and by suffix, downloads, search, the ontology).
   The connections come from 16 loopback addresses (127.0.0.2-17), as several clients would,
   so the per-client admission limit (``max_queries_per_client``) is not what is measured.
   Every answer must be 200 with a body; anything else is an error.
3. **After:** the same probe again: p99 and RSS, so that memory growth shows.
4. **Graceful shutdown:** slow queries in flight, then SIGTERM: each must still be answered
   200, and the server must exit 0.
5. **Restart:** the same release served again: the same manifest, the same ETags, the same
   query answers.

It prints one table and exits 1 if any error was seen or the shutdown or restart failed.
``tests/test_soak.py`` runs a bounded version (fewer connections, a few seconds) in CI.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from smartcity_graph.web.examples import EXAMPLES  # noqa: E402

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
JSON = "application/sparql-results+json"
#: A query that takes about half a second here (1.2 million pairs of triples sharing an
#: object, counted): long enough to be in flight when SIGTERM comes.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?x }"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    accept: str
    body: str = ""


def mix() -> list[Request]:
    """The soak's mix: what people, SPARQL clients and downloaders ask for."""
    queries = [example["query"] for example in EXAMPLES]
    found = [Request("GET", f"/sparql?query={quote(q)}", JSON) for q in queries]
    found += [Request("POST", "/sparql", JSON, q) for q in queries[:2]]
    found += [
        Request("GET", "/", BROWSER),
        Request("GET", "/id/city/milan", BROWSER),
        Request("GET", "/id/quote/2020-11-17-jeff-merritt", BROWSER),
        Request("GET", "/id/source/wef-press-release-2020-11-17", BROWSER),
        Request("GET", "/id/country/japan", "text/turtle"),
        Request("GET", "/id/city/medellin.jsonld", "*/*"),
        Request("GET", "/id/person/ekrem-imamoglu", "application/n-triples"),
        Request("GET", "/def", BROWSER),
        Request("GET", "/search?q=bogota", BROWSER),
        Request("GET", "/.well-known/void", "text/turtle"),
        Request("GET", "/release/graph.ttl", "*/*"),
        Request("GET", "/release/cities.csv", "*/*"),
        Request("GET", "/release/manifest.json", "*/*"),
    ]
    return found


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    bytes: int = 0

    def p99_ms(self) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


async def one(client: httpx.AsyncClient, request: Request, tally: Tally) -> None:
    started = time.perf_counter()
    try:
        response = await client.request(
            request.method,
            request.path,
            headers={"Accept": request.accept}
            | ({"Content-Type": "application/sparql-query"} if request.body else {}),
            content=request.body.encode() if request.body else None,
        )
    except httpx.HTTPError as exc:
        tally.errors.append(f"{request.method} {request.path[:60]}: {exc.__class__.__name__}")
        return
    tally.latencies.append(time.perf_counter() - started)
    if response.status_code != 200 or not response.content:
        tally.errors.append(f"{request.method} {request.path[:60]}: {response.status_code}")
    tally.bytes += len(response.content)


async def load(url: str, connections: int, seconds: float) -> Tally:
    """*connections* clients, each with its own connection and loopback address, going
    round the mix until *seconds* have passed."""
    requests = mix()
    tally = Tally()
    deadline = time.monotonic() + seconds

    async def client(index: int) -> None:
        transport = httpx.AsyncHTTPTransport(local_address=f"127.0.0.{2 + index % 16}")
        async with httpx.AsyncClient(
            base_url=url, transport=transport, timeout=60, limits=httpx.Limits(max_connections=1)
        ) as session:
            position = index
            while time.monotonic() < deadline:
                await one(session, requests[position % len(requests)], tally)
                position += 1

    await asyncio.gather(*(client(i) for i in range(connections)))
    return tally


def probe(url: str, seconds: float) -> Tally:
    """Sequential requests over the mix for *seconds*: latency without contention."""
    return asyncio.run(load(url, 1, seconds))


def tree_rss_kib(pid: int) -> int:
    """The resident memory of *pid* and every process below it, in KiB."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
    return total


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def serving(release: Path, *extra: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    command = ["-m", "smartcity_graph", "serve", "--release", str(release), "--port", str(port)]
    process = subprocess.Popen(
        [sys.executable, *command, *extra],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not become healthy")
            time.sleep(0.2)
        yield url, process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def shutdown_in_flight(url: str, process: subprocess.Popen[bytes], slow: int) -> list[str]:
    """Start *slow* slow queries, SIGTERM the server while they run: the problems seen
    (an in-flight query not answered 200, a non-zero exit)."""

    async def ask(index: int) -> int | str:
        transport = httpx.AsyncHTTPTransport(local_address=f"127.0.0.{20 + index}")
        async with httpx.AsyncClient(base_url=url, timeout=60, transport=transport) as client:
            try:
                response = await client.get(
                    "/sparql", params={"query": SLOW}, headers={"Accept": JSON}
                )
            except httpx.HTTPError as exc:
                return exc.__class__.__name__
            return response.status_code

    async def in_flight() -> list[int | str]:
        tasks = [asyncio.create_task(ask(i)) for i in range(slow)]
        await asyncio.sleep(0.3)  # the queries are running
        process.send_signal(signal.SIGTERM)
        return list(await asyncio.gather(*tasks))

    problems = [
        f"in-flight query: {status}" for status in asyncio.run(in_flight()) if status != 200
    ]
    try:
        code = process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        problems.append("the server did not stop within 60 s of SIGTERM")
        return problems
    if code != 0:
        problems.append(f"the server exited with {code} after SIGTERM")
    return problems


def fingerprint(url: str) -> dict[str, str]:
    """What must be the same after a restart: the manifest, a download's ETag, an answer."""
    manifest = httpx.get(url + "/release/manifest.json", timeout=30)
    download = httpx.head(url + "/release/graph.ttl", timeout=30)
    answer = httpx.get(
        url + "/sparql",
        params={"query": EXAMPLES[0]["query"]},
        headers={"Accept": "text/csv"},
        timeout=30,
    )
    return {
        "manifest": manifest.text,
        "graph.ttl etag": download.headers.get("etag", ""),
        "first example": answer.text,
    }


def soak(
    release: Path, connections: int, seconds: float, probe_seconds: float
) -> dict[str, object]:
    """The whole run; the figures and the problems."""
    figures: dict[str, object] = {}
    problems: list[str] = []
    with serving(release) as (url, process):
        probe(url, probe_seconds)  # warm-up: caches and lazy imports
        before = probe(url, probe_seconds)
        rss_before = tree_rss_kib(process.pid)
        started = time.monotonic()
        tally = asyncio.run(load(url, connections, seconds))
        elapsed = time.monotonic() - started
        after = probe(url, probe_seconds)
        rss_after = tree_rss_kib(process.pid)
        problems += before.errors + tally.errors[:20] + after.errors
        fingerprint_before = fingerprint(url)
        problems += shutdown_in_flight(url, process, slow=4)
    with serving(release) as (url, _):
        if fingerprint(url) != fingerprint_before:
            problems.append("the restarted server does not serve the same release")
    figures.update(
        {
            "connections": connections,
            "seconds": round(elapsed, 1),
            "requests": len(tally.latencies) + len(tally.errors),
            "requests/s": round(len(tally.latencies) / elapsed, 1),
            "errors": len(tally.errors),
            "MB sent": round(tally.bytes / 1e6, 1),
            "p99 under load (ms)": round(tally.p99_ms(), 1),
            "p99 before (ms)": round(before.p99_ms(), 1),
            "p99 after (ms)": round(after.p99_ms(), 1),
            "RSS before (MiB)": round(rss_before / 1024, 1),
            "RSS after (MiB)": round(rss_after / 1024, 1),
            "problems": problems,
        }
    )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--release", type=Path, default=ROOT / "release")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--probe-seconds", type=float, default=5)
    args = parser.parse_args()
    if not (args.release / "manifest.json").is_file():
        parser.error(f"{args.release} is not a release (build one: smartcity-graph build)")
    figures = soak(args.release, args.connections, args.seconds, args.probe_seconds)
    problems = figures.pop("problems")
    print(f"soak of {args.release} (pid {os.getpid()})")
    print("| figure | value |\n|---|---|")
    for key, value in figures.items():
        print(f"| {key} | {value} |")
    assert isinstance(problems, list)
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print("graceful shutdown and restart: " + ("FAILED" if problems else "ok"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
