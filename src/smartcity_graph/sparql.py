"""SPARQL 1.1 Protocol logic, independent of any web framework and of the engine.

* :func:`inspect_query` reads a query lexically (comments, strings and IRIs
  removed) to find its form and refuse what this endpoint never runs: updates
  and ``SERVICE`` (which would make the engine call out to the network).
* :func:`choose_result_format` negotiates the response format from ``Accept``
  (q-values honoured) or an explicit ``format`` parameter.
* The writers turn result rows into SPARQL JSON, XML, CSV and TSV, so a row
  cap can be applied (and signalled) whatever the engine.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal as TypingLiteral
from typing import NamedTuple, TypeVar
from xml.sax.saxutils import escape, quoteattr

from . import formats
from .errors import SmartCityGraphError
from .serialize import escape_string

QueryForm = TypingLiteral["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]

UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)
FORMS: tuple[QueryForm, ...] = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


T = TypeVar("T")


class QueryRefused(SmartCityGraphError):
    """A well-formed request this endpoint refuses on principle (HTTP 403)."""

    http_status = 403


class BadQuery(SmartCityGraphError):
    """A malformed query or request (HTTP 400)."""

    http_status = 400


class QueryTooLarge(SmartCityGraphError):
    """The query is longer than the configured maximum (HTTP 413)."""

    http_status = 413


class NotAcceptable(SmartCityGraphError):
    """No result format the client accepts (HTTP 406)."""

    http_status = 406


class QueryTimeout(SmartCityGraphError):
    """The query ran past the time limit and was stopped (HTTP 503)."""

    http_status = 503


class EngineBusy(SmartCityGraphError):
    """Every query worker stayed busy for the whole wait (HTTP 503)."""

    http_status = 503


# The guard tokenizes the query as SPARQL does: strings, IRIs, comments, variables, prefixed
# names (with their backslash escapes), blank nodes and language tags are whole tokens, so a
# keyword is only ever a bare word. Long strings come first so that a long string is not read
# as three short ones; prefixed names before words so that ex:service is not the word SERVICE.
_TOKEN = re.compile(
    r"""
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
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class QueryInfo:
    form: QueryForm
    keywords: tuple[str, ...]


def _keywords(query: str) -> list[str]:
    """The bare words of *query*, upper-cased; refuses a backslash outside strings, IRIs and
    prefixed names (SPARQL codepoint escapes there, which some engines decode before parsing,
    could spell a keyword the guard would not see)."""
    words = []
    for token in _TOKEN.finditer(query):
        kind = token.lastgroup
        if kind == "word":
            words.append(token.group().upper())
        elif kind == "other" and token.group() == "\\":
            raise BadQuery(
                "a backslash is only allowed inside strings, IRIs and prefixed names; "
                "write the character itself instead of a \\u escape"
            )
    return words


def inspect_query(query: str, *, max_bytes: int) -> QueryInfo:
    """The query's form; raises for empty, oversized, update, SERVICE, or form-less input."""
    size = len(query.encode("utf-8"))
    if size > max_bytes:
        raise QueryTooLarge(f"the query is {size} bytes; the limit is {max_bytes} bytes")
    if not query.strip():
        raise BadQuery("the query is empty")
    words = _keywords(query)
    if "SERVICE" in words:
        raise QueryRefused(
            "SERVICE is disabled: this endpoint never calls other endpoints. "
            "Run federated queries in your own engine (see the README)."
        )
    # The prologue holds only BASE and PREFIX; the first other keyword decides.
    for word in words:
        if word in ("BASE", "PREFIX"):
            continue
        if word in FORMS:
            return QueryInfo(form=word, keywords=tuple(words))
        if word in UPDATE_KEYWORDS:
            raise QueryRefused(
                f"{word} is a SPARQL Update operation; this endpoint is read-only and "
                "answers queries (SELECT, ASK, CONSTRUCT, DESCRIBE) only"
            )
        break
    raise BadQuery("not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")


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


#: Short names clients send in ``format`` (SPARQLWrapper sends ``n3``, ``xml``, ``json`` for
#: every query form, as Virtuoso and Fuseki accept them), mapped to our format names.
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
        "nq": "nquads",
        "n-quads": "nquads",
    },
    "results": {"srj": "json", "srx": "xml", "sparql-results+json": "json"},
}


def _offers(form: QueryForm) -> tuple[ResultFormat, ...]:
    if form == "SELECT":
        return SOLUTION_FORMATS
    if form == "ASK":
        return BOOLEAN_FORMATS
    return GRAPH_FORMATS


def choose_result_format(form: QueryForm, accept: str | None, fmt: str | None) -> ResultFormat:
    """``format`` (a short name or a media type) wins over ``Accept``; 406 if nothing fits."""
    offers = _offers(form)
    if fmt:
        wanted = fmt.strip().lower()
        kind = "graph" if form in ("CONSTRUCT", "DESCRIBE") else "results"
        wanted = FORMAT_ALIASES[kind].get(wanted, wanted)
        for offer in offers:
            if wanted in (offer.name, offer.media_type, *offer.aliases):
                return offer
        raise NotAcceptable(
            f"format {fmt!r} is not available for {form}; "
            f"choose one of {', '.join(o.name for o in offers)}"
        )
    as_formats = [
        formats.Format(o.name, o.media_type, o.name, "", False, o.aliases) for o in offers
    ]
    chosen = formats.negotiate(accept, as_formats)
    if chosen is None:
        raise NotAcceptable(
            f"none of the requested media types ({accept}) is available for {form}; "
            f"available: {', '.join(o.media_type for o in offers)}"
        )
    return next(o for o in offers if o.name == chosen.name)


# -- Result terms and writers --------------------------------------------------------------


class Term(NamedTuple):
    """An RDF term in a result row, independent of the engine's own classes.

    A named tuple (not a dataclass): result sets have many thousands of terms, and the
    writers memoise each distinct term's encoding, so creation and hashing must be cheap.
    """

    kind: TypingLiteral["uri", "bnode", "literal"]
    value: str
    datatype: str | None = None
    language: str | None = None


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _json_term(term: Term) -> dict[str, str]:
    if term.kind == "literal":
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype and term.datatype != XSD_STRING:
            out["datatype"] = term.datatype
        return out
    return {"type": term.kind, "value": term.value}


#: A result row: one term (or None, unbound) per variable, in the order of the variables.
Row = Sequence["Term | None"]


def memo(encode: Callable[[Term], T]) -> Callable[[Term], T]:
    """Encode each distinct term once per result (IRIs repeat a great deal)."""
    memo: dict[Term, T] = {}

    def cached(term: Term) -> T:
        found = memo.get(term)
        if found is None:
            found = memo[term] = encode(term)
        return found

    return cached


def write_json(variables: Sequence[str], rows: Iterable[Row]) -> bytes:
    """SPARQL 1.1 JSON results, assembled from memoised JSON text of each distinct term."""
    encode = memo(lambda term: json.dumps(_json_term(term), ensure_ascii=False))
    keys = [json.dumps(name, ensure_ascii=False) + ": " for name in variables]
    bindings = ",\n".join(
        "{"
        + ", ".join(
            key + encode(term) for key, term in zip(keys, row, strict=True) if term is not None
        )
        + "}"
        for row in rows
    )
    head = json.dumps({"vars": list(variables)}, ensure_ascii=False)
    return f'{{"head": {head}, "results": {{"bindings": [\n{bindings}]}}}}\n'.encode()


def write_json_boolean(value: bool) -> bytes:
    return json.dumps({"head": {}, "boolean": value}).encode("utf-8")


_XML_HEAD = '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'


def _xml_term(term: Term) -> str:
    if term.kind == "uri":
        return f"<uri>{escape(term.value)}</uri>"
    if term.kind == "bnode":
        return f"<bnode>{escape(term.value)}</bnode>"
    attributes = ""
    if term.language:
        attributes = f" xml:lang={quoteattr(term.language)}"
    elif term.datatype and term.datatype != XSD_STRING:
        attributes = f" datatype={quoteattr(term.datatype)}"
    return f"<literal{attributes}>{escape(term.value, {chr(13): '&#13;'})}</literal>"


def write_xml(variables: Sequence[str], rows: Iterable[Row]) -> bytes:
    encode = memo(_xml_term)
    names = [quoteattr(v) for v in variables]
    parts = [_XML_HEAD, "  <head>\n"]
    parts += [f"    <variable name={name}/>\n" for name in names]
    parts.append("  </head>\n  <results>\n")
    for row in rows:
        parts.append("    <result>\n")
        for name, term in zip(names, row, strict=True):
            if term is not None:
                parts.append(f"      <binding name={name}>{encode(term)}</binding>\n")
        parts.append("    </result>\n")
    parts.append("  </results>\n</sparql>\n")
    return "".join(parts).encode("utf-8")


def write_xml_boolean(value: bool) -> bytes:
    body = f"  <head/>\n  <boolean>{'true' if value else 'false'}</boolean>\n</sparql>\n"
    return (_XML_HEAD + body).encode("utf-8")


def _csv_field(text: str) -> str:
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_term(term: Term) -> str:
    return _csv_field(f"_:{term.value}" if term.kind == "bnode" else term.value)


def write_csv(variables: Sequence[str], rows: Iterable[Row]) -> bytes:
    """SPARQL 1.1 CSV: plain values, bnodes as ``_:label``, CRLF line ends."""
    encode = memo(_csv_term)
    lines = [",".join(_csv_field(v) for v in variables)]
    lines += [",".join("" if t is None else encode(t) for t in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _tsv_string(text: str) -> str:
    return f'"{escape_string(text)}"'


def _tsv_term(term: Term) -> str:
    if term.kind == "uri":
        return f"<{term.value}>"
    if term.kind == "bnode":
        return f"_:{term.value}"
    if term.language:
        return f"{_tsv_string(term.value)}@{term.language}"
    if term.datatype and term.datatype != XSD_STRING:
        return f"{_tsv_string(term.value)}^^<{term.datatype}>"
    return _tsv_string(term.value)


def write_tsv(variables: Sequence[str], rows: Iterable[Row]) -> bytes:
    """SPARQL 1.1 TSV: terms in Turtle syntax, ``?var`` header."""
    encode = memo(_tsv_term)
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join("" if t is None else encode(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


SOLUTION_WRITERS = {"json": write_json, "xml": write_xml, "csv": write_csv, "tsv": write_tsv}
BOOLEAN_WRITERS = {"json": write_json_boolean, "xml": write_xml_boolean}


def parse_graph_uris(values: Iterable[str]) -> tuple[str, ...]:
    """``default-graph-uri`` / ``named-graph-uri`` values: absolute IRIs only."""
    out = []
    for value in values:
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*$", value):
            raise BadQuery(f"graph URI {value!r} is not an absolute IRI")
        out.append(value)
    return tuple(out)
