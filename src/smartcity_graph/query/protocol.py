"""The SPARQL 1.1 Protocol, independent of any web framework and of the engine.

* :func:`read_request` reads a protocol request (query string, form or direct body;
  ``default-graph-uri`` / ``named-graph-uri``; ``format``) from plain values.
* :func:`inspect_query` is the guard: it reads a query lexically, as SPARQL tokenizes it,
  to find its form and refuse what this endpoint never runs: updates and ``SERVICE``.
* :func:`bound_query` gives a query a top-level ``LIMIT`` of at most the row cap plus one,
  so the engine never makes rows it would throw away.
* :func:`choose_result_format` negotiates the result format from ``Accept`` (q-values
  honoured) or an explicit ``format`` parameter.
* :func:`service_description` is the SPARQL 1.1 Service Description of the endpoint.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl

from rdflib import Graph, Literal, URIRef

from .. import formats
from ..errors import (
    BadQuery,
    NotAcceptable,
    QueryRefused,
    QueryTooLarge,
    UnsupportedMediaType,
)
from ..namespaces import RDF, RDFS, SD, VOID
from .messages import FORMS, QueryForm

UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)

# -- Reading a protocol request --------------------------------------------------------------


@dataclass(frozen=True)
class ProtocolRequest:
    """What a SPARQL 1.1 protocol request asks for; ``query`` is None when it asks for none
    (then the endpoint describes itself)."""

    query: str | None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    formats: tuple[str, ...] = ()
    """Every ``format`` value given, in order (SPARQLWrapper sends a short name and then a
    comma-separated list of media types)."""


def body_limit(max_query_bytes: int) -> int:
    """The largest request body read: the longest query, with room for percent-encoding."""
    return max_query_bytes * 3 + 4096


def read_request(
    method: str, params: list[tuple[str, str]], content_type: str | None, body: bytes
) -> ProtocolRequest:
    """Read a request per the SPARQL 1.1 Protocol: ``GET ?query=``, a form ``POST`` or a
    ``POST`` of ``application/sparql-query``. *params* are the query-string pairs."""
    params = list(params)
    query: str | None = None
    if method == "POST":
        raw_type = content_type or ""
        media = raw_type.split(";")[0].strip().lower()
        charset = re.search(r";\s*charset\s*=\s*\"?([\w-]+)", raw_type, re.IGNORECASE)
        if charset and charset.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
            raise UnsupportedMediaType(
                f"charset {charset.group(1)} is not supported; SPARQL requests are UTF-8"
            )
        if media == "application/x-www-form-urlencoded":
            try:
                form = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            except UnicodeDecodeError as exc:
                raise BadQuery("the form body is not UTF-8") from exc
            if any(key == "query" for key, _ in params):
                raise BadQuery("POST with a form body: give 'query' in the body, not the URL")
            params += form
        elif media == "application/sparql-query":
            if any(key in ("query", "update") for key, _ in params):
                raise BadQuery("a sparql-query POST carries the query in its body only")
            try:
                query = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise BadQuery("the query is not UTF-8") from exc
        elif media == "application/sparql-update":
            raise QueryRefused("this endpoint is read-only: SPARQL Update is not accepted")
        else:
            raise UnsupportedMediaType(
                f"unsupported content type {media or '(none)'!r}; use "
                "application/x-www-form-urlencoded or application/sparql-query"
            )
    if any(key in ("update", "using-graph-uri", "using-named-graph-uri") for key, _ in params):
        raise QueryRefused("this endpoint is read-only: SPARQL Update is not accepted")
    queries = [value for key, value in params if key == "query"]
    if query is None:
        if len(queries) > 1:
            raise BadQuery("more than one 'query' parameter")
        query = queries[0] if queries else None
    defaults = [value for key, value in params if key == "default-graph-uri"]
    named = [value for key, value in params if key == "named-graph-uri"]
    formats_given = [value for key, value in params if key == "format"]
    if query is None and (defaults or named):
        raise BadQuery("default-graph-uri / named-graph-uri given without a query")
    dataset_given = bool(defaults or named)
    return ProtocolRequest(
        query=query,
        default_graphs=parse_graph_uris(defaults) if dataset_given else None,
        named_graphs=parse_graph_uris(named) if dataset_given else None,
        formats=tuple(formats_given),
    )


def parse_graph_uris(values: Iterable[str]) -> tuple[str, ...]:
    """``default-graph-uri`` / ``named-graph-uri`` values: absolute IRIs only."""
    out = []
    for value in values:
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*$", value):
            raise BadQuery(f"graph URI {value!r} is not an absolute IRI")
        out.append(value)
    return tuple(out)


# -- The guard ---------------------------------------------------------------------------------

# The guard tokenizes the query as SPARQL does: strings, IRIs, comments, variables, prefixed
# names (with their backslash escapes), blank nodes and language tags are whole tokens, so a
# keyword is only ever a bare word. Long strings come first so that a long string is not read
# as three short ones; prefixed names before words so that ex:service is not the word SERVICE.
# A run of characters that cannot begin any token (space, punctuation) is skipped before each
# token in one step, rather than one failed attempt per character.
_TOKEN = re.compile(
    r"""
    [^'"<\#?$@{}\\:\w]*
  (?:
    (?P<long1>'''(?:[^'\\]|\\.|'(?!''))*''')
  | (?P<long2>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\")
  | (?P<short1>'(?:[^'\\\n\r]|\\.)*')
  | (?P<short2>"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<comment>\#[^\n\r]*)
  | (?P<var>[?$]\w*)
  | (?P<pname>(?:[^\W\d_][\w.-]*)?:(?:[\w:%-]|\\[-_~.!$&'()*+,;=/?\#@%]|\.(?=[\w:%\\.-]))*)
  | (?P<bnode>_:[\w.-]*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<word>[^\W\d]\w*)
  | (?P<other>[{}\\])
  )
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Scan:
    """One lexical pass over a query: its bare words (upper-cased) and, at brace depth 0
    after the first group, where its own ``LIMIT`` value and trailing ``VALUES`` are."""

    words: tuple[str, ...]
    limit_at: int | None
    values_at: int | None
    balanced: bool


def scan(query: str) -> Scan:
    """Tokenize *query* as SPARQL does; refuses a backslash outside strings, IRIs and
    prefixed names (SPARQL codepoint escapes there, which some engines decode before
    parsing, could spell a keyword the guard would not see)."""
    words: list[str] = []
    depth = groups = 0
    limit_at: int | None = None
    values_at: int | None = None
    for token in _TOKEN.finditer(query):
        kind = token.lastgroup
        if kind == "word":
            word = token.group(kind).upper()
            words.append(word)
            if depth == 0 and groups:
                if word == "LIMIT":
                    limit_at = token.end(kind)
                elif word == "VALUES" and values_at is None:
                    values_at = token.start(kind)
        elif kind == "other":
            text = token.group(kind)
            if text == "{":
                depth += 1
            elif text == "}":
                depth -= 1
                if depth == 0:
                    groups += 1
            elif text == "\\":
                raise BadQuery(
                    "a backslash is only allowed inside strings, IRIs and prefixed names; "
                    "write the character itself instead of a \\u escape"
                )
    return Scan(tuple(words), limit_at, values_at, depth == 0 and groups > 0)


@dataclass(frozen=True)
class QueryInfo:
    form: QueryForm
    scan: Scan

    @property
    def keywords(self) -> tuple[str, ...]:
        return self.scan.words


def inspect_query(query: str, *, max_bytes: int) -> QueryInfo:
    """The query's form; raises for empty, oversized, update, SERVICE, or form-less input."""
    size = len(query.encode("utf-8"))
    if size > max_bytes:
        raise QueryTooLarge(f"the query is {size} bytes; the limit is {max_bytes} bytes")
    if not query.strip():
        raise BadQuery("the query is empty")
    scanned = scan(query)
    if "SERVICE" in scanned.words:
        raise QueryRefused(
            "SERVICE is disabled: this endpoint never calls other endpoints. "
            "Run federated queries in your own engine (see the README)."
        )
    # The prologue holds only BASE and PREFIX; the first other keyword decides.
    for word in scanned.words:
        if word in ("BASE", "PREFIX"):
            continue
        if word in FORMS:
            return QueryInfo(form=FORMS[FORMS.index(word)], scan=scanned)
        if word in UPDATE_KEYWORDS:
            raise QueryRefused(
                f"{word} is a SPARQL Update operation; this endpoint is read-only and "
                "answers queries (SELECT, ASK, CONSTRUCT, DESCRIBE) only"
            )
        break
    raise BadQuery("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")


_LIMIT_VALUE = re.compile(r"\s*(\d+)")


def bound_query(
    query: str, form: QueryForm, limit: int, scanned: Scan | None = None
) -> tuple[str, bool]:
    """*query* with a top-level ``LIMIT`` of at most *limit*, and whether it may still have
    more than ``limit - 1`` rows (so the caller must count).

    Uses the guard's tokens and brace depth, so a LIMIT inside a subquery, a string or a
    comment is never taken for the query's own. A query whose own LIMIT is below *limit* is
    returned unchanged, with nothing to count. Where the shape is not the expected one, the
    query is returned unchanged and the caller counts.
    """
    if form == "ASK":
        return query, False
    found_scan = scanned if scanned is not None else scan(query)
    if not found_scan.balanced:
        return query, True  # not the shape we know: the engine will say what is wrong
    if found_scan.limit_at is not None:
        found = _LIMIT_VALUE.match(query, found_scan.limit_at)
        if found is None:
            return query, True
        if int(found.group(1)) < limit:
            return query, False
        return query[: found.start(1)] + str(limit) + query[found.end(1) :], True
    if found_scan.values_at is not None:
        at = found_scan.values_at
        return f"{query[:at]}LIMIT {limit}\n{query[at:]}", True
    return f"{query}\nLIMIT {limit}\n", True


# -- Result formats ------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultFormat:
    name: str
    media_type: str
    aliases: tuple[str, ...] = ()


SPARQL_JSON = ResultFormat("json", "application/sparql-results+json", ("application/json",))
SPARQL_XML = ResultFormat("xml", "application/sparql-results+xml", ("application/xml", "text/xml"))
SPARQL_CSV = ResultFormat("csv", "text/csv")
SPARQL_TSV = ResultFormat("tsv", "text/tab-separated-values")
#: Formats for SELECT and ASK, preferred first. (CSV and TSV carry no ASK result.)
SOLUTION_FORMATS = (SPARQL_JSON, SPARQL_XML, SPARQL_CSV, SPARQL_TSV)
BOOLEAN_FORMATS = (SPARQL_JSON, SPARQL_XML)
#: Formats for CONSTRUCT and DESCRIBE, preferred first.
GRAPH_FORMATS = tuple(
    ResultFormat(f.name, f.media_type, f.aliases)
    for f in sorted(formats.RDF_FORMATS, key=lambda f: f.name != "turtle")
)

#: Short names clients send in ``format`` (SPARQLWrapper sends ``n3``, ``xml``, ``json``,
#: ``json-ld`` for every query form, as Virtuoso and Fuseki accept them), mapped to ours.
FORMAT_ALIASES = {
    "graph": {
        "n3": "turtle",
        "ttl": "turtle",
        "text/n3": "turtle",
        "text/rdf+n3": "turtle",
        "nt": "ntriples",
        "n-triples": "ntriples",
        "rdf": "rdfxml",
        "xml": "rdfxml",
        "rdf/xml": "rdfxml",
        "json": "jsonld",
        "json-ld": "jsonld",
        "jsonld": "jsonld",
        "application/x-json+ld": "jsonld",
        "nq": "nquads",
        "n-quads": "nquads",
    },
    "results": {"srj": "json", "srx": "xml", "sparql-results+json": "json"},
}


_AS_FORMATS = {
    offers: tuple(
        formats.Format(o.name, o.media_type, o.name, "", False, o.aliases) for o in offers
    )
    for offers in (SOLUTION_FORMATS, BOOLEAN_FORMATS, GRAPH_FORMATS)
}


def _offers(form: QueryForm) -> tuple[ResultFormat, ...]:
    if form == "SELECT":
        return SOLUTION_FORMATS
    if form == "ASK":
        return BOOLEAN_FORMATS
    return GRAPH_FORMATS


def choose_result_format(
    form: QueryForm, accept: str | None, fmt: str | Sequence[str] | None
) -> ResultFormat:
    """``format`` wins over ``Accept``; 406 if nothing fits. Each ``format`` value is a short
    name, a media type or a comma-separated list of them; the first that fits is taken."""
    offers = _offers(form)
    given = [fmt] if isinstance(fmt, str) else list(fmt or ())
    wanted_all = [part.strip().lower() for value in given for part in value.split(",")]
    if any(wanted_all):
        kind = "graph" if form in ("CONSTRUCT", "DESCRIBE") else "results"
        for wanted in wanted_all:
            wanted = FORMAT_ALIASES[kind].get(wanted, wanted)
            for offer in offers:
                if wanted in (offer.name, offer.media_type, *offer.aliases):
                    return offer
        raise NotAcceptable(
            f"format {', '.join(given)!r} is not available for {form}; "
            f"choose one of {', '.join(o.name for o in offers)}"
        )
    chosen = formats.negotiate(accept, _AS_FORMATS[offers])
    if chosen is None:
        raise NotAcceptable(
            f"none of the requested media types ({accept}) is available for {form}; "
            f"available: {', '.join(o.media_type for o in offers)}"
        )
    return next(o for o in offers if o.name == chosen.name)


# -- Service description -------------------------------------------------------------------

RESULT_FORMAT_IRIS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
    "N-Quads",
    "TriG",
)


def service_description(
    endpoint_url: str,
    named_graphs: Iterable[str],
    dataset: str | None,
    limits: str,
) -> Graph:
    """The SPARQL 1.1 Service Description of the endpoint at *endpoint_url*."""
    endpoint = URIRef(endpoint_url)
    graph = Graph()
    graph.add((endpoint, RDF.type, SD.Service))
    graph.add((endpoint, SD.endpoint, endpoint))
    graph.add((endpoint, SD.supportedLanguage, SD.SPARQL11Query))
    for name in RESULT_FORMAT_IRIS:
        graph.add((endpoint, SD.resultFormat, URIRef(f"http://www.w3.org/ns/formats/{name}")))
    described = URIRef(f"{endpoint}#dataset")
    graph.add((endpoint, SD.defaultDataset, described))
    graph.add((described, RDF.type, SD.Dataset))
    default = URIRef(f"{endpoint}#default-graph")
    graph.add((described, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    for number, name in enumerate(sorted(set(named_graphs))):
        named = URIRef(f"{endpoint}#named-graph-{number + 1}")
        graph.add((described, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
    if dataset:
        graph.add((endpoint, VOID.inDataset, URIRef(dataset)))
    graph.add((endpoint, RDFS.comment, Literal(limits, lang="en")))
    return graph
