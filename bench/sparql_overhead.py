"""What the safety of /sparql costs: our endpoint vs. a bare FastAPI app over the same store.

Both serve the same release (release/graph.nt) on 127.0.0.1, in one run, with the same
queries and the same HTTP client. Our endpoint adds the lexical guard, result-format
negotiation, the row cap and a round trip to a killable worker process; the bare app calls
pyoxigraph in the request handler. The Oxigraph server (Rust) is a third, non-Python anchor.

    python bench/sparql_overhead.py [--requests N] [--release DIR]

Prints median latency per query and requests/second per server, and the ratio ours / bare.
Figures, not pass/fail: the machines are shared and noisy, so compare the ratios.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
QUERIES = {
    "ask": "ASK { <https://w3id.org/smartcity-graph/id/city/milan> ?p ?o }",
    "cities (36 rows)": (
        "PREFIX schema: <https://schema.org/> SELECT ?c ?name ?country WHERE { ?c a schema:City ;"
        " schema:name ?name ; schema:containedInPlace/schema:name ?country } ORDER BY ?name"
    ),
    "quotes join": (
        "PREFIX schema: <https://schema.org/> SELECT ?who ?org ?text WHERE { ?q a "
        "schema:Quotation ; schema:text ?text ; schema:creator ?p . ?p schema:name ?who ; "
        "schema:affiliation/schema:name ?org }"
    ),
    "count all": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "construct city": (
        "CONSTRUCT { ?s ?p ?o } WHERE { BIND(<https://w3id.org/smartcity-graph/id/city/milan> "
        "AS ?s) ?s ?p ?o }"
    ),
    "all triples (2.7k rows)": "SELECT * WHERE { ?s ?p ?o }",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait(url: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"{url}: server exited")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not start")


def measure(endpoint: str, query: str, requests: int) -> tuple[float, float]:
    """(median latency in ms, requests per second) over *requests* sequential GETs."""
    with httpx.Client(timeout=60) as client:
        for _ in range(5):  # warm-up
            client.get(endpoint, params={"query": query}).raise_for_status()
        latencies = []
        started = time.perf_counter()
        for _ in range(requests):
            begin = time.perf_counter()
            response = client.get(endpoint, params={"query": query})
            response.raise_for_status()
            latencies.append(time.perf_counter() - begin)
        elapsed = time.perf_counter() - started
    return statistics.median(latencies) * 1000, requests / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--release", type=Path, default=ROOT / "release")
    args = parser.parse_args()
    data = args.release / "graph.nt"
    if not data.is_file():
        print(f"no release at {args.release}; run `make run` or smartcity-graph build first")
        return 2
    python = sys.executable
    processes: list[subprocess.Popen[bytes]] = []
    servers: dict[str, str] = {}
    scratch = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        port = free_port()
        processes.append(
            subprocess.Popen(
                [
                    python,
                    "-m",
                    "smartcity_graph",
                    "serve",
                    "--release",
                    str(args.release),
                    "--port",
                    str(port),
                    "--workers",
                    "2",
                ],
                cwd=ROOT,
            )
        )
        servers["smartcity-graph /sparql"] = f"http://127.0.0.1:{port}/sparql"
        wait(f"http://127.0.0.1:{port}/health", processes[-1])

        port = free_port()
        processes.append(
            subprocess.Popen([python, str(ROOT / "bench" / "bare_app.py"), str(port), str(data)])
        )
        servers["bare FastAPI + pyoxigraph"] = f"http://127.0.0.1:{port}/sparql"
        wait(f"http://127.0.0.1:{port}/health", processes[-1])

        oxigraph = Path(python).parent / "oxigraph"
        binary = str(oxigraph) if oxigraph.exists() else shutil.which("oxigraph")
        if binary:
            subprocess.run(
                [binary, "load", "--location", str(scratch / "ox"), "--file", str(data)],
                check=True,
                capture_output=True,
            )
            port = free_port()
            processes.append(
                subprocess.Popen(
                    [
                        binary,
                        "serve-read-only",
                        "--location",
                        str(scratch / "ox"),
                        "--bind",
                        f"127.0.0.1:{port}",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            servers["Oxigraph server (Rust)"] = f"http://127.0.0.1:{port}/query"
            wait(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", processes[-1])

        names = list(servers)
        print(
            f"{args.requests} sequential requests per query and server, keep-alive, "
            f"127.0.0.1; median latency in ms (requests/s)\n"
        )
        header = f"{'query':<26}" + "".join(f"{n:>30}" for n in names) + f"{'ours/bare':>12}"
        print(header)
        print("-" * len(header))
        ratios = []
        for label, query in QUERIES.items():
            row = f"{label:<26}"
            medians = {}
            for name in names:
                median, rate = measure(servers[name], query, args.requests)
                medians[name] = median
                row += f"{median:>19.2f} ({rate:>7.0f}/s)"
            ratio = medians[names[0]] / medians[names[1]]
            ratios.append(ratio)
            print(row + f"{ratio:>11.2f}x")
        print(
            f"\nmedian ratio ours/bare over all queries: {statistics.median(ratios):.2f}x "
            "(latency; >1 means our endpoint is slower)"
        )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=15)
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
