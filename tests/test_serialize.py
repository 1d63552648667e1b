"""The deterministic writers write valid RDF for awkward literals and refuse what they cannot."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from smartcity_graph.graph.serialize import (
    SerializationError,
    serialize,
    serialize_dataset,
    to_jsonld,
)
from smartcity_graph.namespaces import SCHEMA, XSD

SUBJECT = URIRef("https://w3id.org/smartcity-graph/id/city/milan")
FORMATS = {"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml", "jsonld": "json-ld"}

# XML 1.0 cannot carry most control characters, so the generated text avoids them;
# RDF/XML refusing them is tested separately.
text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
    max_size=40,
) | st.sampled_from(['quote " and \\ backslash', "line\nbreak\ttab\r", "İmamoğlu \u2013 “curly”"])


def round_trip(graph: Graph, fmt: str) -> Graph:
    data = serialize(graph, fmt)  # JSON-LD with its context inlined
    return Graph().parse(data=data, format=FORMATS[fmt])


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@settings(max_examples=40, deadline=None)
@given(value=text)
def test_any_string_literal_round_trips(fmt: str, value: str) -> None:
    graph = Graph()
    graph.add((SUBJECT, SCHEMA.name, Literal(value, lang="en")))
    graph.add((SUBJECT, SCHEMA.alternateName, Literal(value)))
    assert isomorphic(round_trip(graph, fmt), graph)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_typed_literals_and_blank_nodes_round_trip(fmt: str) -> None:
    graph = Graph()
    node = BNode("geo1")
    graph.add((SUBJECT, SCHEMA.geo, node))
    graph.add((node, SCHEMA.latitude, Literal("45.46427", datatype=XSD.decimal)))
    graph.add((node, SCHEMA.position, Literal(3)))
    graph.add((node, SCHEMA.startDate, Literal("2020-11-17", datatype=XSD.date)))
    graph.add((node, SCHEMA.url, URIRef("http://example.org/ünïcode")))
    assert isomorphic(round_trip(graph, fmt), graph)


def test_blank_node_labels_do_not_depend_on_how_they_were_created() -> None:
    def graph_with(label: str) -> Graph:
        graph = Graph()
        graph.add((SUBJECT, SCHEMA.geo, BNode(label)))
        graph.add((BNode(label), SCHEMA.latitude, Literal("1.0", datatype=XSD.decimal)))
        return graph

    for fmt in FORMATS:
        assert serialize(graph_with("a1"), fmt) == serialize(graph_with("zz9"), fmt)


def test_rdfxml_refuses_a_control_character_it_cannot_carry() -> None:
    graph = Graph()
    graph.add((SUBJECT, SCHEMA.name, Literal("bell\x07")))
    with pytest.raises(SerializationError):
        serialize(graph, "rdfxml")


def test_an_iri_with_a_space_is_refused_not_written() -> None:
    graph = Graph()
    graph.add((SUBJECT, SCHEMA.url, URIRef("http://example.org/a b")))
    for fmt in FORMATS:
        with pytest.raises(SerializationError):
            serialize(graph, fmt)


def test_rdfxml_refuses_a_predicate_without_a_qname() -> None:
    graph = Graph()
    graph.add((SUBJECT, URIRef("http://example.org/p/"), Literal("x")))
    with pytest.raises(SerializationError):
        serialize(graph, "rdfxml")


def test_output_order_is_independent_of_insertion_order() -> None:
    triples = [(SUBJECT, SCHEMA.name, Literal(f"n{i}")) for i in range(30)]
    forward, backward = Graph(), Graph()
    for triple in triples:
        forward.add(triple)
    for triple in reversed(triples):
        backward.add(triple)
    for fmt in FORMATS:
        assert serialize(forward, fmt) == serialize(backward, fmt)


def test_named_graphs_round_trip_in_trig_and_nquads() -> None:
    one, two = Graph(), Graph()
    one.add((SUBJECT, SCHEMA.name, Literal("Milan", lang="en")))
    two.add((SUBJECT, SCHEMA.name, Literal("Milano", lang="it")))
    names = {URIRef("urn:x:one"): one, URIRef("urn:x:two"): two}
    for fmt, parser in (("trig", "trig"), ("nquads", "nquads")):
        dataset = Dataset()
        dataset.parse(data=serialize_dataset(names, fmt), format=parser)
        for name, graph in names.items():
            assert isomorphic(dataset.graph(name), graph)


def test_jsonld_names_its_context_relatively_by_default() -> None:
    graph = Graph()
    graph.add((SUBJECT, SCHEMA.name, Literal("Milan")))
    assert b'"@context": "context.jsonld"' in to_jsonld(graph)
