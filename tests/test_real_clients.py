"""Real SPARQL clients against a real uvicorn server on 127.0.0.1, and what they must not get."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, JSONLD, N3, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import EndPointInternalError, QueryBadFormed

CITIES = (
    "PREFIX schema: <https://schema.org/> "
    "SELECT ?city ?name WHERE { ?city a schema:City ; schema:name ?name } ORDER BY ?name"
)


def wrapper(url: str) -> SPARQLWrapper:
    client = SPARQLWrapper(url + "/sparql")
    client.setTimeout(30)
    return client


def test_sparqlwrapper_select_json_over_get(release_server: str) -> None:
    client = wrapper(release_server)
    client.setQuery(CITIES)
    client.setReturnFormat(JSON)
    result = client.query().convert()
    names = [b["name"]["value"] for b in result["results"]["bindings"]]  # type: ignore[index]
    assert len(names) == 36
    assert "Medellín" in names


def test_sparqlwrapper_select_xml_over_post(release_server: str) -> None:
    client = wrapper(release_server)
    client.setQuery(CITIES)
    client.setMethod("POST")
    client.setReturnFormat(XML)
    document = client.query().convert()
    assert len(document.getElementsByTagName("result")) == 36  # type: ignore[union-attr]


def test_sparqlwrapper_construct_and_ask(release_server: str) -> None:
    client = wrapper(release_server)
    client.setQuery(
        "CONSTRUCT { ?c <https://schema.org/name> ?n } WHERE { ?c a <https://schema.org/City> ; "
        "<https://schema.org/name> ?n }"
    )
    client.setReturnFormat(N3)
    graph = Graph().parse(data=client.query().convert(), format="turtle")  # type: ignore[arg-type]
    assert len(graph) == 36
    client.setQuery("ASK { <https://w3id.org/smartcity-graph/id/city/kampala> ?p ?o }")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True  # type: ignore[index]


def test_sparqlwrapper_construct_as_json_ld(release_server: str) -> None:
    client = wrapper(release_server)
    client.setQuery(
        "CONSTRUCT { ?c <https://schema.org/name> ?n } WHERE { ?c a <https://schema.org/City> ; "
        "<https://schema.org/name> ?n }"
    )
    client.setReturnFormat(JSONLD)
    graph = client.query().convert()
    assert isinstance(graph, Graph)
    assert len(graph) == 36


def test_sparqlwrapper_sees_a_bad_query_as_bad(release_server: str) -> None:
    client = wrapper(release_server)
    client.setQuery("SELECT ?x WHERE { ?x ")
    with pytest.raises(QueryBadFormed):
        client.query()


def test_rdflib_sparqlstore_queries_the_endpoint(release_server: str) -> None:
    store = SPARQLStore(release_server + "/sparql", returnFormat="json")
    graph = Graph(store=store)
    rows = list(graph.query(CITIES))
    assert len(rows) == 36
    milan = URIRef("https://w3id.org/smartcity-graph/id/city/milan")
    assert (milan, URIRef("https://schema.org/name"), None) in graph
    graph.close()


def test_rdflib_sparqlstore_cannot_write() -> None:
    store = SPARQLStore("http://127.0.0.1:9/sparql")
    with pytest.raises(TypeError):
        store.add((URIRef("urn:a"), URIRef("urn:b"), URIRef("urn:c")))


# -- Nothing leaves the server: a listener on loopback records every connection -------------------


class Listener:
    """A TCP listener on 127.0.0.1 that records whether anything connected."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    trap = Listener()
    yield trap
    trap.close()


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { VALUES ?e { <http://127.0.0.1:{port}/sparql> } SERVICE ?e { ?s ?p ?o } }",
        "LOAD <http://127.0.0.1:{port}/data.ttl>",
        "SELECT * FROM <http://127.0.0.1:{port}/data.ttl> WHERE { ?s ?p ?o }",
        "SELECT * WHERE { GRAPH <http://127.0.0.1:{port}/g> { ?s ?p ?o } }",
    ],
)
def test_no_query_makes_the_server_call_out(
    release_server: str, listener: Listener, query: str
) -> None:
    text = query.replace("{port}", str(listener.port))
    for response in (
        httpx.get(release_server + "/sparql", params={"query": text}, timeout=30),
        httpx.post(release_server + "/sparql", data={"query": text}, timeout=30),
        httpx.get(
            release_server + "/sparql",
            timeout=30,
            params={"query": "ASK {}", "default-graph-uri": text.split("<")[1].split(">")[0]},
        ),
    ):
        assert response.status_code in (200, 400, 403)
    assert listener.connections == 0


def test_remote_errors_surface_as_the_server_stays_up(release_server: str) -> None:
    client = wrapper(release_server)
    client.setQuery("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    with pytest.raises((QueryBadFormed, EndPointInternalError, Exception)):
        client.query()
    assert httpx.get(release_server + "/health", timeout=10).status_code == 200


# -- A non-Python client: roqet (the C library rasqal's command-line tool) -----------------------


@pytest.mark.skipif(
    shutil.which("roqet") is None,
    reason="roqet not installed (Debian package rasqal-utils; `make system-deps`)",
)
@pytest.mark.parametrize("results", ["xml", "tsv"])
def test_roqet_queries_the_endpoint(release_server: str, results: str) -> None:
    query = (
        "PREFIX schema: <https://schema.org/> SELECT ?name WHERE { ?c a schema:City ; "
        "schema:name ?name } ORDER BY ?name"
    )
    args = ["roqet", "-p", release_server + "/sparql", "-e", query, "-r", "csv"]
    if results != "xml":
        args[1:1] = ["-R", results]
    completed = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    assert completed.returncode == 0, completed.stderr
    rows = completed.stdout.strip().splitlines()
    assert rows[0] == "name"
    assert len(rows) == 37
    assert "Kakogawa" in rows
