"""Records -> rdflib Graph. Pure: no I/O, no clock, no randomness.

Vocabulary choices (the ontology documents each minted term):
places are ``schema:City``/``schema:Country``/``schema:Continent`` with WGS84
``geo:lat``/``geo:long``; organisations are ``schema:Organization``,
``foaf:Organization`` and ``org:Organization``; people ``schema:Person`` and
``foaf:Person``; quotes ``schema:Quotation`` (speaker = ``schema:spokenByCharacter``);
policy areas, text fidelity and confirmation status are SKOS concepts.

**Labels** (the rule, stated once): every resource has one ``rdfs:label`` per language, the
label every RDF tool shows. A resource with a schema.org type also has ``schema:name`` with
the same value(s); SKOS concepts and schemes have ``skos:prefLabel`` instead. Nothing else
repeats a label: no ``foaf:name``, and ``dcterms:title`` only where DCAT needs it (the
dataset and its distributions, in the dataset description). ``tests/test_release.py``
checks the rule on the real graph.

**Provenance**: every resource points to all its sources with ``prov:wasDerivedFrom`` (the
summary), and each fact that a source backs is also an ``rdf:Statement`` (RDF 1.1
reification) naming the sources of that one triple: names, titles, coordinates, GeoNames
ids, Wikidata links and the text of quotes. Which sources back which fact follows one
rule per kind (``data/README.md``, "Sources of each statement"), unless a record's
``fact_sources`` names them. A commitment (a city's membership) is a resource of its own
with its own sources.
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
from .describe import possessive
from .model import (
    KINDS,
    City,
    Commitment,
    ConceptScheme,
    Continent,
    Country,
    Event,
    Name,
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
        #: The sources each publisher that is not an organisation of the release published;
        #: an entry is taken out when its agent is written.
        self.published: dict[str, list[str]] = {}
        for source in records.sources:
            if source.publisher not in self.organisations:
                self.published.setdefault(source.publisher, []).append(source.id)
        #: The press release: what it writes cites it, statement by statement.
        self.release = records.dataset.press_release

    def add(self, subject: URIRef, predicate: URIRef, obj: Node | None) -> None:
        if obj is not None:
            self.graph.add((subject, predicate, obj))

    def fact(self, subject: URIRef, predicate: URIRef, obj: Node, sources: Iterable[str]) -> None:
        """Assert *subject predicate obj*, and say which sources back it (an rdf:Statement)."""
        self.add(subject, predicate, obj)
        backing = tuple(dict.fromkeys(sources))
        if not backing:
            raise ValueError(f"no source for {subject} {predicate} {obj}")
        statement = iris.statement(subject, predicate, obj)
        self.add(statement, RDF.type, RDF.Statement)
        self.add(statement, RDF.subject, subject)
        self.add(statement, RDF.predicate, predicate)
        self.add(statement, RDF.object, obj)
        for source in backing:
            self.add(statement, PROV.wasDerivedFrom, iris.mint("source", source))

    def label(
        self, subject: URIRef, text: str, sources: Iterable[str], *, lang: bool = True
    ) -> None:
        """``rdfs:label`` and ``schema:name`` (see the label rule above)."""
        literal = en(text) if lang else Literal(text)
        sources = tuple(sources)
        self.fact(subject, RDFS.label, literal, sources)
        self.fact(subject, SCHEMA.name, literal, sources)

    def names(self, subject: URIRef, names: Iterable[Name], sources: Iterable[str]) -> None:
        """Other names: tagged with their language where a source gives it, else plain; a
        name's own sources, where given, replace the record's rule for that name."""
        sources = tuple(sources)
        for name in names:
            literal = (
                Literal(name.text, lang=name.language) if name.language else Literal(name.text)
            )
            self.fact(subject, SCHEMA.alternateName, literal, name.sources or sources)

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
        if link.status == "verified" and link.source:
            self.fact(subject, OWL.sameAs, item, [link.source])
            self.fact(subject, SCHEMA.sameAs, item, [link.source])
            self.add(subject, SCG.wikidataLinkSource, iris.mint("source", link.source))
        else:
            self.add(subject, SCG.unverifiedWikidataCandidate, item)

    def publisher(self, publisher: str) -> URIRef:
        """A source's publisher, always an agent (an IRI): one of the release's
        organisations, or an agent of its own (``organisation/{slug of its name}``), backed
        by the sources it published (each names its publisher). Such an agent is typed
        ``foaf:Agent`` and ``dcterms:Agent`` only: the data does not say whether a
        publisher is a person or an organisation."""
        if publisher in self.organisations:
            return iris.mint("organisation", publisher)
        s = iris.mint("organisation", iris.slugify(publisher))
        published = self.published.pop(publisher, None)  # None: written already
        if published is not None:
            self.types(s, FOAF.Agent, DCTERMS.Agent)
            self.label(s, publisher, published, lang=False)
            self.sources(s, published)
            self.add(s, RDFS.comment, en("Publisher of sources cited by this graph."))
        return s

    # -- one method per kind --------------------------------------------------------------

    def source(self, source: Source) -> None:
        s = iris.mint("source", source.id)
        self.types(s, PROV.Entity, SCHEMA.CreativeWork, *SOURCE_TYPES[source.kind])
        # A source's title is its own headline: the source itself backs it.
        self.label(s, source.title, [source.id])
        if source.url:
            self.add(s, SCHEMA.url, URIRef(source.url))
        if source.archived_url:
            self.add(s, SCHEMA.archivedAt, URIRef(source.archived_url))
        publisher = self.publisher(source.publisher)
        self.add(s, SCHEMA.publisher, publisher)
        self.add(s, DCTERMS.publisher, publisher)
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
        self.label(s, place.name, place.sources)
        self.wikidata(s, place.wikidata)
        self.sources(s, place.sources)

    def continent(self, continent: Continent) -> None:
        s = iris.mint("continent", continent.id)
        self.types(s, SCHEMA.Continent, SCHEMA.Place)
        self.label(s, continent.name, continent.sources)
        self.wikidata(s, continent.wikidata)
        self.sources(s, continent.sources)

    def country(self, country: Country) -> None:
        s = iris.mint("country", country.id)
        self.types(s, SCHEMA.Country, SCHEMA.Place)
        # Countries are named as the release names them.
        self.label(s, country.name, [self.release])
        if country.name_in_release and country.name_in_release != country.name:
            self.fact(s, SCG.nameInRelease, en(country.name_in_release), [self.release])
        self.add(s, SCG.iso3166Alpha2, Literal(country.iso2))
        self.add(s, SCG.iso3166Alpha3, Literal(country.iso3))
        self.wikidata(s, country.wikidata)
        self.sources(s, country.sources)

    def city(self, city: City) -> None:
        s = iris.mint("city", city.id)
        self.types(s, SCHEMA.City, SCHEMA.Place)
        where = city.location_source
        rules = city.fact_sources
        self.label(s, city.name, rules.get("name", (where,)))
        in_release = rules.get("name_in_release") or (
            (self.release,)
            if city.confirmation == "listed-in-seed"
            else tuple(x for x in city.sources if x != self.release)
        )
        self.fact(s, SCG.nameInRelease, en(city.name_in_release), in_release)
        self.names(s, city.alternate_names, rules.get("alternate_names", (where,)))
        self.add(s, SCHEMA.containedInPlace, iris.mint("country", city.country))
        self.add(s, SCG.continent, iris.mint("continent", city.continent))
        self.fact(s, GEO.lat, Literal(city.latitude, datatype=XSD.decimal), [where])
        self.fact(s, GEO.long, Literal(city.longitude, datatype=XSD.decimal), [where])
        self.fact(s, SCG.geonamesId, Literal(str(city.geonames_id)), [where])
        self.fact(s, SCHEMA.sameAs, iris.geonames(city.geonames_id), [where])
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
        self.label(s, org.name, org.fact_sources.get("name", org.sources))
        self.names(s, org.alternate_names, org.fact_sources.get("alternate_names", org.sources))
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
        # A person is named and titled as the release writes them, unless a source for a
        # corrected spelling is given (the release's own spelling is then nameInRelease).
        self.label(s, person.name, person.fact_sources.get("name", (self.release,)), lang=False)
        if person.name_in_release and person.name_in_release != person.name:
            self.fact(s, SCG.nameInRelease, Literal(person.name_in_release), [self.release])
        if person.honorific:
            self.add(s, SCHEMA.honorificPrefix, Literal(person.honorific))
        self.fact(s, SCHEMA.jobTitle, en(person.role_as_written), [self.release])
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
        # The text as the release has it, and the copies it was repaired from.
        self.fact(s, SCHEMA.text, en(quote.text), (*quote.sources, *quote.repair_sources))
        self.add(s, SCHEMA.spokenByCharacter, iris.mint("person", quote.speaker))
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
        self.fact(s, RDFS.label, en(scheme.title), scheme.sources)
        self.fact(s, SKOS.prefLabel, en(scheme.title), scheme.sources)
        self.add(s, DCTERMS.description, en(scheme.description))
        self.sources(s, scheme.sources)
        for concept in scheme.concepts:
            c = iris.mint(scheme.kind, concept.id)
            self.types(c, SKOS.Concept)
            self.fact(c, RDFS.label, en(concept.label), scheme.sources)
            self.fact(c, SKOS.prefLabel, en(concept.label), scheme.sources)
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
        self.label(s, roadmap.name, roadmap.sources)
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
        self.label(s, event.name, event.sources)
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
        self.add(
            s, RDFS.label, en(f"{possessive(city.name)} commitment to adopt the policy roadmap")
        )
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


#: The predicates whose triples name their own sources with an ``rdf:Statement`` (the
#: shapes' ``scgsh:SourcedFactShape`` checks the same list, ``rdfs:label`` aside: it
#: repeats ``schema:name`` or ``skos:prefLabel``).
SOURCED: tuple[URIRef, ...] = (
    RDFS.label,
    SCHEMA.name,
    SKOS.prefLabel,
    SCHEMA.alternateName,
    SCG.nameInRelease,
    SCHEMA.jobTitle,
    SCHEMA.text,
    GEO.lat,
    GEO.long,
    SCG.geonamesId,
    OWL.sameAs,
    SCHEMA.sameAs,
)

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
