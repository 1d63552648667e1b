"""/sparql speaks the SPARQL 1.1 Protocol for queries, safely, with the documented limits."""

from __future__ import annotations

import csv
import io
import json
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Dataset, Graph

from conftest import client_for
from smartcity_graph.query.dataset import from_release
from smartcity_graph.settings import Settings
from smartcity_graph.web import create_app

COUNT_CITIES = (
    "PREFIX schema: <https://schema.org/> SELECT (COUNT(?c) AS ?n) WHERE { ?c a schema:City }"
)
CITIES = (
    "PREFIX schema: <https://schema.org/> "
    "SELECT ?c ?name WHERE { ?c a schema:City ; schema:name ?name } ORDER BY ?name"
)
ASK_MILAN = "ASK { <https://w3id.org/smartcity-graph/id/city/milan> ?p ?o }"
CONSTRUCT_MILAN = (
    "CONSTRUCT { ?s ?p ?o } WHERE { BIND(<https://w3id.org/smartcity-graph/id/city/milan> AS ?s) "
    "?s ?p ?o }"
)
#: Cannot be cut short by a row cap: the engine must finish the whole join to count.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }"


@pytest.fixture(scope="module")
def client(release_dir: Path) -> Iterator[TestClient]:
    yield from client_for(release_dir, query_timeout=5)


def count(response_json: dict[str, object]) -> int:
    bindings = response_json["results"]["bindings"]  # type: ignore[index]
    return int(bindings[0]["n"]["value"])  # type: ignore[index]


# -- The three ways to send a query ----------------------------------------------------------


def test_get_with_query_parameter(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": COUNT_CITIES})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert count(response.json()) == 36


def test_post_form_urlencoded(client: TestClient) -> None:
    response = client.post("/sparql", data={"query": COUNT_CITIES})
    assert response.status_code == 200
    assert count(response.json()) == 36


def test_post_sparql_query_body(client: TestClient) -> None:
    response = client.post(
        "/sparql", content=COUNT_CITIES, headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 200
    assert count(response.json()) == 36


def test_protocol_dataset_overrides_from(client: TestClient) -> None:
    query = (
        "PREFIX schema: <https://schema.org/> "
        "SELECT (COUNT(?c) AS ?n) FROM <https://w3id.org/smartcity-graph/id/graph/data> "
        "WHERE { ?c a schema:City }"
    )
    assert count(client.get("/sparql", params={"query": query}).json()) == 36
    overridden = client.get(
        "/sparql",
        params={
            "query": query,
            "default-graph-uri": "https://w3id.org/smartcity-graph/id/graph/ontology",
        },
    )
    assert count(overridden.json()) == 0


def test_named_graphs_are_queryable(client: TestClient) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    graphs = [
        b["g"]["value"]
        for b in client.get("/sparql", params={"query": query}).json()["results"]["bindings"]
    ]
    assert graphs == [
        "https://w3id.org/smartcity-graph/id/graph/data",
        "https://w3id.org/smartcity-graph/id/graph/dataset",
        "https://w3id.org/smartcity-graph/id/graph/ontology",
    ]


# -- Formats: query form x Accept -------------------------------------------------------------


def parse_select(media: str, body: bytes) -> list[str]:
    """The ?name values of a CITIES result in any of the four formats."""
    text = body.decode("utf-8")
    if media == "application/sparql-results+json":
        return [b["name"]["value"] for b in json.loads(text)["results"]["bindings"]]
    if media == "application/sparql-results+xml":
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        root = ET.fromstring(text)
        return [b.text or "" for b in root.findall(".//r:binding[@name='name']/r:literal", ns)]
    if media == "text/csv":
        return [row["name"] for row in csv.DictReader(io.StringIO(text))]
    assert media == "text/tab-separated-values"
    lines = text.strip("\n").split("\n")
    assert lines[0] == "?c\t?name"
    return [line.split("\t")[1].split('"')[1] for line in lines[1:]]


@pytest.mark.parametrize(
    "media",
    [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ],
)
def test_select_in_every_result_format(client: TestClient, media: str) -> None:
    response = client.get("/sparql", params={"query": CITIES}, headers={"Accept": media})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    names = parse_select(media, response.content)
    assert len(names) == 36
    assert "Bogotá" in names


def test_ask_in_json_and_xml(client: TestClient) -> None:
    for query, expected in ((ASK_MILAN, True), ("ASK { <urn:x:none> ?p ?o }", False)):
        as_json = client.get(
            "/sparql",
            params={"query": query},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert as_json.status_code == 200
        assert as_json.json()["boolean"] is expected
        as_xml = client.get(
            "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+xml"}
        )
        assert as_xml.status_code == 200
        boolean = ET.fromstring(as_xml.content).find(
            "{http://www.w3.org/2005/sparql-results#}boolean"
        )
        assert boolean is not None
        assert boolean.text == str(expected).lower()


@pytest.mark.parametrize("media", ["text/csv", "text/tab-separated-values", "text/turtle"])
def test_ask_in_a_tabular_or_graph_format_is_not_acceptable(client: TestClient, media: str) -> None:
    response = client.get("/sparql", params={"query": ASK_MILAN}, headers={"Accept": media})
    assert response.status_code == 406


GRAPH_MEDIA = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}


@pytest.mark.parametrize("media", sorted(GRAPH_MEDIA))
@pytest.mark.parametrize(
    "query", [CONSTRUCT_MILAN, "DESCRIBE <https://w3id.org/smartcity-graph/id/city/milan>"]
)
def test_construct_and_describe_in_every_graph_format(
    client: TestClient, media: str, query: str
) -> None:
    response = client.get("/sparql", params={"query": query}, headers={"Accept": media})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    graph = Graph().parse(data=response.content, format=GRAPH_MEDIA[media])
    assert len(graph) > 10


@pytest.mark.parametrize(
    ("media", "fmt"), [("application/n-quads", "nquads"), ("application/trig", "trig")]
)
def test_construct_as_quads(client: TestClient, media: str, fmt: str) -> None:
    response = client.get("/sparql", params={"query": CONSTRUCT_MILAN}, headers={"Accept": media})
    assert response.status_code == 200
    dataset = Dataset()
    dataset.parse(data=response.content, format=fmt)
    assert len(dataset) > 10


def test_q_values_are_honoured(client: TestClient) -> None:
    response = client.get(
        "/sparql",
        params={"query": CITIES},
        headers={"Accept": "text/csv;q=0.4, application/sparql-results+xml;q=0.9"},
    )
    assert response.headers["content-type"].startswith("application/sparql-results+xml")


@pytest.mark.parametrize(
    ("fmt", "media"),
    [
        ("csv", "text/csv"),
        ("xml", "application/sparql-results+xml"),
        ("text/tab-separated-values", "text/tab-separated-values"),
    ],
)
def test_format_parameter_wins_over_accept(client: TestClient, fmt: str, media: str) -> None:
    response = client.get(
        "/sparql",
        params={"query": CITIES, "format": fmt},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.headers["content-type"].split(";")[0] == media


def test_nothing_acceptable_is_406_with_the_options(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": CITIES}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text


def test_unknown_format_parameter_is_406(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": CITIES, "format": "yaml"})
    assert response.status_code == 406


# -- Without a query --------------------------------------------------------------------------


def test_browsers_get_the_query_ui(client: TestClient) -> None:
    response = client.get(
        "/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    )
    assert response.status_code == 200
    assert "yasgui.min.js" in response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]


@pytest.mark.parametrize("media", ["text/turtle", "application/ld+json", "application/rdf+xml"])
def test_rdf_clients_get_the_service_description(client: TestClient, media: str) -> None:
    response = client.get("/sparql", headers={"Accept": media})
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format=GRAPH_MEDIA[media])
    sd = "http://www.w3.org/ns/sparql-service-description#"
    query = (
        f"ASK {{ ?s a <{sd}Service> ; <{sd}supportedLanguage> <{sd}SPARQL11Query> ; "
        f"<{sd}endpoint> ?e }}"
    )
    assert graph.query(query).askAnswer


# -- CORS ---------------------------------------------------------------------------------------


def test_cors_preflight_allows_any_origin(client: TestClient) -> None:
    response = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]


def test_cors_on_a_simple_get(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": ASK_MILAN}, headers={"Origin": "https://example.org"}
    )
    assert response.headers["access-control-allow-origin"] == "*"


# -- Bad and hostile requests -----------------------------------------------------------------


def test_a_malformed_query_is_400_with_the_parser_message(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert response.status_code == 400
    assert "syntax" in response.text.lower()
    assert response.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "PREFIX ex: <urn:x:> DELETE DATA { ex:a ex:b ex:c }",
        "LOAD <http://127.0.0.1:9/evil.ttl>",
        "CLEAR ALL",
        "DROP GRAPH <https://w3id.org/smartcity-graph/id/graph/data>",
        "CREATE GRAPH <urn:g>",
        "\\u0049NSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "# a comment\n  insert data { <urn:a> <urn:b> <urn:c> }",
        "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_updates_are_refused_and_change_nothing(client: TestClient, update: str) -> None:
    before = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}).json()
    for response in (
        client.get("/sparql", params={"query": update}),
        client.post("/sparql", data={"query": update}),
        client.post("/sparql", data={"update": update}),
        client.post(
            "/sparql", content=update, headers={"Content-Type": "application/sparql-update"}
        ),
        client.get("/sparql", params={"update": update}),
    ):
        assert response.status_code in (400, 403), response.text
    after = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}).json()
    assert after == before


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "select * where { service <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE#comment\n<http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?x ?y ?z . SeRvIcE ?endpoint { ?s ?p ?o } }",
        # A second reader's bypasses of the first, lexical guard:
        "SELECT * WHERE { BIND(1 AS ?v) .SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "PREFIX ex: <http://a/> SELECT * WHERE { BIND(ex:a\\#b AS ?v) "
        "SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "PREFIX ex: <http://a/> SELECT * WHERE { BIND(ex:a\\'b AS ?v) "
        "SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } BIND('c' AS ?w) }",
        'SELECT * WHERE { BIND("a\\u0022" AS ?v) SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } '
        'BIND("b" AS ?w) }',
        "SELECT * WHERE { ?x ?y ?z }.SERVICE <http://127.0.0.1:9/> { ?s ?p ?o }",
    ],
)
def test_service_is_refused(client: TestClient, query: str) -> None:
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 403
    assert "SERVICE" in response.text


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ("SERVICE" AS ?x) {}',
        "SELECT ?service WHERE { ?service ?p ?o } LIMIT 1",
        "PREFIX service: <urn:x:> SELECT * WHERE { ?s service:insert ?o } LIMIT 1",
        "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o } LIMIT 1",
        "# SERVICE in a comment\nASK {}",
    ],
)
def test_the_words_service_and_insert_elsewhere_are_fine(client: TestClient, query: str) -> None:
    assert client.get("/sparql", params={"query": query}).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVI\\U00000043E <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    ],
)
def test_codepoint_escapes_outside_strings_are_refused(client: TestClient, query: str) -> None:
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert "backslash" in response.text


def test_two_query_parameters_are_400(client: TestClient) -> None:
    response = client.get("/sparql?query=ASK%20%7B%7D&query=SELECT%20*%20%7B%7D")
    assert response.status_code == 400


@pytest.mark.parametrize("content_type", ["text/plain", None, "application/json"])
def test_a_post_with_the_wrong_media_type_is_415(
    client: TestClient, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/sparql", content=b"ASK {}", headers=headers)
    assert response.status_code == 415


def test_a_non_utf8_charset_is_refused(client: TestClient) -> None:
    response = client.post(
        "/sparql",
        content="ASK {}".encode("utf-16"),
        headers={"Content-Type": "application/sparql-query; charset=UTF-16"},
    )
    assert response.status_code == 415


def test_other_methods_are_405(client: TestClient) -> None:
    assert client.put("/sparql", params={"query": "ASK {}"}).status_code == 405
    assert client.delete("/sparql").status_code == 405


def test_a_query_over_the_size_limit_is_413(release_dir: Path) -> None:
    for small in client_for(release_dir, max_query_bytes=100):
        long_query = "ASK { ?s ?p ?o } # " + "x" * 200
        assert small.get("/sparql", params={"query": long_query}).status_code == 413
        assert small.post("/sparql", data={"query": long_query}).status_code == 413
        body = "x" * 10_000
        response = small.post(
            "/sparql", content=body, headers={"Content-Type": "application/sparql-query"}
        )
        assert response.status_code == 413
        assert small.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_the_row_cap_is_signalled_not_silent(release_dir: Path) -> None:
    for capped in client_for(release_dir, max_rows=5):
        response = capped.get("/sparql", params={"query": CITIES})
        assert response.status_code == 200
        assert len(response.json()["results"]["bindings"]) == 5
        assert response.headers["sparql-results-truncated"] == "true; limit=5"
        small = capped.get("/sparql", params={"query": CITIES + " LIMIT 3"})
        assert "sparql-results-truncated" not in small.headers
        construct = capped.get(
            "/sparql",
            params={"query": CONSTRUCT_MILAN},
            headers={"Accept": "application/n-triples"},
        )
        assert construct.text.count("\n") == 5
        assert construct.headers["sparql-results-truncated"] == "true; limit=5"


@pytest.mark.slow
def test_a_runaway_query_is_stopped_and_the_server_keeps_answering(release_dir: Path) -> None:
    for limited in client_for(release_dir, query_timeout=1.5, workers=1):
        started = time.monotonic()
        response = limited.get("/sparql", params={"query": RUNAWAY})
        elapsed = time.monotonic() - started
        assert response.status_code == 503
        assert "stopped" in response.text
        assert elapsed < 10
        # The only worker was killed and replaced: ordinary queries still work.
        after = limited.get("/sparql", params={"query": COUNT_CITIES})
        assert after.status_code == 200
        assert count(after.json()) == 36
        health = limited.get("/health")
        assert health.status_code == 200


def test_serving_files_keeps_the_graphs_of_quad_formats(tmp_path: Path) -> None:
    from smartcity_graph.query.dataset import from_files

    trig = tmp_path / "data.trig"
    trig.write_text("<urn:x:g1> { <urn:x:a> <urn:x:p> 1 . }\n<urn:x:b> <urn:x:p> 2 .\n")
    turtle = tmp_path / "more.ttl"
    turtle.write_text("<urn:x:c> <urn:x:p> 3 .\n")
    app = create_app(Settings(), from_files([trig], [f"urn:x:g2={turtle}"]))
    with TestClient(app) as files:
        query = "SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?o"
        rows = files.get("/sparql", params={"query": query}).json()["results"]["bindings"]
        assert [(r["g"]["value"], r["o"]["value"]) for r in rows] == [
            ("urn:x:g1", "1"),
            ("urn:x:g2", "3"),
        ]
        default = "SELECT ?o WHERE { ?s ?p ?o }"
        rows = files.get("/sparql", params={"query": default}).json()["results"]["bindings"]
        assert [r["o"]["value"] for r in rows] == ["2"]


# -- Defence in depth: the workers themselves cannot reach the network --------------------------


def test_workers_have_no_network_even_when_the_guard_is_bypassed(release_dir: Path) -> None:
    """Send SERVICE straight to the engine (no guard): a loopback listener sees nothing."""
    import asyncio
    import socket

    from smartcity_graph.query.embedded import EmbeddedEngine
    from smartcity_graph.query.engine import QueryRequest

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"

    async def run() -> tuple[bool, str]:
        engine = EmbeddedEngine(from_release(release_dir), workers=1)
        await engine.start()
        try:
            try:
                await engine.run(QueryRequest(query=query, form="SELECT", result_format="json"), 10)
                outcome = "answered"
            except Exception as exc:
                outcome = str(exc)
            return engine.network_isolated, outcome
        finally:
            await engine.close()

    isolated, outcome = asyncio.run(run())
    try:
        connection, _ = listener.accept()
        connection.close()
        connected = True
    except OSError:
        connected = False
    listener.close()
    assert isolated, "the workers could not leave the network (no network namespace here?)"
    assert not connected, f"a worker connected out ({outcome})"


def test_a_query_over_the_memory_cap_fails_and_the_server_goes_on(release_dir: Path) -> None:
    heavy = (
        "SELECT ?a ?c ?e ?g WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } "
        "ORDER BY ?a ?c ?e ?g ?i ?f LIMIT 1"
    )
    for capped in client_for(release_dir, worker_memory_mb=700, workers=1, query_timeout=60):
        assert capped.get("/health").json()["workers_without_network"] is True
        response = capped.get("/sparql", params={"query": heavy})
        # Either pyoxigraph reports the failed allocation (400) or the worker dies of it and
        # is replaced (500, an engine fault, never a 400 "bad query").
        assert response.status_code in (400, 500), response.status_code
        assert "MB" in response.text
        after = capped.get("/sparql", params={"query": COUNT_CITIES})
        assert after.status_code == 200
        assert count(after.json()) == 36
