"""Views of the same resource for different consumers (W3C Content Negotiation by Profile).

One table of profiles; each has a token (for ``_profile=``), a permanent IRI (for
``Accept-Profile``/``Content-Profile``), a description (published with the W3C Profiles
Vocabulary in the dataset description) and a pure transform from the full description of a
resource to the view.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from .. import iris
from ..namespaces import (
    DCTERMS,
    FOAF,
    GEO,
    GSP,
    OWL,
    PROF,
    PROV,
    RDF,
    RDFS,
    SCG,
    SCHEMA,
    SKOS,
    WDT,
    XSD,
)

#: The alternates view of the W3C conneg-by-profile specification.
ALTERNATES = URIRef("http://www.w3.org/ns/dx/conneg/altr")


@dataclass(frozen=True)
class Profile:
    token: str
    iri: URIRef
    title: str
    description: str
    transform: Callable[[Graph, Mapping[Node, Node]], Graph]
    """(description, verified Wikidata items of the resources it mentions) -> view."""
    topic: URIRef | None = FOAF.primaryTopic
    """How a document in this view names the thing it is about (None: it does not)."""


def _full(graph: Graph, items: Mapping[Node, Node]) -> Graph:
    return graph


#: Terms of other vocabularies with a schema.org equivalent, used by the schema.org view.
SCHEMA_EQUIVALENTS: dict[Node, URIRef] = {
    SKOS.prefLabel: SCHEMA.name,
    SKOS.definition: SCHEMA.description,
    SKOS.inScheme: SCHEMA.inDefinedTermSet,
    SKOS.notation: SCHEMA.termCode,
    PROV.wasDerivedFrom: SCHEMA.isBasedOn,
    DCTERMS.title: SCHEMA.name,
    DCTERMS.description: SCHEMA.description,
}
SCHEMA_CLASSES: dict[Node, URIRef] = {
    SKOS.Concept: SCHEMA.DefinedTerm,
    SKOS.ConceptScheme: SCHEMA.DefinedTermSet,
}


def _schema_org(graph: Graph, items: Mapping[Node, Node]) -> Graph:
    """Only schema.org: its own terms, plus the schema.org equivalents of SKOS, PROV and
    DCTERMS terms; a resource with no schema.org type is a schema:Thing named by its label."""
    view = Graph()
    vocab = str(SCHEMA)
    for s, p, o in graph:
        if str(p).startswith(vocab) or (p == RDF.type and str(o).startswith(vocab)):
            view.add((s, p, o))
        elif p == RDF.type and o in SCHEMA_CLASSES:
            view.add((s, RDF.type, SCHEMA_CLASSES[o]))
        elif p in SCHEMA_EQUIVALENTS:
            view.add((s, SCHEMA_EQUIVALENTS[p], o))
    for subject in set(graph.subjects()):
        if (subject, RDF.type, None) not in view:
            view.add((subject, RDF.type, SCHEMA.Thing))
        if (subject, SCHEMA.name, None) not in view:
            for label in graph.objects(subject, RDFS.label):
                view.add((subject, SCHEMA.name, label))
    return view


#: Our predicate -> the Wikidata property that says the same (direct claims, ``wdt:``).
WIKIDATA_PROPERTIES: dict[Node, URIRef] = {
    SCHEMA.containedInPlace: WDT.P17,  # country
    SCG.continent: WDT.P30,  # continent
    SCG.iso3166Alpha2: WDT.P297,  # ISO 3166-1 alpha-2 code
    SCG.iso3166Alpha3: WDT.P298,  # ISO 3166-1 alpha-3 code
    SCG.geonamesId: WDT.P1566,  # GeoNames ID
    SCHEMA.url: WDT.P856,  # official website
    SCHEMA.areaServed: WDT.P2541,  # operating area
    SCHEMA.parentOrganization: WDT.P749,  # parent organization
    SCHEMA.affiliation: WDT.P1416,  # affiliation
    SCHEMA.text: WDT.P1683,  # quotation
    SCHEMA.datePublished: WDT.P577,  # publication date
}


def _wikidata(graph: Graph, linked: Mapping[Node, Node]) -> Graph:
    """Our facts as Wikidata direct claims, about our IRIs (each linked to its item).

    Objects that have a verified Wikidata item (in *linked* or in the graph itself) are
    given as that item; coordinates become one P625 WKT point (longitude first, as
    Wikidata's RDF does).
    """
    view = Graph()
    items: dict[Node, Node] = dict(linked)
    items.update(graph.subject_objects(OWL.sameAs))
    for s, p, o in graph:
        if p in (RDFS.label, OWL.sameAs):
            view.add((s, p, o))
        elif isinstance(p, URIRef) and p in WIKIDATA_PROPERTIES:
            view.add((s, WIKIDATA_PROPERTIES[p], items.get(o, o)))
    # A spoken quote has a speaker, not an author (P50): Wikidata states a quotation on the
    # item of the person it is attributed to (P1683 on the speaker).
    for quote, speaker in graph.subject_objects(SCHEMA.spokenByCharacter):
        for text in graph.objects(quote, SCHEMA.text):
            view.add((speaker, WDT.P1683, text))
    for subject in set(graph.subjects(GEO.lat)):
        lat, lon = graph.value(subject, GEO.lat), graph.value(subject, GEO.long)
        if lat is not None and lon is not None:
            point = Literal(f"Point({lon} {lat})", datatype=GSP.wktLiteral)
            view.add((subject, WDT.P625, point))
    return view


PROFILES: tuple[Profile, ...] = (
    Profile(
        "full",
        iris.mint("profile", "full"),
        "Full view (smartcity-graph ontology)",
        "Every fact the graph holds about the resource, in the project's ontology (schema.org, "
        "FOAF, ORG, PROV, SKOS and the scg: terms), with its sources. The default.",
        _full,
    ),
    Profile(
        "schema",
        iris.mint("profile", "schema-org"),
        "schema.org view",
        "Only schema.org types and properties, for search engines and schema.org tooling: "
        "SKOS concepts as schema:DefinedTerm, sources as schema:isBasedOn.",
        _schema_org,
        SCHEMA.mainEntity,
    ),
    Profile(
        "wikidata",
        iris.mint("profile", "wikidata"),
        "Wikidata-aligned view",
        "The graph's facts as Wikidata direct properties (wdt:P17 country, wdt:P625 "
        "coordinates, wdt:P297/P298 ISO codes, wdt:P1566 GeoNames ID, ...), with verified "
        "Wikidata items in place of our IRIs where they exist, for integrators.",
        _wikidata,
        None,
    ),
)
DEFAULT = PROFILES[0]
BY_TOKEN = {p.token: p for p in PROFILES}
BY_IRI = {str(p.iri): p for p in PROFILES}


def find(name: str) -> Profile | None:
    """A profile by token or by IRI (with or without angle brackets)."""
    name = name.strip().strip("<>")
    return BY_TOKEN.get(name) or BY_IRI.get(name)


def parse_accept_profile(header: str | None) -> list[tuple[str, float]]:
    """``Accept-Profile: <iri>;q=0.5, <iri2>`` -> [(iri, q)], most wanted first."""
    if not header:
        return []
    wanted = []
    for position, part in enumerate(header.split(",")):
        pieces = [piece.strip() for piece in part.split(";")]
        if not pieces[0]:
            continue
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        wanted.append((pieces[0].strip("<>"), q, position))
    wanted.sort(key=lambda item: (-item[1], item[2]))
    return [(iri, q) for iri, q, _ in wanted if q > 0]


def choose(param: str | None, header: str | None) -> Profile | None:
    """The profile asked for: ``_profile`` wins over ``Accept-Profile``; the default if neither
    is given or none of the requested profiles is offered. ``None`` means ``_profile=alt``."""
    if param:
        if param.strip() == "alt":
            return None
        return find(param) or DEFAULT
    for iri, _ in parse_accept_profile(header):
        if iri == str(ALTERNATES):
            return None
        found = find(iri)
        if found is not None:
            return found
    return DEFAULT


def describe_profiles(graph: Graph, media_types: Sequence[str]) -> None:
    """Add each profile, as a ``prof:Profile`` with its token and formats, to *graph*."""
    for profile in PROFILES:
        p = profile.iri
        graph.add((p, RDF.type, PROF.Profile))
        graph.add((p, RDFS.label, Literal(profile.title, lang="en")))
        graph.add((p, DCTERMS.title, Literal(profile.title, lang="en")))
        graph.add((p, DCTERMS.description, Literal(profile.description, lang="en")))
        graph.add((p, PROF.hasToken, Literal(profile.token, datatype=XSD.token)))
        for media in media_types:
            graph.add((p, DCTERMS["format"], Literal(media)))
    graph.add((BY_TOKEN["schema"].iri, PROF.isProfileOf, URIRef("https://schema.org/")))
