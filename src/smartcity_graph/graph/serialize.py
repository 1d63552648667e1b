"""Graph -> deterministic bytes, per format.

rdflib's own Turtle, RDF/XML and JSON-LD writers order their output by hash
seeds, so two builds would differ. These writers sort everything: subjects,
predicates (``rdf:type`` first), objects; N-Triples and N-Quads are sorted
lines. Blank nodes keep the labels they were created with, so callers that
need determinism create them with fixed labels.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.term import Node

from ..errors import SmartCityGraphError
from ..namespaces import PREFIXES, RDF, XSD

_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_BNODE_LABEL = re.compile(r"^[A-Za-z0-9_]+$")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


class SerializationError(SmartCityGraphError):
    """A term cannot be written in the requested format."""


def _namespaces() -> list[tuple[str, str]]:
    # Longest namespace first, so the most specific prefix wins.
    return sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


_BY_LENGTH = _namespaces()


def split_iri(iri: str) -> tuple[str, str] | None:
    """``(prefix, local)`` when *iri* is a safe prefixed name, else ``None``."""
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace):
            local = iri[len(namespace) :]
            if _LOCAL.match(local):
                return prefix, local
            return None
    return None


def _check_iri(iri: str) -> str:
    if _IRI_FORBIDDEN.search(iri):
        raise SerializationError(f"IRI {iri!r} contains a character that is not allowed")
    return iri


def escape_string(text: str) -> str:
    """A string's body as Turtle, N-Triples and SPARQL TSV write it (ECHAR escapes)."""
    out = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", lambda m: f"\\u{ord(m[0]):04X}", out)


def sort_key(term: Node) -> tuple[int, str, str, str]:
    if isinstance(term, URIRef):
        return (0, str(term), "", "")
    if isinstance(term, BNode):
        return (1, str(term), "", "")
    if isinstance(term, Literal):
        return (2, str(term), str(term.datatype or ""), term.language or "")
    return (3, str(term), "", "")


def _bnode(term: BNode) -> str:
    if not _BNODE_LABEL.match(str(term)):
        raise SerializationError(f"blank node label {term!s} is not writable")
    return f"_:{term}"


def _literal(term: Literal, datatype: str) -> str:
    """A literal in Turtle / N-Triples syntax; *datatype* is how its datatype IRI is written."""
    body = f'"{escape_string(str(term))}"'
    if term.language:
        return f"{body}@{term.language}"
    if term.datatype and term.datatype != XSD.string:
        return f"{body}^^{datatype}"
    return body


def turtle_term(term: Node, used: set[str]) -> str:
    """One term in Turtle syntax; records the prefixes it used in *used*."""
    if isinstance(term, URIRef):
        split = split_iri(str(term))
        if split is not None:
            used.add(split[0])
            return f"{split[0]}:{split[1]}"
        return f"<{_check_iri(str(term))}>"
    if isinstance(term, BNode):
        return _bnode(term)
    if isinstance(term, Literal):
        datatype = turtle_term(term.datatype, used) if term.datatype else ""
        return _literal(term, datatype)
    raise SerializationError(f"cannot write {term!r}")


def canonical(graph: Graph) -> Graph:
    """*graph* with blank nodes relabelled from their content, so labels never depend on
    the process that parsed it (rdflib labels parsed blank nodes at random)."""
    if not any(isinstance(term, BNode) for triple in graph for term in triple):
        return graph
    result = to_canonical_graph(graph)
    result.namespace_manager = graph.namespace_manager
    return result


def _grouped(graph: Graph) -> dict[Node, dict[Node, list[Node]]]:
    grouped: dict[Node, dict[Node, list[Node]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in canonical(graph):
        grouped[s][p].append(o)
    return grouped


def _predicate_key(predicate: Node) -> tuple[int, tuple[int, str, str, str]]:
    return (0 if predicate == RDF.type else 1, sort_key(predicate))


def _turtle_block(graph: Graph, used: set[str], indent: str = "") -> list[str]:
    lines: list[str] = []
    grouped = _grouped(graph)
    for subject in sorted(grouped, key=sort_key):
        lines.append(indent + turtle_term(subject, used))
        predicates = sorted(grouped[subject], key=_predicate_key)
        for index, predicate in enumerate(predicates):
            verb = "a" if predicate == RDF.type else turtle_term(predicate, used)
            objects = ", ".join(
                turtle_term(obj, used) for obj in sorted(grouped[subject][predicate], key=sort_key)
            )
            end = " ." if index == len(predicates) - 1 else " ;"
            lines.append(f"{indent}    {verb} {objects}{end}")
        lines.append("")
    return lines


def _prefix_lines(used: set[str]) -> list[str]:
    return [f"@prefix {prefix}: <{PREFIXES[prefix]}> ." for prefix in PREFIXES if prefix in used]


def to_turtle(graph: Graph) -> bytes:
    used: set[str] = set()
    body = _turtle_block(graph, used)
    header = _prefix_lines(used)
    return ("\n".join([*header, "", *body]).rstrip("\n") + "\n").encode("utf-8")


def to_trig(graphs: Mapping[URIRef, Graph]) -> bytes:
    used: set[str] = set()
    body: list[str] = []
    for name in sorted(graphs, key=sort_key):
        body.append(f"{turtle_term(name, used)} {{")
        body.extend(_turtle_block(graphs[name], used, indent="    "))
        if body[-1] == "":
            body.pop()
        body.extend(["}", ""])
    header = _prefix_lines(used)
    return ("\n".join([*header, "", *body]).rstrip("\n") + "\n").encode("utf-8")


def nt_term(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<{_check_iri(str(term))}>"
    if isinstance(term, BNode):
        return _bnode(term)
    if isinstance(term, Literal):
        return _literal(term, f"<{term.datatype}>")
    raise SerializationError(f"cannot write {term!r}")


def _nt_lines(graph: Graph, suffix: str = "") -> Iterable[str]:
    for s, p, o in canonical(graph):
        yield f"{nt_term(s)} {nt_term(p)} {nt_term(o)}{suffix} .\n"


def to_ntriples(graph: Graph) -> bytes:
    return "".join(sorted(_nt_lines(graph))).encode("utf-8")


def to_nquads(graphs: Mapping[URIRef, Graph]) -> bytes:
    lines: list[str] = []
    for name, graph in graphs.items():
        lines.extend(_nt_lines(graph, f" {nt_term(name)}"))
    return "".join(sorted(lines)).encode("utf-8")


def to_rdfxml(graph: Graph) -> bytes:
    used: set[str] = {"rdf"}
    elements: list[str] = []
    grouped = _grouped(graph)
    for subject in sorted(grouped, key=sort_key):
        if isinstance(subject, BNode):
            about = f"rdf:nodeID={quoteattr(str(subject))}"
        else:
            about = f"rdf:about={quoteattr(_check_iri(str(subject)))}"
        elements.append(f"  <rdf:Description {about}>")
        for predicate in sorted(grouped[subject], key=_predicate_key):
            split = split_iri(str(predicate))
            if split is None:
                raise SerializationError(f"predicate {predicate} has no XML QName")
            used.add(split[0])
            name = f"{split[0]}:{split[1]}"
            for obj in sorted(grouped[subject][predicate], key=sort_key):
                elements.append("    " + _rdfxml_property(name, obj))
        elements.append("  </rdf:Description>")
    namespaces = "".join(
        f"\n    xmlns:{prefix}={quoteattr(PREFIXES[prefix])}"
        for prefix in PREFIXES
        if prefix in used
    )
    text = '<?xml version="1.0" encoding="utf-8"?>\n'
    text += f"<rdf:RDF{namespaces}>\n" + "\n".join(elements) + "\n</rdf:RDF>\n"
    return text.encode("utf-8")


def _rdfxml_property(name: str, obj: Node) -> str:
    if isinstance(obj, URIRef):
        return f"<{name} rdf:resource={quoteattr(_check_iri(str(obj)))}/>"
    if isinstance(obj, BNode):
        return f"<{name} rdf:nodeID={quoteattr(str(obj))}/>"
    if isinstance(obj, Literal):
        if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", str(obj)):
            raise SerializationError(f"literal {obj!r} cannot be written in XML 1.0")
        attributes = ""
        if obj.language:
            attributes = f" xml:lang={quoteattr(obj.language)}"
        elif obj.datatype and obj.datatype != XSD.string:
            attributes = f" rdf:datatype={quoteattr(str(obj.datatype))}"
        # XML parsers turn a raw CR into LF, so it travels as a character reference.
        return f"<{name}{attributes}>{escape(str(obj), {chr(13): '&#13;'})}</{name}>"
    raise SerializationError(f"cannot write {obj!r}")


def jsonld_context() -> dict[str, object]:
    """The ``@context`` published beside every JSON-LD file (prefixes only)."""
    return {"@context": dict(PREFIXES)}


def jsonld_key(iri: str) -> str:
    """A JSON-LD key or type for *iri*: a compact IRI if a prefix fits, else the IRI."""
    split = split_iri(iri)
    return f"{split[0]}:{split[1]}" if split else iri


def _jsonld_value(term: Node) -> object:
    if isinstance(term, URIRef):
        return {"@id": _check_iri(str(term))}
    if isinstance(term, BNode):
        return {"@id": f"_:{term}"}
    if isinstance(term, Literal):
        if term.language:
            return {"@value": str(term), "@language": term.language}
        if term.datatype and term.datatype != XSD.string:
            return {"@value": str(term), "@type": jsonld_key(str(term.datatype))}
        return str(term)
    raise SerializationError(f"cannot write {term!r}")


def jsonld_nodes(graph: Graph) -> list[dict[str, object]]:
    """Node objects sorted by ``@id``, values sorted, keys compacted with the prefixes."""
    nodes: list[dict[str, object]] = []
    grouped = _grouped(graph)
    for subject in sorted(grouped, key=sort_key):
        node: dict[str, object] = {
            "@id": f"_:{subject}" if isinstance(subject, BNode) else _check_iri(str(subject))
        }
        for predicate in sorted(grouped[subject], key=_predicate_key):
            objects = sorted(grouped[subject][predicate], key=sort_key)
            if predicate == RDF.type:
                node["@type"] = [jsonld_key(str(obj)) for obj in objects]
            else:
                node[jsonld_key(str(predicate))] = [_jsonld_value(obj) for obj in objects]
        nodes.append(node)
    return nodes


def dump_json(value: object) -> bytes:
    """Deterministic JSON: sorted keys, two-space indent, UTF-8, final newline."""
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def to_jsonld(graph: Graph, context: str | None = "context.jsonld") -> bytes:
    """JSON-LD whose ``@context`` is a reference to the published context file (relative,
    so no consumer ever fetches a remote context), or, with ``None``, the context inlined.
    Either way it is the full prefix table, the only one keys are compacted with."""
    document = {
        "@context": jsonld_context()["@context"] if context is None else context,
        "@graph": jsonld_nodes(graph),
    }
    return dump_json(document)


def serialize(graph: Graph, fmt: str, *, context: str | None = None) -> bytes:
    """*graph* as bytes in the format named *fmt* (a name from :mod:`formats`)."""
    if fmt == "turtle":
        return to_turtle(graph)
    if fmt == "ntriples":
        return to_ntriples(graph)
    if fmt == "rdfxml":
        return to_rdfxml(graph)
    if fmt == "jsonld":
        return to_jsonld(graph, context)
    if fmt == "nquads":
        # A graph in N-Quads is its triples in the default graph: N-Triples lines.
        return to_ntriples(graph)
    if fmt == "trig":
        # Turtle is valid TriG for the default graph.
        return to_turtle(graph)
    raise SerializationError(f"unknown format {fmt!r}")


def serialize_dataset(graphs: Mapping[URIRef, Graph], fmt: str) -> bytes:
    """Named graphs as TriG or N-Quads."""
    if fmt == "trig":
        return to_trig(graphs)
    if fmt == "nquads":
        return to_nquads(graphs)
    raise SerializationError(f"{fmt!r} is not a quad format")


def as_dataset(graphs: Mapping[URIRef, Graph]) -> Dataset:
    dataset = Dataset()
    for name, graph in graphs.items():
        target = dataset.graph(name)
        for triple in graph:
            target.add(triple)
    return dataset
