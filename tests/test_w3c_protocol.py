"""The W3C SPARQL 1.1 Protocol tests that apply to a read-only query endpoint.

Derived from the W3C SPARQL 1.1 Protocol test suite (``sparql/sparql11/protocol/manifest.ttl``
in https://github.com/w3c/rdf-tests), distributed under the W3C Test Suite Licence and the W3C
3-clause BSD Licence. Each test keeps its manifest name; requests are sent exactly as the
manifest gives them (no Accept header), to a real uvicorn server on 127.0.0.1 that holds the
suite's three fixture graphs.

Of the suite's 34 tests, the 7 positive update tests do not apply (this endpoint is read-only).
The other 7 update tests expect a 4xx refusal and are run as such.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from conftest import running_server

DATA = "http://kasei.us/2009/09/sparql/data/"
D0, D1, D2, D3 = (f"{DATA}data{n}.rdf" for n in range(4))
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    params: list[tuple[str, str]] = field(default_factory=list)
    content_type: str | None = None
    body: bytes | None = None
    expect: str = "boolean"  # "boolean" | "tabular" | "RDF" | "4xx"
    boolean: bool | None = True


ASK_D1_D2 = f"ASK {{ <{D1}> a ?type . <{D2}> a ?type . }}"
ASK_NAMED = f"ASK {{ GRAPH ?g1 {{ <{D1}> a ?type }} GRAPH ?g2 {{ <{D2}> a ?type }} }}"
ASK_FULL = (
    f"ASK {{\n  <{D3}> a ?type\n  GRAPH ?g1 {{ <{D1}> a ?type }}\n"
    f"  GRAPH ?g2 {{ <{D2}> a ?type }}\n}}"
)
ASK_MULTIPLE = (
    f"ASK FROM <{D3}> {{ GRAPH ?g1 {{ <{D1}> a ?type }} GRAPH ?g2 {{ <{D2}> a ?type }} }}"
)
CONFLICT = (
    "PREFIX foaf:  <http://xmlns.com/foaf/0.1/>\nWITH <http://example/addresses>\n"
    "DELETE { ?person foaf:givenName 'Bill' }\nINSERT { ?person foaf:givenName 'William' }\n"
    "WHERE {\n    ?person foaf:givenName 'Bill'\n}"
)

CASES = [
    # Positive query tests
    Case("query_post_form", "POST", [("default-graph-uri", D0)], FORM, b"query=ASK%20%7B%7D"),
    Case(
        "query_dataset_default_graphs_get",
        "GET",
        [("query", ASK_D1_D2), ("default-graph-uri", D1), ("default-graph-uri", D2)],
    ),
    Case(
        "query_dataset_default_graphs_post",
        "POST",
        [("default-graph-uri", D1), ("default-graph-uri", D2)],
        DIRECT,
        ASK_D1_D2.encode(),
    ),
    Case(
        "query_dataset_named_graphs_post",
        "POST",
        [("named-graph-uri", D1), ("named-graph-uri", D2)],
        DIRECT,
        ASK_NAMED.encode(),
    ),
    Case(
        "query_dataset_named_graphs_get",
        "GET",
        [("query", ASK_NAMED), ("named-graph-uri", D1), ("named-graph-uri", D2)],
    ),
    Case(
        "query_dataset_full",
        "POST",
        [("default-graph-uri", D3), ("named-graph-uri", D1), ("named-graph-uri", D2)],
        DIRECT,
        ASK_FULL.encode(),
    ),
    Case(
        "query_multiple_dataset",
        "POST",
        [("named-graph-uri", D1), ("named-graph-uri", D2)],
        DIRECT,
        ASK_MULTIPLE.encode(),
    ),
    Case("query_get", "GET", [("query", "ASK {}"), ("default-graph-uri", D0)]),
    Case(
        "query_content_type_select",
        "POST",
        [("default-graph-uri", D0)],
        DIRECT,
        b"SELECT (1 AS ?value) {}",
        "tabular",
        None,
    ),
    Case(
        "query_content_type_ask",
        "POST",
        [("default-graph-uri", D0)],
        DIRECT,
        b"ASK {}",
        "boolean",
        None,
    ),
    Case(
        "query_content_type_describe",
        "POST",
        [("default-graph-uri", D0)],
        DIRECT,
        b"DESCRIBE <http://example.org/>",
        "RDF",
        None,
    ),
    Case(
        "query_content_type_construct",
        "POST",
        [("default-graph-uri", D0)],
        DIRECT,
        b"CONSTRUCT { <s> <p> 1 } WHERE {}",
        "RDF",
        None,
    ),
    Case("query_post_direct", "POST", [], DIRECT, b"ASK {}"),
    # Negative query tests
    Case(
        "bad_query_method",
        "PUT",
        [("query", "ASK {}"), ("default-graph-uri", D0)],
        FORM,
        None,
        "4xx",
    ),
    Case(
        "bad_multiple_queries", "GET", [("query", "ASK {}"), ("query", "SELECT * {}")], expect="4xx"
    ),
    Case("bad_query_wrong_media_type", "POST", [], "text/plain", b"ASK {}", "4xx"),
    Case("bad_query_missing_form_type", "POST", [], None, b"query=ASK%20%7B%7D", "4xx"),
    Case("bad_query_missing_direct_type", "POST", [], None, b"ASK {}", "4xx"),
    Case(
        "bad_query_non_utf8",
        "POST",
        [],
        "application/sparql-query; charset=UTF-16",
        "ASK {}".encode("utf-16-le"),
        "4xx",
    ),
    Case("bad_query_syntax", "GET", [("query", "ASK {")], expect="4xx"),
    # Update tests sent to a read-only service: each must be refused with 4xx
    Case("bad_update_get", "GET", [("update", "CLEAR ALL")], expect="4xx"),
    Case(
        "bad_multiple_updates",
        "POST",
        [],
        FORM,
        b"update=CLEAR%20NAMED&update=CLEAR%20DEFAULT",
        "4xx",
    ),
    Case("bad_update_wrong_media_type", "POST", [], "text/plain", b"CLEAR NAMED", "4xx"),
    Case("bad_update_missing_form_type", "POST", [], None, b"update=CLEAR%20NAMED", "4xx"),
    Case(
        "bad_update_non_utf8",
        "POST",
        [],
        "application/sparql-update; charset=UTF-16",
        "CLEAR NAMED".encode("utf-16-le"),
        "4xx",
    ),
    Case("bad_update_syntax", "POST", [], FORM, b"update=CLEAR%20XYZ", "4xx"),
    Case(
        "bad_update_dataset_conflict",
        "POST",
        [("using-named-graph-uri", "http://example/people")],
        "application/sparql-update",
        CONFLICT.encode(),
        "4xx",
    ),
]
NOT_APPLICABLE = [
    "update_dataset_default_graph",
    "update_dataset_default_graphs",
    "update_dataset_named_graphs",
    "update_dataset_full",
    "update_post_form",
    "update_post_direct",
    "update_base_uri",
]


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("w3c-protocol")
    args: list[str] = []
    for n in (1, 2, 3):
        path = folder / f"data{n}.nt"
        path.write_text(
            f"<{DATA}data{n}.rdf> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
            "<http://xmlns.com/foaf/0.1/Document> .\n"
        )
        args += ["--graph", f"{DATA}data{n}.rdf={path}"]
    with running_server(*args) as url:
        yield url + "/sparql"


def boolean_of(response: httpx.Response) -> bool:
    media = response.headers["content-type"].split(";")[0]
    if media == "application/sparql-results+json":
        return bool(json.loads(response.content)["boolean"])
    assert media == "application/sparql-results+xml", media
    node = ET.fromstring(response.content).find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert node is not None
    return node.text == "true"


def test_the_suite_is_complete() -> None:
    assert len(CASES) + len(NOT_APPLICABLE) == 34
    assert len({case.name for case in CASES}) == 27


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_w3c_protocol(endpoint: str, case: Case) -> None:
    headers = {"Content-Type": case.content_type} if case.content_type else {}
    with httpx.Client(timeout=30) as client:
        client.headers.pop("accept", None)  # the manifest's requests carry no Accept header
        request = client.build_request(
            case.method, endpoint, params=case.params, content=case.body, headers=headers
        )
        if case.body is None:
            request.headers.pop("content-length", None)
        response = client.send(request)
    if case.expect == "4xx":
        assert 400 <= response.status_code < 500, response.text
        return
    assert 200 <= response.status_code < 400, response.text
    media = response.headers["content-type"].split(";")[0]
    if case.expect == "boolean":
        assert media in ("application/sparql-results+json", "application/sparql-results+xml")
        if case.boolean is not None:
            assert boolean_of(response) is case.boolean
    elif case.expect == "tabular":
        assert media in (
            "application/sparql-results+json",
            "application/sparql-results+xml",
            "text/csv",
            "text/tab-separated-values",
        )
    else:
        assert media in ("text/turtle", "application/rdf+xml")
