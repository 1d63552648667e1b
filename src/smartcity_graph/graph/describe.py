"""The view of one resource for HTML pages and conneg (pure: graphs in, values out).

The web layer asks the engine for the resource's triples, its incoming links and
the labels of everything they mention; this module turns them into a
:class:`ResourceView` with human labels instead of raw IRIs, the resource's
Wikidata links and sources, and a schema.org JSON-LD object for search engines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .. import iris
from ..namespaces import OWL, PROV, RDF, RDFS, SCHEMA, SKOS
from .serialize import sort_key, split_iri

LABEL_PREDICATES = (RDFS.label, SKOS.prefLabel, SCHEMA.name)
#: Shown first, in this order, when present.
LEADING = (RDF.type, RDFS.label, SCHEMA.name, SKOS.prefLabel, RDFS.comment)


@dataclass(frozen=True)
class Value:
    text: str
    href: str | None = None
    iri: str | None = None
    note: str = ""
    """Language tag or datatype, shown small beside a literal."""


@dataclass(frozen=True)
class PropertyView:
    label: str
    iri: str
    href: str | None
    values: tuple[Value, ...]


@dataclass(frozen=True)
class ResourceView:
    iri: str
    label: str
    types: tuple[Value, ...]
    properties: tuple[PropertyView, ...]
    incoming: tuple[tuple[Value, Value], ...]
    wikidata: tuple[Value, ...]
    sources: tuple[Value, ...]
    schema_jsonld: str
    parts: tuple[ResourceView, ...] = field(default_factory=tuple)
    """Hash-IRI resources described with this one (e.g. partitions of the dataset)."""


def curie(iri: str) -> str:
    split = split_iri(iri)
    return f"{split[0]}:{split[1]}" if split else iri


def best_label(graph: Graph, node: Node) -> str | None:
    """An English (or untagged) label of *node* in *graph*, preferring rdfs:label."""
    for predicate in LABEL_PREDICATES:
        labels = [o for o in graph.objects(node, predicate) if isinstance(o, Literal)]
        for literal in sorted(labels, key=lambda lit: (lit.language not in ("en", None), str(lit))):
            return str(literal)
    return None


def safe_href(url: str) -> str | None:
    """Only http(s) links are followed from a page; any other scheme (javascript:, data:,
    file:) is shown as text, never as a link."""
    return url if re.match(r"^https?://", url, re.IGNORECASE) else None


def _value(node: Node, labels: Mapping[str, str], href: Callable[[str], str]) -> Value:
    if isinstance(node, URIRef):
        text = labels.get(str(node)) or curie(str(node))
        return Value(text=text, href=safe_href(href(str(node))), iri=str(node))
    if isinstance(node, BNode):
        return Value(text="(blank node)")
    assert isinstance(node, Literal)
    note = node.language or (curie(str(node.datatype)) if node.datatype else "")
    return Value(text=str(node), note=note if note != "xsd:string" else "")


def _property(
    predicate: URIRef,
    objects: Sequence[Node],
    labels: Mapping[str, str],
    href: Callable[[str], str],
) -> PropertyView:
    return PropertyView(
        label=labels.get(str(predicate)) or curie(str(predicate)),
        iri=str(predicate),
        href=safe_href(href(str(predicate))),
        values=tuple(_value(o, labels, href) for o in sorted(objects, key=sort_key)),
    )


def _properties(
    graph: Graph, subject: URIRef, labels: Mapping[str, str], href: Callable[[str], str]
) -> tuple[PropertyView, ...]:
    predicates = sorted(
        {p for p in graph.predicates(subject) if isinstance(p, URIRef) and p != RDF.type},
        key=lambda p: (LEADING.index(p) if p in LEADING else len(LEADING), curie(str(p))),
    )
    return tuple(_property(p, list(graph.objects(subject, p)), labels, href) for p in predicates)


def schema_org_jsonld(graph: Graph, subject: URIRef) -> str:
    """The schema.org part of the description as JSON-LD, safe to embed in a <script>.

    The context is inlined (``@vocab``), so no consumer needs the network.
    """
    vocab = str(SCHEMA)
    node: dict[str, object] = {"@context": {"@vocab": vocab}, "@id": str(subject)}
    types = sorted(
        str(t)[len(vocab) :] for t in graph.objects(subject, RDF.type) if str(t).startswith(vocab)
    )
    if types:
        node["@type"] = types
    for predicate in sorted(
        {str(p) for p in graph.predicates(subject) if str(p).startswith(vocab)}
    ):
        values: list[object] = []
        for obj in sorted(graph.objects(subject, URIRef(predicate)), key=sort_key):
            if isinstance(obj, URIRef):
                values.append({"@id": str(obj)})
            elif isinstance(obj, Literal):
                if obj.language:
                    values.append({"@value": str(obj), "@language": obj.language})
                else:
                    values.append(str(obj))
        node[predicate[len(vocab) :]] = values[0] if len(values) == 1 else values
    text = json.dumps(node, ensure_ascii=False, sort_keys=True, indent=1)
    # Nothing in the data can close the <script> element or open a comment.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def resource_view(
    iri: str,
    graph: Graph,
    incoming: Sequence[tuple[str, str]],
    labels: Mapping[str, str],
    href: Callable[[str], str],
) -> ResourceView:
    """Everything an HTML page shows about *iri*.

    *graph* holds the resource's own triples (and those of its hash-IRI parts);
    *incoming* is ``(subject, predicate)`` pairs pointing at it; *labels* maps
    IRIs to human labels; *href* maps an IRI to the link a reader should follow.
    """
    subject = URIRef(iri)
    label = best_label(graph, subject) or labels.get(iri) or curie(iri)
    types = tuple(
        _value(t, labels, href) for t in sorted(graph.objects(subject, RDF.type), key=sort_key)
    )
    wikidata = tuple(
        _value(o, labels, href)
        for o in sorted(graph.objects(subject, OWL.sameAs), key=sort_key)
        if str(o).startswith(iris.WIKIDATA_ENTITY)
    )
    sources = tuple(
        _value(o, labels, href)
        for o in sorted(graph.objects(subject, PROV.wasDerivedFrom), key=sort_key)
    )
    parts = tuple(
        ResourceView(
            iri=str(part),
            label=best_label(graph, part) or curie(str(part)).rsplit("#", 1)[-1],
            types=tuple(
                _value(t, labels, href) for t in sorted(graph.objects(part, RDF.type), key=sort_key)
            ),
            properties=_properties(graph, part, labels, href),
            incoming=(),
            wikidata=(),
            sources=(),
            schema_jsonld="",
        )
        for part in sorted(
            {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(iri + "#")},
            key=str,
        )
    )
    return ResourceView(
        iri=iri,
        label=label,
        types=types,
        properties=_properties(graph, subject, labels, href),
        incoming=tuple(
            (_value(URIRef(s), labels, href), _value(URIRef(p), labels, href))
            for s, p in sorted(incoming)
        ),
        wikidata=wikidata,
        sources=sources,
        schema_jsonld=schema_org_jsonld(graph, subject),
        parts=parts,
    )
