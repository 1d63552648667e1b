"""Frozen records of the curated data: plain Python, no rdflib.

Every record carries ``where`` (file and line it was read from) so a later
stage can point a human at the line to fix, and ``sources`` (ids of entries
in ``data/sources.yaml``) so every fact in the graph says where it came from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from ..errors import Location

WikidataStatus = Literal["verified", "unverified"]
Fidelity = Literal["verbatim", "repaired-from-other-copy", "truncated-in-all-known-copies"]
Confirmation = Literal["listed-in-seed", "recovered-from-other-copy", "unconfirmed"]

FIDELITY_VALUES: tuple[Fidelity, ...] = (
    "verbatim",
    "repaired-from-other-copy",
    "truncated-in-all-known-copies",
)
CONFIRMATION_VALUES: tuple[Confirmation, ...] = (
    "listed-in-seed",
    "recovered-from-other-copy",
    "unconfirmed",
)
SOURCE_KINDS = (
    "press-release",
    "web-page",
    "news-article",
    "dataset",
    "software-package",
    "report",
)
ORGANISATION_KINDS = (
    "alliance",
    "city-government",
    "city-network",
    "company",
    "event",
    "intergovernmental-forum",
    "international-organisation",
    "national-government-office",
    "regional-government",
)


@dataclass(frozen=True)
class Name:
    """A name, with its language (a BCP 47 tag) where a source gives it, else ``""``."""

    text: str
    language: str = ""
    sources: tuple[str, ...] = ()
    """All the sources of this one name (its spelling, its language), where the record's
    rule for its names does not fit; empty: the rule applies."""

    def __str__(self) -> str:
        return self.text


#: Which of a record's sources back one of its facts: field name -> source ids. Read from a
#: record's ``fact_sources``; a field not listed there follows the rule of its kind
#: (``build.FACT_RULES``, stated in ``data/README.md``).
FactSources = dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class WikidataLink:
    """A Wikidata item id and the source where it was seen next to the entity."""

    qid: str
    status: WikidataStatus
    source: str | None
    note: str = ""


@dataclass(frozen=True)
class Source:
    id: str
    kind: str
    title: str
    url: str | None
    publisher: str
    date: dt.date | None
    where: Location
    place: str | None = None
    language: str = "en"
    note: str = ""
    archived_url: str | None = None


@dataclass(frozen=True)
class Place:
    """A place named by the release that is not a pioneer city (the dateline)."""

    id: str
    name: str
    sources: tuple[str, ...]
    where: Location
    wikidata: WikidataLink | None = None


@dataclass(frozen=True)
class Continent:
    id: str
    name: str
    sources: tuple[str, ...]
    where: Location
    wikidata: WikidataLink | None = None


@dataclass(frozen=True)
class Country:
    id: str
    name: str
    iso2: str
    iso3: str
    sources: tuple[str, ...]
    where: Location
    name_in_release: str = ""
    wikidata: WikidataLink | None = None


@dataclass(frozen=True)
class City:
    id: str
    name: str
    name_in_release: str
    country: str
    continent: str
    latitude: Decimal
    longitude: Decimal
    geonames_id: int
    confirmation: Confirmation
    sources: tuple[str, ...]
    location_source: str
    where: Location
    alternate_names: tuple[Name, ...] = ()
    wikidata: WikidataLink | None = None
    note: str = ""
    fact_sources: FactSources = field(default_factory=dict)


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    kind: str
    sources: tuple[str, ...]
    where: Location
    alternate_names: tuple[Name, ...] = ()
    url: str | None = None
    area_served: str | None = None
    parent: str | None = None
    hosted_by: str | None = None
    wikidata: WikidataLink | None = None
    note: str = ""
    fact_sources: FactSources = field(default_factory=dict)


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    role_as_written: str
    affiliation: str
    sources: tuple[str, ...]
    where: Location
    honorific: str = ""
    wikidata: WikidataLink | None = None
    name_in_release: str = ""
    """The name as the release spells it, where that differs from the correct spelling."""
    fact_sources: FactSources = field(default_factory=dict)


@dataclass(frozen=True)
class Quote:
    id: str
    speaker: str
    text: str
    fidelity: Fidelity
    date: dt.date
    position: int
    sources: tuple[str, ...]
    where: Location
    repair_sources: tuple[str, ...] = ()
    seed_defects: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Concept:
    id: str
    label: str
    definition: str
    where: Location
    notation: str = ""
    wording_in_release: str = ""


@dataclass(frozen=True)
class ConceptScheme:
    id: str
    kind: str
    title: str
    description: str
    concepts: tuple[Concept, ...]
    sources: tuple[str, ...]
    where: Location


@dataclass(frozen=True)
class Roadmap:
    id: str
    name: str
    description: str
    author: str
    policy_areas: tuple[str, ...]
    sources: tuple[str, ...]
    where: Location
    url: str | None = None


@dataclass(frozen=True)
class Event:
    id: str
    name: str
    start_date: dt.date
    sources: tuple[str, ...]
    where: Location
    description: str = ""
    organiser: str | None = None
    end_date: dt.date | None = None
    url: str | None = None
    super_event: str | None = None


@dataclass(frozen=True)
class Commitment:
    id: str
    city: str
    roadmap: str
    policy_areas: tuple[str, ...]
    announced: dt.date
    event: str | None
    confirmation: Confirmation
    sources: tuple[str, ...]
    where: Location


@dataclass(frozen=True)
class DatasetInfo:
    """The dataset's own description (``data/dataset.yaml``)."""

    title: str
    description: str
    licence: str
    licence_name: str
    publisher: str
    version: str
    issued: dt.date
    modified: dt.date
    keywords: tuple[str, ...]
    example_resources: tuple[str, ...]
    where: Location
    homepage: str = ""
    press_release: str = ""
    """The id of the source the graph is about (``sources.yaml``)."""


@dataclass(frozen=True)
class Records:
    """Everything read from ``data/``, cross-checked, in file order."""

    dataset: DatasetInfo
    sources: tuple[Source, ...]
    places: tuple[Place, ...]
    continents: tuple[Continent, ...]
    countries: tuple[Country, ...]
    cities: tuple[City, ...]
    organisations: tuple[Organisation, ...]
    people: tuple[Person, ...]
    quotes: tuple[Quote, ...]
    concept_schemes: tuple[ConceptScheme, ...]
    roadmaps: tuple[Roadmap, ...]
    events: tuple[Event, ...]
    commitments: tuple[Commitment, ...]
    files: dict[str, bytes] = field(default_factory=dict)
    """Raw bytes of every input file, by path relative to the data root (for PROV)."""


@dataclass(frozen=True)
class Kind:
    """One kind of record: where it is read from, what it is called and where it lives."""

    field: str
    """Its attribute of :class:`Records`."""
    file: str
    """Its file in ``data/``."""
    iri_kind: str
    """Its IRIs are ``{ID}{iri_kind}/{id}`` (a kind of :mod:`iris`)."""
    words: str
    """What an error message calls one of them."""
    record: type


#: Every kind of record, in the order the files are read and the graph is built. This is the
#: one list: reading (``sources.READERS``), cross-checks, building (``build.BUILDERS``),
#: exports and locations follow it. Adding a kind is one entry here, a field of
#: :class:`Records`, a reader and a builder; ``tests/test_sources.py`` checks they agree.
KINDS: tuple[Kind, ...] = (
    Kind("sources", "sources.yaml", "source", "source", Source),
    Kind("places", "places.yaml", "place", "place", Place),
    Kind("continents", "continents.yaml", "continent", "continent", Continent),
    Kind("countries", "countries.yaml", "country", "country", Country),
    Kind("cities", "cities.yaml", "city", "city", City),
    Kind("organisations", "organisations.yaml", "organisation", "organisation", Organisation),
    Kind("people", "people.yaml", "person", "person", Person),
    Kind("quotes", "quotes.yaml", "quote", "quote", Quote),
    Kind(
        "concept_schemes", "concept_schemes.yaml", "concept-scheme", "concept scheme", ConceptScheme
    ),
    Kind("roadmaps", "roadmaps.yaml", "roadmap", "roadmap", Roadmap),
    Kind("events", "events.yaml", "event", "event", Event),
    Kind("commitments", "commitments.csv", "commitment", "commitment", Commitment),
)
KIND_BY_FIELD: dict[str, Kind] = {kind.field: kind for kind in KINDS}


def records_of(records: Records, kind: Kind) -> tuple[Any, ...]:
    """The records of *kind*."""
    found: tuple[Any, ...] = getattr(records, kind.field)
    return found
