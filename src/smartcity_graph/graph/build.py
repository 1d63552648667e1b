"""Records -> rdflib Graph. Pure: no I/O, no clock, no randomness.

Vocabulary choices (the ontology documents each minted term):
places are ``schema:City``/``schema:Country``/``schema:Continent`` with WGS84
``geo:lat``/``geo:long``; organisations are ``schema:Organization``,
``foaf:Organization`` and ``org:Organization``; people ``schema:Person`` and
``foaf:Person``; quotes ``schema:Quotation`` (speaker = ``schema:creator``);
policy areas, text fidelity and confirmation status are SKOS concepts; every
resource points to its sources with ``prov:wasDerivedFrom``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from .. import iris
from ..errors import Location
from ..namespaces import (
    DCTERMS,
    FOAF,
    GEO,
    ORG,
    OWL,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SCG,
    SCHEMA,
    SKOS,
    XSD,
)
from .model import (
    KINDS,
    City,
    Commitment,
    ConceptScheme,
    Continent,
    Country,
    Event,
    Organisation,
    Person,
    Place,
    Quote,
    Records,
    Roadmap,
    Source,
    WikidataLink,
    records_of,
)

SOURCE_TYPES: dict[str, tuple[URIRef, ...]] = {
    "press-release": (SCHEMA.NewsArticle,),
    "news-article": (SCHEMA.NewsArticle,),
    "web-page": (SCHEMA.WebPage,),
    "dataset": (SCHEMA.Dataset,),
    "software-package": (SCHEMA.SoftwareSourceCode,),
    "report": (SCHEMA.Report,),
}
ORGANISATION_TYPES: dict[str, tuple[URIRef, ...]] = {
    "company": (SCHEMA.Corporation,),
    "city-government": (SCHEMA.GovernmentOrganization,),
    "national-government-office": (SCHEMA.GovernmentOrganization,),
    "regional-government": (SCHEMA.GovernmentOrganization,),
}
#: Which IRI kind the concepts of each concept-scheme kind are minted under.
SCHEME_KINDS = ("policy-area", "text-fidelity", "confirmation-status")


def new_graph() -> Graph:
    """An empty graph bound to the project's fixed prefixes."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def en(text: str) -> Literal:
    return Literal(text, lang="en")


def date(value: dt.date) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.date)


class _Builder:
    def __init__(self, records: Records) -> None:
        self.records = records
        self.graph = new_graph()
        self.organisations = {org.id for org in records.organisations}
        self.cities = {city.id: city for city in records.cities}
        self.people = {person.id: person for person in records.people}

    def add(self, subject: URIRef, predicate: URIRef, obj: Node | None) -> None:
        if obj is not None:
            self.graph.add((subject, predicate, obj))

    def label(self, subject: URIRef, text: str, *, lang: bool = True) -> None:
        literal = en(text) if lang else Literal(text)
        self.add(subject, RDFS.label, literal)
        self.add(subject, SCHEMA.name, literal)

    def types(self, subject: URIRef, *classes: URIRef) -> None:
        for cls in classes:
            self.add(subject, RDF.type, cls)

    def sources(self, subject: URIRef, sources: Iterable[str]) -> None:
        for source in sources:
            self.add(subject, PROV.wasDerivedFrom, iris.mint("source", source))

    def wikidata(self, subject: URIRef, link: WikidataLink | None) -> None:
        """Verified links become sameAs; unverified ones stay a clearly named candidate."""
        if link is None:
            return
        item = iris.wikidata(link.qid)
        if link.status == "verified":
            self.add(subject, OWL.sameAs, item)
            self.add(subject, SCHEMA.sameAs, item)
            if link.source:
                self.add(subject, SCG.wikidataLinkSource, iris.mint("source", link.source))
        else:
            self.add(subject, SCG.unverifiedWikidataCandidate, item)

    # -- one method per kind --------------------------------------------------------------

    def source(self, source: Source) -> None:
        s = iris.mint("source", source.id)
        self.types(s, PROV.Entity, SCHEMA.CreativeWork, *SOURCE_TYPES[source.kind])
        self.label(s, source.title)
        self.add(s, DCTERMS.title, en(source.title))
        if source.url:
            self.add(s, SCHEMA.url, URIRef(source.url))
        if source.archived_url:
            self.add(s, SCHEMA.archivedAt, URIRef(source.archived_url))
        if source.publisher in self.organisations:
            publisher = iris.mint("organisation", source.publisher)
            self.add(s, SCHEMA.publisher, publisher)
            self.add(s, DCTERMS.publisher, publisher)
        else:
            self.add(s, SCHEMA.publisher, Literal(source.publisher))
        if source.date:
            self.add(s, SCHEMA.datePublished, date(source.date))
            self.add(s, DCTERMS.issued, date(source.date))
        if source.place:
            self.add(s, SCHEMA.locationCreated, iris.mint("place", source.place))
        self.add(s, SCHEMA.inLanguage, Literal(source.language))
        if source.note:
            self.add(s, RDFS.comment, en(source.note))

    def place(self, place: Place) -> None:
        s = iris.mint("place", place.id)
        self.types(s, SCHEMA.Place)
        self.label(s, place.name)
        self.wikidata(s, place.wikidata)
        self.sources(s, place.sources)

    def continent(self, continent: Continent) -> None:
        s = iris.mint("continent", continent.id)
        self.types(s, SCHEMA.Continent, SCHEMA.Place)
        self.label(s, continent.name)
        self.wikidata(s, continent.wikidata)
        self.sources(s, continent.sources)

    def country(self, country: Country) -> None:
        s = iris.mint("country", country.id)
        self.types(s, SCHEMA.Country, SCHEMA.Place)
        self.label(s, country.name)
        if country.name_in_release and country.name_in_release != country.name:
            self.add(s, SCG.nameInRelease, en(country.name_in_release))
        self.add(s, SCG.iso3166Alpha2, Literal(country.iso2))
        self.add(s, SCG.iso3166Alpha3, Literal(country.iso3))
        self.wikidata(s, country.wikidata)
        self.sources(s, country.sources)

    def city(self, city: City) -> None:
        s = iris.mint("city", city.id)
        self.types(s, SCHEMA.City, SCHEMA.Place)
        self.label(s, city.name)
        self.add(s, SCG.nameInRelease, en(city.name_in_release))
        for name in city.alternate_names:
            # Other languages and spellings, whose language is not recorded: plain literals.
            self.add(s, SCHEMA.alternateName, Literal(name))
        self.add(s, SCHEMA.containedInPlace, iris.mint("country", city.country))
        self.add(s, SCG.continent, iris.mint("continent", city.continent))
        self.add(s, GEO.lat, Literal(city.latitude, datatype=XSD.decimal))
        self.add(s, GEO.long, Literal(city.longitude, datatype=XSD.decimal))
        self.add(s, SCG.geonamesId, Literal(str(city.geonames_id)))
        self.add(s, SCHEMA.sameAs, iris.geonames(city.geonames_id))
        self.add(s, SCG.confirmationStatus, iris.mint("confirmation-status", city.confirmation))
        self.wikidata(s, city.wikidata)
        self.sources(s, (*city.sources, city.location_source))
        if city.note:
            self.add(s, RDFS.comment, en(city.note))

    def organisation(self, org: Organisation) -> None:
        s = iris.mint("organisation", org.id)
        self.types(
            s,
            SCHEMA.Organization,
            FOAF.Organization,
            ORG.Organization,
            *ORGANISATION_TYPES.get(org.kind, ()),
        )
        self.label(s, org.name)
        for name in org.alternate_names:
            self.add(s, SCHEMA.alternateName, Literal(name))
        if org.url:
            self.add(s, SCHEMA.url, URIRef(org.url))
        if org.area_served:
            kind = "city" if org.area_served in self.cities else "country"
            self.add(s, SCHEMA.areaServed, iris.mint(kind, org.area_served))
        if org.parent:
            parent = iris.mint("organisation", org.parent)
            self.add(s, SCHEMA.parentOrganization, parent)
            self.add(s, ORG.subOrganizationOf, parent)
        if org.hosted_by:
            self.add(s, SCG.hostedBy, iris.mint("organisation", org.hosted_by))
        self.wikidata(s, org.wikidata)
        self.sources(s, org.sources)
        if org.note:
            self.add(s, RDFS.comment, en(org.note))

    def person(self, person: Person) -> None:
        s = iris.mint("person", person.id)
        self.types(s, SCHEMA.Person, FOAF.Person)
        self.label(s, person.name, lang=False)
        self.add(s, FOAF.name, Literal(person.name))
        if person.honorific:
            self.add(s, SCHEMA.honorificPrefix, Literal(person.honorific))
        self.add(s, SCHEMA.jobTitle, en(person.role_as_written))
        affiliation = iris.mint("organisation", person.affiliation)
        self.add(s, SCHEMA.affiliation, affiliation)
        self.add(s, ORG.memberOf, affiliation)
        self.wikidata(s, person.wikidata)
        self.sources(s, person.sources)

    def quote(self, quote: Quote) -> None:
        s = iris.mint("quote", quote.id)
        self.types(s, SCHEMA.Quotation, PROV.Entity)
        speaker = self.people[quote.speaker]
        self.add(s, RDFS.label, en(f"Quote by {speaker.name}, {quote.date.isoformat()}"))
        self.add(s, SCHEMA.text, en(quote.text))
        self.add(s, SCHEMA.creator, iris.mint("person", quote.speaker))
        self.add(s, SCHEMA.datePublished, date(quote.date))
        self.add(s, SCHEMA.position, Literal(quote.position))
        self.add(s, SCG.textFidelity, iris.mint("text-fidelity", quote.fidelity))
        for source in quote.sources:
            self.add(s, SCHEMA.isPartOf, iris.mint("source", source))
            self.add(s, PROV.wasQuotedFrom, iris.mint("source", source))
        for source in quote.repair_sources:
            self.add(s, SCG.repairedFrom, iris.mint("source", source))
        for defect in quote.seed_defects:
            self.add(s, SCG.seedDefect, en(defect))
        self.sources(s, (*quote.sources, *quote.repair_sources))
        if quote.note:
            self.add(s, RDFS.comment, en(quote.note))

    def concept_scheme(self, scheme: ConceptScheme) -> None:
        s = iris.mint("concept-scheme", scheme.id)
        self.types(s, SKOS.ConceptScheme)
        self.add(s, RDFS.label, en(scheme.title))
        self.add(s, SKOS.prefLabel, en(scheme.title))
        self.add(s, DCTERMS.title, en(scheme.title))
        self.add(s, DCTERMS.description, en(scheme.description))
        self.sources(s, scheme.sources)
        for concept in scheme.concepts:
            c = iris.mint(scheme.kind, concept.id)
            self.types(c, SKOS.Concept)
            self.add(c, RDFS.label, en(concept.label))
            self.add(c, SKOS.prefLabel, en(concept.label))
            self.add(c, SKOS.definition, en(concept.definition))
            if concept.notation:
                self.add(c, SKOS.notation, Literal(concept.notation))
            if concept.wording_in_release:
                self.add(c, SCG.wordingInRelease, en(concept.wording_in_release))
            self.add(c, SKOS.inScheme, s)
            self.add(c, SKOS.topConceptOf, s)
            self.add(s, SKOS.hasTopConcept, c)
            self.sources(c, scheme.sources)

    def roadmap(self, roadmap: Roadmap) -> None:
        s = iris.mint("roadmap", roadmap.id)
        self.types(s, SCG.PolicyRoadmap, SCHEMA.CreativeWork, PROV.Entity)
        self.label(s, roadmap.name)
        self.add(s, SCHEMA.description, en(roadmap.description))
        self.add(s, SCHEMA.author, iris.mint("organisation", roadmap.author))
        for area in roadmap.policy_areas:
            self.add(s, SCG.policyArea, iris.mint("policy-area", area))
        if roadmap.url:
            self.add(s, SCHEMA.url, URIRef(roadmap.url))
        self.sources(s, roadmap.sources)

    def event(self, event: Event) -> None:
        s = iris.mint("event", event.id)
        self.types(s, SCHEMA.Event)
        self.label(s, event.name)
        if event.description:
            self.add(s, SCHEMA.description, en(event.description))
        self.add(s, SCHEMA.startDate, date(event.start_date))
        if event.end_date:
            self.add(s, SCHEMA.endDate, date(event.end_date))
        if event.organiser:
            self.add(s, SCHEMA.organizer, iris.mint("organisation", event.organiser))
        if event.super_event:
            self.add(s, SCHEMA.superEvent, iris.mint("event", event.super_event))
        if event.url:
            self.add(s, SCHEMA.url, URIRef(event.url))
        self.sources(s, event.sources)

    def commitment(self, commitment: Commitment) -> None:
        s = iris.mint("commitment", commitment.id)
        self.types(s, SCG.RoadmapCommitment, PROV.Entity)
        city = self.cities[commitment.city]
        self.add(s, RDFS.label, en(f"{city.name}'s commitment to adopt the policy roadmap"))
        self.add(s, SCG.committedCity, iris.mint("city", commitment.city))
        self.add(s, SCG.roadmap, iris.mint("roadmap", commitment.roadmap))
        for area in commitment.policy_areas:
            self.add(s, SCG.policyArea, iris.mint("policy-area", area))
        self.add(s, DCTERMS.date, date(commitment.announced))
        if commitment.event:
            self.add(s, SCG.announcedAt, iris.mint("event", commitment.event))
        self.add(
            s, SCG.confirmationStatus, iris.mint("confirmation-status", commitment.confirmation)
        )
        self.sources(s, commitment.sources)


#: The builder of each kind of record (``model.KINDS``), by its field of ``Records``.
BUILDERS: dict[str, Callable[[_Builder, Any], None]] = {
    "sources": _Builder.source,
    "places": _Builder.place,
    "continents": _Builder.continent,
    "countries": _Builder.country,
    "cities": _Builder.city,
    "organisations": _Builder.organisation,
    "people": _Builder.person,
    "quotes": _Builder.quote,
    "concept_schemes": _Builder.concept_scheme,
    "roadmaps": _Builder.roadmap,
    "events": _Builder.event,
    "commitments": _Builder.commitment,
}


def build_graph(records: Records) -> Graph:
    """The knowledge graph (instance data only) for *records*."""
    builder = _Builder(records)
    for kind in KINDS:
        build = BUILDERS[kind.field]
        for record in records_of(records, kind):
            build(builder, record)
    return builder.graph


def locations(records: Records) -> dict[str, Location]:
    """IRI of every record -> where it was read, so SHACL results point at a file and line."""
    found: dict[str, Location] = {}
    for kind in KINDS:
        for item in records_of(records, kind):
            found[str(iris.mint(kind.iri_kind, item.id))] = item.where
    for scheme in records.concept_schemes:
        for concept in scheme.concepts:
            found[str(iris.mint(scheme.kind, concept.id))] = concept.where
    return found
