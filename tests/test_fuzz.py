"""Issue 12, part 4: random and mutated SPARQL against a real server, over every transport.

One real ``smartcity-graph serve`` on 127.0.0.1 for the module. Hypothesis sends it the
README's example queries (``web/examples.py``) mutated (tokens inserted, deleted, swapped
and repeated; bytes inserted, deleted and flipped; invalid UTF-8 spliced in), SPARQL-ish
token soup, and plain generated text and bytes, over the three SPARQL 1.1 Protocol
transports:

* ``GET /sparql?query=``: the bytes percent-encoded in the URL (invalid UTF-8 included);
* ``POST`` ``application/x-www-form-urlencoded``: percent-encoded, or raw bytes in the body;
* ``POST`` ``application/sparql-query``: the raw bytes as the body.

with an ``Accept`` and sometimes a ``format`` drawn from what clients send (and garbage).

**The bar** (asserted on every request): no 5xx at all, except a 503 that is the documented
load shedding of a query that ran past ``query_timeout`` (its body says so, with
``Retry-After``); the queries are small enough that none has been seen, and each one is
counted and printed. Every request must complete within :data:`CLIENT_TIMEOUT` (no hangs).
After each transport's run the server must answer ``/health`` and a known query.

**How many.** :data:`EXAMPLES` per transport: 150 by default (CI runs this, about 20 s on a
2-core machine). For a longer run set ``FUZZ_EXAMPLES``, e.g.
``FUZZ_EXAMPLES=5000 .venv/bin/pytest tests/test_fuzz.py -s`` (``-s`` prints the figures).

The schemathesis run over the OpenAPI description of every route is
``tests/test_openapi.py``.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote_from_bytes

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartcity_graph import iris
from smartcity_graph.web.examples import EXAMPLES as README_QUERIES
from test_server import CITIES, server

pytestmark = pytest.mark.slow

#: Examples per transport; ``FUZZ_EXAMPLES=N`` for a longer run.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 150)
#: Seconds any one request may take, end to end (the server's query timeout is 10 s).
CLIENT_TIMEOUT = 30.0
QUERY_TIMEOUT = "10"

MILAN = iris.mint("city", "milan")
SEEDS: tuple[str, ...] = (
    *(example["query"] for example in README_QUERIES),
    CITIES,
    "ASK { ?s ?p ?o }",
    "PREFIX schema: <https://schema.org/> CONSTRUCT WHERE { ?c a schema:City ; schema:name ?n }",
    f"DESCRIBE <{MILAN}>",
    f"SELECT ?p ?o WHERE {{ <{MILAN}> ?p ?o }} LIMIT 20",
    'SELECT * WHERE { ?s ?p "Milan"@en } OFFSET 1 LIMIT 3',
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
)
TOKENS: tuple[str, ...] = (
    *[
        "SELECT",
        "ASK",
        "CONSTRUCT",
        "DESCRIBE",
        "WHERE",
        "FILTER",
        "OPTIONAL",
        "UNION",
        "MINUS",
        "GRAPH",
        "VALUES",
        "BIND",
        "AS",
        "DISTINCT",
        "REDUCED",
        "LIMIT",
        "OFFSET",
        "FROM",
        "NAMED",
        "PREFIX",
        "BASE",
        "a",
        "IN",
        "NOT",
        "EXISTS",
        "UNDEF",
        "SERVICE",
        "SILENT",
        "INSERT",
        "DELETE",
        "DATA",
        "LOAD",
        "CLEAR",
        "DROP",
        "WITH",
        "USING",
    ],
    "ORDER BY",
    "GROUP BY",
    "HAVING",
    *[
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        ".",
        ";",
        ",",
        "*",
        "/",
        "|",
        "^",
        "!",
        "?",
        "+",
        "=",
        "!=",
        "<",
        ">",
        "<=",
        ">=",
        "&&",
        "||",
        "#",
        "@",
        "_:b",
        "$v",
        "?x",
        "?s",
        "?o",
        "?name",
    ],
    "<urn:x:a>",
    f"<{MILAN}>",
    "<>",
    "<http://127.0.0.1:1/sparql>",
    "schema:City",
    "unknown:prefix",
    '"x"',
    '"x"@en',
    '"1"^^<http://www.w3.org/2001/XMLSchema#integer>',
    "'''",
    '"""',
    "1",
    "-0.5e-3",
    "true",
    "COUNT(*)",
    "STR(?x)",
    'REGEX(?name, "(a|b)*c", "i")',
    "LANG(?name)",
    'STRLANG("x", "en")',
    "<<",
    ">>",
    "\\u0041",
    "\\",
    "\x00",
    "\ufeff",
    "\U0001d518",
    "Medellín",
    "\n",
    "\t",
)
#: Byte strings that are not UTF-8: a lone continuation, overlong, a surrogate, past
#: U+10FFFF, truncated sequences, bytes never valid in UTF-8.
INVALID_UTF8: tuple[bytes, ...] = (
    b"\x80",
    b"\xbf",
    b"\xc0\xaf",
    b"\xc3",
    b"\xe2\x82",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xf0\x9f\x98",
    b"\xfe",
    b"\xff",
)
ACCEPTS: tuple[str | None, ...] = (
    None,
    "*/*",
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-quads, application/trig;q=0.5",
    "text/html",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "text/plain;q=0",
    "application/json;q=abc",
    "image/png",
    ";;;,,,",
)
FORMATS: tuple[str | None, ...] = (None, None, None, "json", "xml", "csv", "tsv", "ttl", "x", "")

_SPLIT = re.compile(r"(\s+|[{}().;,])")


@st.composite
def token_mutant(draw: st.DrawFn) -> bytes:
    """A seed with one to four token edits: insert, delete, swap, repeat, replace."""
    tokens = [t for t in _SPLIT.split(draw(st.sampled_from(SEEDS))) if t]
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(tokens) - 1))
        edit = draw(st.sampled_from(("insert", "delete", "swap", "repeat", "replace")))
        if edit == "insert":
            tokens.insert(i, " " + draw(st.sampled_from(TOKENS)) + " ")
        elif edit == "delete" and len(tokens) > 1:
            del tokens[i]
        elif edit == "swap":
            j = draw(st.integers(0, len(tokens) - 1))
            tokens[i], tokens[j] = tokens[j], tokens[i]
        elif edit == "repeat":
            span = tokens[i : i + draw(st.integers(1, 8))]
            tokens[i:i] = span * draw(st.integers(1, 3))
        else:
            tokens[i] = draw(st.sampled_from(TOKENS))
    return "".join(tokens).encode("utf-8")


_VARIABLE = re.compile(r"[?$]\w+")
_NUMBER = re.compile(r"\b\d+\b")


@st.composite
def mild_mutant(draw: st.DrawFn) -> bytes:
    """A seed with one edit that mostly keeps it a query: a variable renamed to another of
    its variables, a number changed, a LIMIT, OFFSET or ORDER BY appended, DISTINCT added."""
    query = draw(st.sampled_from(SEEDS))
    names = sorted(set(_VARIABLE.findall(query))) or ["?s"]
    edit = draw(st.sampled_from(("rename", "number", "limit", "offset", "order", "distinct")))
    if edit == "rename":
        old, new = draw(st.sampled_from(names)), draw(st.sampled_from(names))
        query = re.sub(re.escape(old) + r"\b", new, query, count=draw(st.integers(0, 3)))
    elif edit == "number":
        query = _NUMBER.sub(lambda _: str(draw(st.integers(-1, 10**12))), query, count=1)
    elif edit == "limit":
        query += f" LIMIT {draw(st.integers(0, 10**6))}"
    elif edit == "offset":
        query += f" OFFSET {draw(st.integers(0, 10**6))}"
    elif edit == "order":
        query += f" ORDER BY {draw(st.sampled_from(('', 'DESC')))}({draw(st.sampled_from(names))})"
    else:
        query = query.replace("SELECT ", "SELECT DISTINCT ", 1)
    return query.encode("utf-8")


@st.composite
def byte_mutant(draw: st.DrawFn) -> bytes:
    """A seed's UTF-8 with one to four byte edits, invalid UTF-8 among them."""
    data = bytearray(draw(st.sampled_from(SEEDS)).encode("utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(("insert", "invalid", "delete", "flip", "truncate")))
        if edit == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=4))
        elif edit == "invalid":
            data[i:i] = draw(st.sampled_from(INVALID_UTF8))
        elif edit == "delete" and data:
            del data[min(i, len(data) - 1)]
        elif edit == "flip" and data:
            data[min(i, len(data) - 1)] ^= 1 << draw(st.integers(0, 7))
        else:
            del data[i:]
    return bytes(data)


QUERIES = st.one_of(
    mild_mutant(),
    token_mutant(),
    byte_mutant(),
    st.lists(st.sampled_from(TOKENS), max_size=40).map(lambda ts: " ".join(ts).encode()),
    st.text(max_size=200).map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.binary(max_size=200),
)
TRANSPORTS = ("get", "post-form", "post-form-raw", "post-query")

#: What each transport was answered, for the figures printed at the end.
SEEN: dict[str, Counter[int]] = {transport: Counter() for transport in TRANSPORTS}
SHED: list[bytes] = []


@pytest.fixture(scope="module")
def live(release_dir: Path) -> Iterator[str]:
    options = ("--release", str(release_dir), "--workers", "2", "--query-timeout", QUERY_TIMEOUT)
    with server(*options) as (url, process):
        yield url
        assert process.poll() is None, "the server died under fuzzing"
    for transport, statuses in SEEN.items():
        if statuses:
            print(f"fuzz {transport}: {sum(statuses.values())} requests, {dict(statuses)}")
    print(f"fuzz: {len(SHED)} answered 503 at the query timeout")


def send(
    client: httpx.Client,
    url: str,
    transport: str,
    query: bytes,
    accept: str | None,
    fmt: str | None,
) -> httpx.Response:
    headers = {"Accept": accept} if accept is not None else {}
    extra = "" if fmt is None else "&format=" + quote_from_bytes(fmt.encode(), safe="")
    encoded = quote_from_bytes(query, safe="")
    if transport == "get":
        return client.get(f"{url}/sparql?query={encoded}{extra}", headers=headers)
    if transport == "post-query":
        headers["Content-Type"] = "application/sparql-query"
        target = f"{url}/sparql" + ("?" + extra[1:] if extra else "")
        return client.post(target, content=query, headers=headers)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    body = b"query=" + (query if transport == "post-form-raw" else encoded.encode())
    return client.post(f"{url}/sparql", content=body + extra.encode(), headers=headers)


def check(response: httpx.Response, query: bytes) -> None:
    """The bar: no 5xx but the timeout's documented 503 (with Retry-After)."""
    if response.status_code == 503 and "ran longer than" in response.text:
        assert response.headers.get("retry-after"), "a 503 without Retry-After"
        SHED.append(query)
        return
    assert response.status_code < 500, (response.status_code, response.text[:500], query)


def assert_alive(url: str) -> None:
    assert httpx.get(url + "/health", timeout=CLIENT_TIMEOUT).status_code == 200
    known = httpx.get(url + "/sparql", params={"query": CITIES}, timeout=CLIENT_TIMEOUT)
    assert known.status_code == 200
    assert len(known.json()["results"]["bindings"]) == 36


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_fuzzed_queries_get_no_5xx_and_no_hang(live: str, transport: str) -> None:
    with httpx.Client(timeout=CLIENT_TIMEOUT) as client:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(query=QUERIES, accept=st.sampled_from(ACCEPTS), fmt=st.sampled_from(FORMATS))
        def one(query: bytes, accept: str | None, fmt: str | None) -> None:
            started = time.monotonic()
            try:
                response = send(client, live, transport, query, accept, fmt)
            except httpx.TimeoutException:
                pytest.fail(f"no answer within {CLIENT_TIMEOUT} s: {query!r}")
            SEEN[transport][response.status_code] += 1
            check(response, query)
            assert time.monotonic() - started < CLIENT_TIMEOUT

        one()
    assert_alive(live)
