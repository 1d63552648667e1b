"""Result bytes, written by the engine's own serialisers, with the row cap kept.

Nothing here visits rows in Python. pyoxigraph serialises solutions and triples straight to
bytes; the cap is kept without decoding them:

* the query is bounded first (:func:`.protocol.bound_query` gives it a top-level
  ``LIMIT max_rows + 1``), so the engine never produces more than one row too many;
* the rows are then counted in the bytes, where a format makes that exact: one line per row
  in SPARQL TSV and per triple in N-Triples (both escape newlines inside literals), one
  ``<result>`` element per row in SPARQL XML (``<`` inside text is always ``&lt;``);
* JSON and CSV are bounded from above by bytes that only row boundaries can produce
  outside strings (``},{``; CRLF), and counted exactly (JSON through TSV, by pyoxigraph's
  parser and serialiser; CSV record by record) only when that bound is over the cap.

A result that really is over the cap is cut in TSV or N-Triples and converted once more.
"""

from __future__ import annotations

import re
from itertools import islice
from typing import Any

import pyoxigraph as ox

from ..errors import BadQuery, EngineError
from ..formats import RDF_FORMATS
from .messages import QueryRequest, QueryResult
from .protocol import bound_query

SOLUTION_FORMATS: dict[str, Any] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS: dict[str, Any] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}
MEDIA_TYPES = {f.name: f.media_type for f in RDF_FORMATS} | {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
_TSV = ox.QueryResultsFormat.TSV
_NT = ox.RdfFormat.N_TRIPLES


def _bytes(written: bytes | None) -> bytes:
    """pyoxigraph returns None for an empty serialisation into a buffer."""
    return written or b""


def _cut_lines(body: bytes, keep: int) -> tuple[bytes, bool]:
    """The first *keep* lines of *body*, and whether there were more."""
    if body.count(b"\n") <= keep:
        return body, False
    lines = body.split(b"\n", keep)
    return b"\n".join(lines[:keep]) + b"\n", True


def _from_tsv(tsv: bytes, fmt: str) -> bytes:
    if fmt == "tsv":
        return tsv
    solutions = ox.parse_query_results(tsv, format=_TSV)
    return _bytes(solutions.serialize(format=SOLUTION_FORMATS[fmt]))


def solutions(result: Any, fmt: str, max_rows: int, may_exceed: bool) -> QueryResult:
    """Serialise pyoxigraph ``QuerySolutions`` in *fmt*, at most *max_rows* rows.

    *may_exceed* is False when the query's own LIMIT already keeps it within the cap.
    """
    media = MEDIA_TYPES[fmt]
    body = _bytes(result.serialize(format=SOLUTION_FORMATS[fmt]))
    if not may_exceed:
        return QueryResult(body, media, False)
    if fmt == "tsv":
        body, truncated = _cut_lines(body, max_rows + 1)
        return QueryResult(body, media, truncated)
    if fmt == "csv":
        body, truncated = _cut_csv(body, max_rows)
        return QueryResult(body, media, truncated)
    if fmt == "xml":
        over = body.count(b"<result>") > max_rows
    else:
        # Outside strings, "},{" is only ever written between two rows, so one more than
        # its count bounds the rows from above; only a result that may be over is parsed.
        over = body.count(b"},{") + 1 > max_rows and _count_rows(body, fmt) > max_rows
    if not over:
        return QueryResult(body, media, False)
    tsv = _bytes(ox.parse_query_results(body, format=SOLUTION_FORMATS[fmt]).serialize(format=_TSV))
    tsv, _ = _cut_lines(tsv, max_rows + 1)
    return QueryResult(_from_tsv(tsv, fmt), media, True)


def _count_rows(body: bytes, fmt: str) -> int:
    tsv = _bytes(ox.parse_query_results(body, format=SOLUTION_FORMATS[fmt]).serialize(format=_TSV))
    return tsv.count(b"\n") - 1


#: One SPARQL CSV record: quoted fields may hold line breaks; records end with CRLF.
_CSV_RECORD = re.compile(rb'(?:"(?:[^"]|"")*"|[^"\r\n])*\r\n')


def _cut_csv(body: bytes, max_rows: int) -> tuple[bytes, bool]:
    """The header and at most *max_rows* records of SPARQL CSV, and whether there were more.
    Line breaks bound the records from above; records are read only when they may be over."""
    if body.count(b"\r\n") - 1 <= max_rows:
        return body, False
    end = 0
    for number, record in enumerate(_CSV_RECORD.finditer(body)):
        if number > max_rows:
            return body[:end], True
        end = record.end()
    return body, False


def triples(result: Any, fmt: str, max_rows: int) -> QueryResult:
    """Serialise pyoxigraph ``QueryTriples`` (or N-Triples bytes from a remote store) in
    *fmt*, at most *max_rows* triples.

    The engine's triples are taken with ``islice`` (no Python code runs per triple; pyoxigraph
    makes each triple object) and written by pyoxigraph's serialiser in one call. N-Triples
    bytes are counted and cut by line, then converted once.
    """
    if isinstance(result, bytes):
        nt, truncated = _cut_lines(result, max_rows)
        if fmt == "ntriples":
            return QueryResult(nt, MEDIA_TYPES[fmt], truncated)
        kept = list(ox.parse(nt, format=_NT)) if nt else []
    else:
        kept = list(islice(result, max_rows + 1))
        truncated = len(kept) > max_rows
        del kept[max_rows:]
    body = ox.serialize(kept, format=GRAPH_FORMATS[fmt]) if kept else b""
    return QueryResult(_bytes(body), MEDIA_TYPES[fmt], truncated)


def execute(
    store: Any, request: QueryRequest, query: str, may_exceed: bool, union: bool
) -> QueryResult:
    """Run *query* (already bounded) for *request* on a pyoxigraph store."""
    options: dict[str, Any] = {"base_iri": request.base_iri}
    if request.default_graphs is not None or request.named_graphs is not None:
        # The protocol dataset replaces FROM / FROM NAMED; a missing part is empty.
        options["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs or ()]
        options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs or ()]
    elif union:
        options["use_default_graph_as_union"] = True
    result = store.query(query, **options)
    return from_engine(result, request, may_exceed)


def from_engine(result: Any, request: QueryRequest, may_exceed: bool) -> QueryResult:
    """Bytes for a pyoxigraph query result (from the store or parsed from a remote answer)."""
    if isinstance(result, ox.QueryBoolean):
        return QueryResult(
            _bytes(result.serialize(format=SOLUTION_FORMATS[request.result_format])),
            MEDIA_TYPES[request.result_format],
            False,
        )
    if isinstance(result, ox.QuerySolutions):
        return solutions(result, request.result_format, request.max_rows, may_exceed)
    return triples(result, request.result_format, request.max_rows)


def answer(store: Any, request: QueryRequest, union: bool, memory_mb: int = 0) -> QueryResult:
    """Run *request* on *store*: bounded, serialised, capped. A query the engine rejects is a
    :class:`BadQuery`; a store that fails is an :class:`EngineError`."""
    try:
        if request.bounded is None:
            bounded, may_exceed = bound_query(request.query, request.form, request.max_rows + 1)
        else:
            bounded, may_exceed = request.bounded, request.may_exceed
        try:
            return execute(store, request, bounded, may_exceed, union)
        except SyntaxError:
            if bounded == request.query:
                raise
            # The bound did not fit this query's shape: run it as given and count.
            return execute(store, request, request.query, True, union)
    except SyntaxError as exc:
        raise BadQuery(f"SPARQL syntax error: {exc}") from exc
    except MemoryError as exc:
        raise BadQuery(
            f"the query needed more than the {memory_mb} MB a query worker may use"
        ) from exc
    except (ValueError, TypeError) as exc:
        raise BadQuery(str(exc)) from exc
    except (OSError, RuntimeError) as exc:
        raise EngineError(f"the store failed: {exc}") from exc
