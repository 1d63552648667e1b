"""Scale-out mode: the same server forwarding to a real remote SPARQL 1.1 store.

Each remote store is a real server started by the test on 127.0.0.1 and loaded
with the release: the Rust Oxigraph server (``oxigraph`` on PyPI) and, where
Debian's ``virtuoso-opensource`` is installed, Virtuoso. The answers through the
proxy must equal the embedded engine's, and the guard must hold in front of it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from conftest import free_port, running_server, stop_process

QUERIES = {
    "count": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "cities": (
        "PREFIX schema: <https://schema.org/> SELECT ?c ?name ?country WHERE { ?c a schema:City ;"
        " schema:name ?name ; schema:containedInPlace/schema:name ?country } ORDER BY ?name"
    ),
    "quotes": (
        "PREFIX schema: <https://schema.org/> PREFIX scg: <https://w3id.org/smartcity-graph/def/>"
        " SELECT ?q ?who ?fidelity WHERE { ?q a schema:Quotation ;"
        " schema:spokenByCharacter/schema:name ?who ; scg:textFidelity ?fidelity } ORDER BY ?who"
    ),
    "ask": "ASK { <https://w3id.org/smartcity-graph/id/city/manila> ?p ?o }",
}
#: Fewer triples than the proxy's row cap (20), so both sides return the whole graph.
CONSTRUCT_MILAN = (
    "PREFIX schema: <https://schema.org/> PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> "
    "CONSTRUCT { ?c schema:name ?n ; geo:lat ?lat ; geo:long ?long ; schema:containedInPlace ?k }"
    " WHERE { BIND(<https://w3id.org/smartcity-graph/id/city/milan> AS ?c) ?c schema:name ?n ; "
    "geo:lat ?lat ; geo:long ?long ; schema:containedInPlace ?k }"
)


def wait_until(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"remote store exited with {process.returncode}")
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {seconds} s")


@pytest.fixture(scope="module")
def oxigraph_endpoint(release_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    beside = Path(sys.executable).parent / "oxigraph"  # installed into this venv
    binary = str(beside) if beside.exists() else shutil.which("oxigraph")
    if binary is None:
        pytest.skip(
            "the oxigraph server is not installed (pip package 'oxigraph', a dev dependency)"
        )
    location = tmp_path_factory.mktemp("oxigraph-store")
    subprocess.run(
        [binary, "load", "--location", str(location), "--file", str(release_dir / "graph.nt")],
        check=True,
        capture_output=True,
    )
    port = free_port()
    process = subprocess.Popen(
        [binary, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/query"
    try:
        wait_until(url, process)
        yield url
    finally:
        stop_process(process, 15)


@pytest.fixture(scope="module")
def virtuoso_endpoint(release_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if shutil.which("virtuoso-t") is None:
        pytest.skip(
            "Virtuoso is not installed (Debian package virtuoso-opensource-7-bin; "
            "`make system-deps` installs it)"
        )
    from virtuoso import start_virtuoso, stop_virtuoso

    folder = tmp_path_factory.mktemp("virtuoso")
    url, process = start_virtuoso(
        folder, release_dir / "graph.nt", "https://w3id.org/smartcity-graph/id/graph/data"
    )
    try:
        yield url
    finally:
        stop_virtuoso(process)


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def proxied(request: pytest.FixtureRequest, release_dir: Path) -> Iterator[str]:
    remote = request.getfixturevalue(f"{request.param}_endpoint")
    with running_server(
        "--release", str(release_dir), "--sparql-endpoint", remote, "--max-rows", "20"
    ) as url:
        yield url


@pytest.fixture(scope="module")
def embedded(release_server: str) -> str:
    return release_server


def select(url: str, query: str) -> object:
    response = httpx.get(
        url + "/sparql",
        params={"query": query},
        timeout=60,
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.text
    document = json.loads(response.content)
    if "boolean" in document:
        return document["boolean"]
    return [{k: v["value"] for k, v in row.items()} for row in document["results"]["bindings"]]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["cities", "quotes", "ask"])
def test_the_remote_store_answers_as_the_embedded_one(
    proxied: str, embedded: str, name: str
) -> None:
    remote = select(proxied, QUERIES[name])
    local = select(embedded, QUERIES[name])
    if isinstance(local, list) and len(local) > 20:
        assert remote == local[:20]  # the proxy's row cap is 20
    else:
        assert remote == local


@pytest.mark.slow
def test_the_row_cap_is_applied_to_remote_results(proxied: str) -> None:
    response = httpx.get(proxied + "/sparql", params={"query": QUERIES["cities"]}, timeout=60)
    assert response.headers["sparql-results-truncated"] == "true; limit=20"
    assert len(response.json()["results"]["bindings"]) == 20


@pytest.mark.slow
@pytest.mark.parametrize("media", ["text/turtle", "application/n-triples", "application/ld+json"])
def test_construct_through_the_remote_store(proxied: str, embedded: str, media: str) -> None:
    fmt = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld"}
    graphs = []
    for url in (proxied, embedded):
        response = httpx.get(
            url + "/sparql",
            params={"query": CONSTRUCT_MILAN},
            headers={"Accept": media},
            timeout=60,
        )
        assert response.status_code == 200
        graphs.append(Graph().parse(data=response.content, format=fmt[media]))
    assert len(graphs[0]) == 4
    assert isomorphic(graphs[0], graphs[1])


@pytest.mark.slow
def test_linked_data_pages_work_over_the_remote_store(proxied: str) -> None:
    response = httpx.get(
        proxied + "/id/city/toronto", headers={"Accept": "text/turtle"}, timeout=60
    )
    assert response.status_code == 200
    assert "Toronto" in response.text


@pytest.mark.slow
def test_the_guard_stands_in_front_of_the_remote_store(proxied: str) -> None:
    before = select(proxied, QUERIES["count"])
    for query in (
        "CLEAR ALL",
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    ):
        response = httpx.post(proxied + "/sparql", data={"query": query}, timeout=60)
        assert response.status_code == 403
    assert (
        httpx.post(proxied + "/sparql", data={"update": "CLEAR ALL"}, timeout=60).status_code == 403
    )
    assert select(proxied, QUERIES["count"]) == before


@pytest.mark.slow
def test_a_bad_query_is_a_400_from_the_remote_store_too(proxied: str) -> None:
    response = httpx.get(
        proxied + "/sparql", params={"query": "SELECT ?x WHERE { ?x ?y }"}, timeout=60
    )
    assert response.status_code == 400


class BrokenStore:
    """A loopback HTTP server that answers every query with *body* (a misbehaving store)."""

    def __init__(self, body: bytes, content_type: str) -> None:
        import http.server
        import threading

        payload, media = body, content_type

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", 0)))
                self.send_response(200)
                self.send_header("Content-Type", media)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize(
    ("body", "media"),
    [
        (b"{not json", "application/sparql-results+json"),
        (
            b'{"head": {}, "results": {"bindings": [{"x": {"type": "spaceship"}}]}}',
            "application/sparql-results+json",
        ),
        (b'{"head": {"vars": ["x"]}}', "application/sparql-results+json"),
    ],
)
def test_a_malformed_remote_answer_is_a_clear_502(
    release_dir: Path, body: bytes, media: str
) -> None:
    broken = BrokenStore(body, media)
    try:
        with running_server("--release", str(release_dir), "--sparql-endpoint", broken.url) as url:
            response = httpx.get(
                url + "/sparql", params={"query": "SELECT ?x WHERE { ?x ?p ?o }"}, timeout=30
            )
            assert response.status_code == 502
            assert "remote endpoint" in response.text
            assert httpx.get(url + "/health", timeout=10).status_code == 200
    finally:
        broken.close()


def test_an_oversized_remote_answer_is_refused(
    release_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from smartcity_graph.errors import EngineError
    from smartcity_graph.query import remote
    from smartcity_graph.query.engine import QueryRequest
    from smartcity_graph.query.remote import RemoteEngine

    broken = BrokenStore(
        b'{"head": {"vars": []}, "results": {"bindings": []}}' + b" " * 5000,
        "application/sparql-results+json",
    )
    monkeypatch.setattr(remote, "MAX_REMOTE_BYTES", 1000)

    async def run() -> None:
        engine = RemoteEngine(broken.url)
        await engine.start()
        try:
            await engine.run(
                QueryRequest(query="SELECT * {}", form="SELECT", result_format="json"), 10
            )
        finally:
            await engine.close()

    try:
        with pytest.raises(EngineError, match="larger than 1000 bytes"):
            asyncio.run(run())
    finally:
        broken.close()


def test_an_ordered_query_reaches_virtuoso_with_the_default_row_cap(
    release_dir: Path, virtuoso_endpoint: str
) -> None:
    """Virtuoso refuses an ORDER BY whose LIMIT is over MaxSortedTopRows (10,000 by default),
    so the remote engine must not add LIMIT max_rows + 1 (10,001 by default) to the query."""
    with running_server(
        "--release", str(release_dir), "--sparql-endpoint", virtuoso_endpoint
    ) as url:
        query = (
            "PREFIX schema: <https://schema.org/> "
            "SELECT ?c ?name WHERE { ?c a schema:City ; schema:name ?name } ORDER BY ?name"
        )
        rows = select(url, query)
        assert isinstance(rows, list)
        assert len(rows) == 36
