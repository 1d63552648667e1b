"""Exports for integrators' tools, from the same graph (pure, deterministic).

* CSV tables (cities, countries, organisations, people, quotes, commitments) with one
  CSVW metadata file (``csv-metadata.json``) describing columns, datatypes and how each
  row maps to its IRI and properties;
* GeoJSON of the cities;
* framed JSON-LD per city: the city with its country, commitment and quotes nested.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from .. import iris
from ..namespaces import (
    DCTERMS,
    GEO,
    OWL,
    PREFIXES,
    RDF,
    SCG,
    SCHEMA,
    XSD,
)
from .serialize import dump_json, jsonld_key, sort_key

CSVW_CONTEXT = "http://www.w3.org/ns/csvw"


@dataclass(frozen=True)
class Column:
    name: str
    title: str
    datatype: str
    """A CSVW datatype name: string, anyURI, decimal, integer, date."""
    property: str | None
    """The predicate IRI the column's value becomes (None: not mapped, e.g. a label copy)."""
    value_url: str | None = None
    """For IRI-valued columns: the column holds the IRI itself (``{+name}``)."""
    separator: str | None = None
    description: str = ""
    value: Callable[[Graph, URIRef], list[str]] | None = None
    english: bool = False
    """The graph holds this column's text as an @en literal (CSVW ``lang``)."""


@dataclass(frozen=True)
class Table:
    name: str
    kind: str
    rdf_type: URIRef
    description: str
    columns: tuple[Column, ...]


def _objects(predicate: URIRef) -> Callable[[Graph, URIRef], list[str]]:
    def get(graph: Graph, subject: URIRef) -> list[str]:
        return sorted(str(o) for o in graph.objects(subject, predicate))

    return get


def _label_of(predicate: URIRef) -> Callable[[Graph, URIRef], list[str]]:
    """The English name of what *predicate* points to (for human-readable columns)."""

    def get(graph: Graph, subject: URIRef) -> list[str]:
        return sorted(
            str(graph.value(o, SCHEMA.name) or "")
            for o in graph.objects(subject, predicate)
            if graph.value(o, SCHEMA.name) is not None
        )

    return get


def _wikidata(graph: Graph, subject: URIRef) -> list[str]:
    return sorted(str(o) for o in graph.objects(subject, OWL.sameAs))


def _slug(graph: Graph, subject: URIRef) -> list[str]:
    parsed = iris.parse(str(subject))
    return [parsed[1]] if parsed else []


def _slug_of(predicate: URIRef) -> Callable[[Graph, URIRef], list[str]]:
    """The slug of what *predicate* points to: a short code to filter a column on."""

    def get(graph: Graph, subject: URIRef) -> list[str]:
        found = (iris.parse(str(o)) for o in graph.objects(subject, predicate))
        return sorted(parsed[1] for parsed in found if parsed)

    return get


def _code_of(predicate: URIRef, code: URIRef) -> Callable[[Graph, URIRef], list[str]]:
    """A code (*code*) of what *predicate* points to, e.g. the country's ISO alpha-2 code."""

    def get(graph: Graph, subject: URIRef) -> list[str]:
        return sorted(
            str(value)
            for o in graph.objects(subject, predicate)
            for value in graph.objects(o, code)
        )

    return get


def _wikidata_id(graph: Graph, subject: URIRef) -> list[str]:
    return sorted(str(o).rsplit("/", 1)[1] for o in graph.objects(subject, OWL.sameAs))


def _iri(graph: Graph, subject: URIRef) -> list[str]:
    return [str(subject)]


def _with_identifiers(table: Table) -> Table:
    """Every table also has the row's own IRI (after the slug) and the bare Wikidata id
    (after the Wikidata IRI), for spreadsheets and joins."""
    columns: list[Column] = []
    for column in table.columns:
        columns.append(column)
        if column.name == "slug":
            columns.append(
                _column("iri", "IRI", "anyURI", None, _iri, description="The row's own IRI.")
            )
        if column.name == "wikidata":
            columns.append(
                _column(
                    "wikidata_id",
                    "Wikidata id",
                    "string",
                    None,
                    _wikidata_id,
                    description="The verified Wikidata item's id (Q...), beside its IRI.",
                )
            )
    return Table(table.name, table.kind, table.rdf_type, table.description, tuple(columns))


def _incoming(predicate: URIRef) -> Callable[[Graph, URIRef], list[str]]:
    def get(graph: Graph, subject: URIRef) -> list[str]:
        return sorted(str(s) for s in graph.subjects(predicate, subject))

    return get


def _geonames_iri(graph: Graph, subject: URIRef) -> list[str]:
    return sorted(
        str(o)
        for o in graph.objects(subject, SCHEMA.sameAs)
        if str(o).startswith("https://sws.geonames.org/")
    )


def _column(
    name: str,
    title: str,
    datatype: str,
    prop: URIRef | None,
    value: Callable[[Graph, URIRef], list[str]],
    *,
    iri: bool = False,
    separator: str | None = None,
    description: str = "",
    english: bool = False,
) -> Column:
    return Column(
        name,
        title,
        datatype,
        str(prop) if prop else None,
        f"{{+{name}}}" if iri else None,
        separator,
        description,
        value,
        english,
    )


def _slug_column() -> Column:
    return _column(
        "slug",
        "Slug",
        "string",
        None,
        _slug,
        description="The last segment of the IRI; the row is about BASE/id/KIND/SLUG.",
    )


def _name_column(*, english: bool = True) -> Column:
    return _column("name", "Name", "string", SCHEMA.name, _objects(SCHEMA.name), english=english)


def _wikidata_column() -> Column:
    return _column(
        "wikidata",
        "Wikidata item",
        "anyURI",
        OWL.sameAs,
        _wikidata,
        iri=True,
        description="Verified Wikidata item (owl:sameAs); empty if none is verified.",
    )


def _confirmation_column() -> Column:
    return _column(
        "confirmation",
        "Confirmation status",
        "anyURI",
        SCG.confirmationStatus,
        _objects(SCG.confirmationStatus),
        iri=True,
    )


TABLES: tuple[Table, ...] = (
    Table(
        "cities",
        "city",
        SCHEMA.City,
        "The 36 pioneer cities.",
        (
            _slug_column(),
            _name_column(),
            _column(
                "name_in_release",
                "Name in the release",
                "string",
                SCG.nameInRelease,
                _objects(SCG.nameInRelease),
                english=True,
            ),
            _column(
                "country",
                "Country",
                "anyURI",
                SCHEMA.containedInPlace,
                _objects(SCHEMA.containedInPlace),
                iri=True,
            ),
            _column(
                "country_name", "Country name", "string", None, _label_of(SCHEMA.containedInPlace)
            ),
            _column(
                "continent", "Continent", "anyURI", SCG.continent, _objects(SCG.continent), iri=True
            ),
            _column("continent_name", "Continent name", "string", None, _label_of(SCG.continent)),
            _column(
                "country_iso2",
                "Country (ISO 3166-1 alpha-2)",
                "string",
                None,
                _code_of(SCHEMA.containedInPlace, SCG.iso3166Alpha2),
            ),
            _column("continent_slug", "Continent (slug)", "string", None, _slug_of(SCG.continent)),
            _column("latitude", "Latitude (WGS84)", "decimal", GEO.lat, _objects(GEO.lat)),
            _column("longitude", "Longitude (WGS84)", "decimal", GEO.long, _objects(GEO.long)),
            _column(
                "geonames_id", "GeoNames id", "string", SCG.geonamesId, _objects(SCG.geonamesId)
            ),
            _column(
                "geonames", "GeoNames feature", "anyURI", SCHEMA.sameAs, _geonames_iri, iri=True
            ),
            _wikidata_column(),
            _confirmation_column(),
        ),
    ),
    Table(
        "countries",
        "country",
        SCHEMA.Country,
        "The 22 countries of the pioneer cities.",
        (
            _slug_column(),
            _name_column(),
            _column(
                "iso2",
                "ISO 3166-1 alpha-2",
                "string",
                SCG.iso3166Alpha2,
                _objects(SCG.iso3166Alpha2),
            ),
            _column(
                "iso3",
                "ISO 3166-1 alpha-3",
                "string",
                SCG.iso3166Alpha3,
                _objects(SCG.iso3166Alpha3),
            ),
            _wikidata_column(),
            _column(
                "cities",
                "Pioneer cities",
                "anyURI",
                None,
                _incoming(SCHEMA.containedInPlace),
                separator=" ",
                description="The country's pioneer cities (space-separated IRIs).",
            ),
        ),
    ),
    Table(
        "organisations",
        "organisation",
        SCHEMA.Organization,
        "Organisations of the release and those the quoted people speak for.",
        (
            _slug_column(),
            _name_column(),
            _column("url", "Homepage", "anyURI", SCHEMA.url, _objects(SCHEMA.url), iri=True),
            _column(
                "area_served",
                "Area served",
                "anyURI",
                SCHEMA.areaServed,
                _objects(SCHEMA.areaServed),
                iri=True,
            ),
            _column(
                "hosted_by", "Hosted by", "anyURI", SCG.hostedBy, _objects(SCG.hostedBy), iri=True
            ),
            _wikidata_column(),
        ),
    ),
    Table(
        "people",
        "person",
        SCHEMA.Person,
        "Every person quoted in the release.",
        (
            _slug_column(),
            _name_column(english=False),
            _column(
                "honorific",
                "Honorific",
                "string",
                SCHEMA.honorificPrefix,
                _objects(SCHEMA.honorificPrefix),
            ),
            _column(
                "job_title",
                "Title as written in the release",
                "string",
                SCHEMA.jobTitle,
                _objects(SCHEMA.jobTitle),
                english=True,
            ),
            _column(
                "affiliation",
                "Speaks for",
                "anyURI",
                SCHEMA.affiliation,
                _objects(SCHEMA.affiliation),
                iri=True,
            ),
            _column(
                "affiliation_name",
                "Speaks for (name)",
                "string",
                None,
                _label_of(SCHEMA.affiliation),
            ),
            _column(
                "affiliation_slug",
                "Speaks for (slug)",
                "string",
                None,
                _slug_of(SCHEMA.affiliation),
            ),
            _wikidata_column(),
        ),
    ),
    Table(
        "quotes",
        "quote",
        SCHEMA.Quotation,
        "Every quote of the release, in release order.",
        (
            _slug_column(),
            _column(
                "speaker",
                "Speaker",
                "anyURI",
                SCHEMA.spokenByCharacter,
                _objects(SCHEMA.spokenByCharacter),
                iri=True,
            ),
            _column(
                "speaker_name",
                "Speaker (name)",
                "string",
                None,
                _label_of(SCHEMA.spokenByCharacter),
            ),
            _column(
                "speaker_slug", "Speaker (slug)", "string", None, _slug_of(SCHEMA.spokenByCharacter)
            ),
            _column("date", "Date", "date", SCHEMA.datePublished, _objects(SCHEMA.datePublished)),
            _column(
                "position",
                "Position in the release",
                "integer",
                SCHEMA.position,
                _objects(SCHEMA.position),
            ),
            _column(
                "fidelity",
                "Text fidelity",
                "anyURI",
                SCG.textFidelity,
                _objects(SCG.textFidelity),
                iri=True,
            ),
            _column(
                "repaired_from",
                "Repaired from",
                "anyURI",
                SCG.repairedFrom,
                _objects(SCG.repairedFrom),
                separator=" ",
            ),
            _column("text", "Text", "string", SCHEMA.text, _objects(SCHEMA.text), english=True),
        ),
    ),
    Table(
        "commitments",
        "commitment",
        SCG.RoadmapCommitment,
        "Each pioneer city's commitment to adopt the policy roadmap.",
        (
            _slug_column(),
            _column(
                "city", "City", "anyURI", SCG.committedCity, _objects(SCG.committedCity), iri=True
            ),
            _column("city_name", "City (name)", "string", None, _label_of(SCG.committedCity)),
            _column("city_slug", "City (slug)", "string", None, _slug_of(SCG.committedCity)),
            _column("roadmap", "Roadmap", "anyURI", SCG.roadmap, _objects(SCG.roadmap), iri=True),
            _column(
                "policy_areas",
                "Policy areas",
                "anyURI",
                SCG.policyArea,
                _objects(SCG.policyArea),
                separator=" ",
            ),
            _column("date", "Announced", "date", DCTERMS.date, _objects(DCTERMS.date)),
            _column(
                "event",
                "Announced at",
                "anyURI",
                SCG.announcedAt,
                _objects(SCG.announcedAt),
                iri=True,
            ),
            _confirmation_column(),
        ),
    ),
)
TABLES = tuple(_with_identifiers(table) for table in TABLES)


def _subjects(graph: Graph, table: Table) -> list[URIRef]:
    return sorted(
        (s for s in graph.subjects(RDF.type, table.rdf_type) if isinstance(s, URIRef)),
        key=lambda s: (int(str(graph.value(s, SCHEMA.position) or 0)), str(s)),
    )


def table_csv(graph: Graph, table: Table) -> bytes:
    """One CSV table: a header of column names, one row per resource, LF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([column.name for column in table.columns])
    for subject in _subjects(graph, table):
        row = []
        for column in table.columns:
            assert column.value is not None
            values = column.value(graph, subject)
            row.append(
                (column.separator or " ").join(values)
                if column.separator
                else (values[0] if values else "")
            )
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def csvw_metadata() -> bytes:
    """``csv-metadata.json``: a CSVW table group describing every table."""
    tables = []
    for table in TABLES:
        columns: list[dict[str, object]] = []
        for column in table.columns:
            spec: dict[str, object] = {
                "name": column.name,
                "titles": column.title,
                "datatype": column.datatype,
            }
            if column.description:
                spec["dc:description"] = column.description
            if column.separator:
                spec["separator"] = column.separator
            if column.english:
                spec["lang"] = "en"
            if column.property and not column.separator:
                spec["propertyUrl"] = column.property
                if column.value_url:
                    # The cell holds an IRI: valueUrl makes it one in RDF (the cell's own
                    # datatype stays string, as CSVW expands templates from cell strings).
                    spec["valueUrl"] = column.value_url
                    spec["datatype"] = "string"
            else:
                # Unmapped columns (the slug, copies of labels, space-separated lists of IRIs)
                # are for people and spreadsheets; each list is also one triple per IRI in
                # the graph itself.
                spec["suppressOutput"] = True
            columns.append(spec)
        columns.append(
            {
                "virtual": True,
                "propertyUrl": "rdf:type",
                "valueUrl": str(table.rdf_type),
            }
        )
        tables.append(
            {
                "url": f"{table.name}.csv",
                "dc:title": table.name,
                "dc:description": table.description,
                "tableSchema": {
                    "columns": columns,
                    "primaryKey": "slug",
                    "aboutUrl": iris.template(table.kind),
                },
            }
        )
    return dump_json(
        {
            "@context": CSVW_CONTEXT,
            "dc:title": "smartcity-graph tables",
            "dc:license": {"@id": "https://creativecommons.org/licenses/by/4.0/"},
            "dialect": {"header": True, "encoding": "utf-8", "lineTerminators": ["\n"]},
            "tables": tables,
        }
    )


def geojson(graph: Graph) -> bytes:
    """The cities as a GeoJSON FeatureCollection (RFC 7946: longitude, latitude)."""
    features = []
    for city in sorted(graph.subjects(RDF.type, SCHEMA.City), key=str):
        assert isinstance(city, URIRef)
        country = graph.value(city, SCHEMA.containedInPlace)
        continent = graph.value(city, SCG.continent)
        wikidata = graph.value(city, OWL.sameAs)
        lon = Decimal(str(graph.value(city, GEO.long)))
        lat = Decimal(str(graph.value(city, GEO.lat)))
        features.append(
            {
                "type": "Feature",
                "id": str(city),
                "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
                "properties": {
                    "name": str(graph.value(city, SCHEMA.name)),
                    "iri": str(city),
                    "country": str(graph.value(country, SCHEMA.name)),
                    "country_iri": str(country),
                    "country_iso2": str(graph.value(country, SCG.iso3166Alpha2)),
                    "continent": str(graph.value(continent, SCHEMA.name)),
                    "continent_iri": str(continent),
                    "wikidata": str(wikidata).rsplit("/", 1)[-1] if wikidata else None,
                    "wikidata_iri": str(wikidata) if wikidata else None,
                    "geonames_id": str(graph.value(city, SCG.geonamesId)),
                    "confirmation": str(graph.value(city, SCG.confirmationStatus)).rsplit("/", 1)[
                        -1
                    ],
                },
            }
        )
    return dump_json({"type": "FeatureCollection", "features": features})


# -- Framed JSON-LD per city ---------------------------------------------------------------------

#: The context of the per-city documents and of ``city-frame.jsonld``. The nesting terms
#: follow real triples only: a city's organisations are those with schema:areaServed the
#: city, their people have schema:affiliation the organisation, their quotes
#: schema:spokenByCharacter the person.
FRAME_CONTEXT: dict[str, object] = {
    **PREFIXES,
    "country": {"@id": "schema:containedInPlace"},
    "continent": {"@id": "scg:continent"},
    "commitment": {"@reverse": "scg:committedCity"},
    "organisations": {"@reverse": "schema:areaServed"},
    "people": {"@reverse": "schema:affiliation"},
    "quotes": {"@reverse": "schema:spokenByCharacter"},
}


def _node(graph: Graph, subject: URIRef, skip: Iterable[URIRef] = ()) -> dict[str, object]:
    """A flat JSON-LD node object for *subject* (values expanded, keys compacted)."""
    node: dict[str, object] = {"@id": str(subject)}
    skipped = set(skip)
    types = sorted(str(o) for o in graph.objects(subject, RDF.type))
    if types:
        node["@type"] = [jsonld_key(t) for t in types]
    for predicate in sorted(
        {p for p in graph.predicates(subject) if p != RDF.type and p not in skipped}, key=sort_key
    ):
        values: list[object] = []
        for obj in sorted(graph.objects(subject, predicate), key=sort_key):
            values.append(_value(obj))
        node[jsonld_key(str(predicate))] = values
    return node


def _value(obj: Node) -> object:
    if isinstance(obj, URIRef):
        return {"@id": str(obj)}
    assert isinstance(obj, Literal)
    if obj.language:
        return {"@value": str(obj), "@language": obj.language}
    if obj.datatype and obj.datatype != XSD.string:
        return {"@value": str(obj), "@type": jsonld_key(str(obj.datatype))}
    return {"@value": str(obj)}


def framed_city(graph: Graph, city: URIRef) -> bytes:
    """*city* with its country, continent and commitment, and the organisations serving it
    with the people who speak for them and their quotes, nested (``city-frame.jsonld``)."""
    document = _node(graph, city, skip=(SCHEMA.containedInPlace, SCG.continent))
    country = graph.value(city, SCHEMA.containedInPlace)
    continent = graph.value(city, SCG.continent)
    assert isinstance(country, URIRef)
    assert isinstance(continent, URIRef)
    document["country"] = _node(graph, country)
    document["continent"] = _node(graph, continent)
    document["commitment"] = [
        _node(graph, c, skip=(SCG.committedCity,))
        for c in sorted(graph.subjects(SCG.committedCity, city), key=str)
        if isinstance(c, URIRef)
    ]
    organisations = []
    for org in sorted(graph.subjects(SCHEMA.areaServed, city), key=str):
        assert isinstance(org, URIRef)
        org_node = _node(graph, org, skip=(SCHEMA.areaServed,))
        people = []
        for person in sorted(graph.subjects(SCHEMA.affiliation, org), key=str):
            assert isinstance(person, URIRef)
            person_node = _node(graph, person, skip=(SCHEMA.affiliation,))
            person_node["quotes"] = [
                _node(graph, q, skip=(SCHEMA.spokenByCharacter,))
                for q in sorted(graph.subjects(SCHEMA.spokenByCharacter, person), key=str)
                if isinstance(q, URIRef)
            ]
            people.append(person_node)
        org_node["people"] = people
        organisations.append(org_node)
    document["organisations"] = organisations
    return dump_json({"@context": FRAME_CONTEXT, **document})


def city_frame() -> bytes:
    return dump_json(
        {
            "@context": FRAME_CONTEXT,
            "@type": "schema:City",
            "country": {"@embed": "@always"},
            "continent": {"@embed": "@always"},
            "commitment": {"@embed": "@always"},
            "organisations": {"people": {"quotes": {}}},
        }
    )


def export_files(graph: Graph) -> dict[str, tuple[bytes, str]]:
    """Every export: file name -> (bytes, title for the dataset description)."""
    files: dict[str, tuple[bytes, str]] = {}
    for table in TABLES:
        files[f"{table.name}.csv"] = (table_csv(graph, table), f"{table.description} (CSV)")
    files["csv-metadata.json"] = (csvw_metadata(), "CSVW metadata of the CSV tables")
    files["cities.geojson"] = (geojson(graph), "The pioneer cities as GeoJSON points")
    files["city-frame.jsonld"] = (city_frame(), "JSON-LD frame of the per-city documents")
    for city in sorted(graph.subjects(RDF.type, SCHEMA.City), key=str):
        assert isinstance(city, URIRef)
        (slug,) = _slug(graph, city)
        name = graph.value(city, SCHEMA.name)
        files[f"city-{slug}.jsonld"] = (
            framed_city(graph, city),
            f"{name} with its country, commitment and quotes (framed JSON-LD)",
        )
    return files
