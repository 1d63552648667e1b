"""Entity reconciliation (the W3C Entity Reconciliation API, as OpenRefine uses it): pure.

Names are compared after normalisation (Unicode compatibility decomposition, diacritics
removed, case folded, punctuation as spaces), against every name an entity has: its name,
the name as the release writes it, and its alternate names. An exact normalised match
scores 100; otherwise the score is the best string similarity (0-99). ``match`` is true
only for a unique exact match that also satisfies every property constraint, so that an
integrator can let OpenRefine auto-match on it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from ..namespaces import OWL, SCG, SCHEMA

#: Types offered, as schema.org terms (the service's schemaSpace is https://schema.org/).
TYPES: dict[str, str] = {
    "City": "City",
    "Country": "Country",
    "Organization": "Organization",
    "Person": "Person",
}
#: Properties a query may constrain on: id -> (name, the entity field it is checked against).
PROPERTIES: dict[str, tuple[str, str]] = {
    "containedInPlace": ("country (of a city)", "country"),
    "continent": ("continent (of a city)", "continent"),
    "iso3166Alpha2": ("ISO 3166-1 alpha-2 code (of a country)", "iso2"),
    "affiliation": ("organisation spoken for (of a person)", "affiliation"),
    "sameAs": ("Wikidata item", "wikidata"),
}
#: Other names clients use for the same properties (Wikidata ids, plain words).
PROPERTY_ALIASES = {
    "country": "containedInPlace",
    "P17": "containedInPlace",
    str(SCHEMA.containedInPlace): "containedInPlace",
    "P30": "continent",
    str(SCG.continent): "continent",
    "iso2": "iso3166Alpha2",
    "P297": "iso3166Alpha2",
    str(SCG.iso3166Alpha2): "iso3166Alpha2",
    "P1416": "affiliation",
    str(SCHEMA.affiliation): "affiliation",
    "wikidata": "sameAs",
    str(OWL.sameAs): "sameAs",
}
DEFAULT_LIMIT = 5
MAX_LIMIT = 50


def normalise(text: str) -> str:
    """``"  Bogotá, D.C. "`` -> ``"bogota d c"``: the form names are compared in."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = stripped.casefold().replace("\u0131", "i")  # dotless i (Turkish) folds to i
    return " ".join(re.sub(r"[\W_]+", " ", folded).split())


@dataclass(frozen=True)
class Entity:
    id: str
    """The IRI path under the identifier space, e.g. ``city/milan``."""
    iri: str
    name: str
    type: str
    names: tuple[str, ...]
    description: str = ""
    facts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Values each property constraint is checked against (names, codes, IRIs, QIDs)."""

    @property
    def normalised(self) -> frozenset[str]:
        return frozenset(normalise(n) for n in self.names if normalise(n))


@dataclass(frozen=True)
class Candidate:
    entity: Entity
    score: float
    match: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.entity.id,
            "name": self.entity.name,
            "type": [{"id": self.entity.type, "name": TYPES[self.entity.type]}],
            "score": round(self.score, 1),
            "match": self.match,
            "description": self.entity.description,
        }


class QueryError(ValueError):
    """A reconciliation query that is not of the specified form."""


#: Words that say what kind of place or body a name is, not which one (normalised forms).
#: They are dropped from both sides before a second, slightly lower-scored comparison, so
#: "Daegu Metropolitan City" finds Daegu while "Mexico City" still prefers Mexico City.
GENERIC_WORDS = (
    "metropolitan municipality",
    "municipal corporation",
    "metropolitan city",
    "metropolitan",
    "municipality",
    "district",
    "greater",
    "city of",
    "ciudad de",
    "citta di",
    "city",
)
_GENERIC = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in GENERIC_WORDS) + r")\b")
_QID = re.compile(r"^Q[1-9][0-9]*$")
#: Scores: the name as given; the name without generic words; the best fuzzy score.
EXACT, CORE, FUZZY_MAX = 100.0, 98.0, 90.0
#: A candidate is returned only at or above this score. A name that is not in the dataset
#: scores below it (``tests/test_reconcile.py`` checks the spellings table).
THRESHOLD = 75.0
#: A match is the best candidate, alone at its score and at or above this one, and agreeing
#: with the query's qualifier and constraints.
MATCH = CORE


def core(name: str) -> str:
    """A normalised name without the words that only say what kind of thing it is."""
    return " ".join(_GENERIC.sub(" ", normalise(name)).split())


@dataclass(frozen=True)
class Parsed:
    """A query as written: its name, and a qualifier ("City, Country", "City (Region)")."""

    name: str
    qualifier: str


def parse(text: str) -> Parsed:
    stripped = text.strip()
    if stripped.endswith(")") and "(" in stripped:
        name, _, rest = stripped.rpartition("(")
        return Parsed(name.strip(), rest[:-1].strip())
    if "," in stripped:
        name, _, rest = stripped.partition(",")
        return Parsed(name.strip(), rest.strip())
    words = stripped.split()
    if len(words) > 1 and re.fullmatch(r"[A-Z]{2,3}", words[-1]):  # "Newcastle NSW"
        return Parsed(" ".join(words[:-1]), words[-1])
    return Parsed(stripped, "")


def _name_score(query: str, entity: Entity) -> float:
    wanted = normalise(query)
    if not wanted:
        return 0.0
    if wanted in entity.normalised:
        return EXACT
    wanted_core = core(query)
    if wanted_core and wanted_core in {core(n) for n in entity.names}:
        return CORE
    best = max(
        (SequenceMatcher(None, wanted, name).ratio() for name in entity.normalised), default=0.0
    )
    return min(FUZZY_MAX, best * 100)


def _identity(text: str, entity: Entity) -> bool:
    """The query names the entity by identity: its Wikidata id, our IRI or our id."""
    given = text.strip()
    if _QID.match(given):
        return given in entity.facts.get("wikidata", ())
    return given in (entity.iri, entity.id)


def _qualifier_verdict(qualifier: str, entity: Entity, places: frozenset[str]) -> bool | None:
    """True if the qualifier names the entity's country or continent (by name, code or id);
    False if it names another country or continent of the dataset by name (a two-letter
    code may be a region: "San José, CA"); None if it says nothing we know (a region)."""
    wanted = normalise(qualifier)
    if not wanted:
        return None
    own = {normalise(v) for key in ("country", "continent") for v in entity.facts.get(key, ())}
    if wanted in own:
        return True
    if wanted in places:
        return False
    return None


def _constraint_values(value: Any) -> list[str]:
    """A property value as OpenRefine sends it: a string, an {id, name} object, or a list."""
    if isinstance(value, list):
        return [v for item in value for v in _constraint_values(item)]
    if isinstance(value, dict):
        return [str(value[k]) for k in ("id", "name") if value.get(k)]
    if value is None:
        return []
    return [str(value)]


def _satisfies(entity: Entity, prop: str, value: Any) -> bool | None:
    """True/False for a known property, None for a property this service does not know."""
    pid = PROPERTY_ALIASES.get(prop, prop)
    if pid not in PROPERTIES:
        return None
    known = {normalise(v) for v in entity.facts.get(PROPERTIES[pid][1], ())}
    wanted = {normalise(v) for v in _constraint_values(value)}
    return bool(known & wanted)


def _type_of(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):
        value = value.get("id")
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return None
    text = str(value).rsplit("/", 1)[-1]
    if text not in TYPES:
        raise QueryError(f"unknown type {value!r}; types: {', '.join(TYPES)}")
    return text


def place_names(entities: Sequence[Entity]) -> frozenset[str]:
    """The countries and continents of *entities* by name (normalised; no codes, ids or
    IRIs): a qualifier naming one of them rules out entities elsewhere."""
    return frozenset(
        normalised
        for e in entities
        for key in ("country", "continent")
        for value in e.facts.get(key, ())
        if not value.startswith("http")
        and not _QID.match(value)
        and len(normalised := normalise(value)) > 3
    )


def reconcile_one(
    entities: Sequence[Entity],
    query: Mapping[str, Any],
    places: frozenset[str] | None = None,
) -> list[Candidate]:
    """Candidates for one query object ``{query, type?, limit?, properties?}``, best first."""
    text = query.get("query")
    if not isinstance(text, str):
        raise QueryError("each query needs a 'query' string")
    wanted_type = _type_of(query.get("type"))
    limit = query.get("limit", DEFAULT_LIMIT)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
        raise QueryError("'limit' must be a non-negative integer")
    constraints = query.get("properties") or []
    if not isinstance(constraints, list):
        raise QueryError("'properties' must be a list of {pid, v}")
    parsed = parse(text)
    places = places if places is not None else place_names(entities)
    scored: list[tuple[float, bool, Entity]] = []
    for entity in entities:
        if wanted_type and entity.type != wanted_type:
            continue
        agrees = True
        if _identity(text, entity):
            score = EXACT
        else:
            # The whole text first ("San Jose, California" is a known name), then its name part.
            score = _name_score(text, entity)
            if parsed.qualifier and score < EXACT:
                score = max(score, _name_score(parsed.name, entity))
                verdict = _qualifier_verdict(parsed.qualifier, entity, places)
                if verdict is False:
                    agrees = False
        named = score  # the threshold is on the name; what contradicts it lowers the score
        for constraint in constraints:
            if not isinstance(constraint, dict) or "pid" not in constraint:
                raise QueryError("each property constraint is an object with 'pid' and 'v'")
            verdict = _satisfies(entity, str(constraint["pid"]), constraint.get("v"))
            if verdict is False:
                agrees = False
        if named >= THRESHOLD:
            scored.append((score if agrees else score * 0.6, agrees, entity))
    scored.sort(key=lambda item: (-item[0], item[2].name, item[2].id))
    best = scored[0][0] if scored else 0.0
    tied = sum(1 for item in scored if item[0] == best)
    results = []
    for score, agrees, entity in scored[: min(limit or DEFAULT_LIMIT, MAX_LIMIT)]:
        # A match: a strong score that no other candidate reaches, and nothing the query
        # says (its qualifier, its constraints) contradicts it.
        match = score == best >= MATCH and tied == 1 and agrees
        results.append(Candidate(entity, score, match))
    return results


def reconcile_batch(entities: Sequence[Entity], queries: Mapping[str, Any]) -> dict[str, Any]:
    """A batch ``{"q0": {...}, ...}`` -> ``{"q0": {"result": [...]}, ...}``."""
    if not isinstance(queries, Mapping) or not queries:
        raise QueryError("'queries' must be a non-empty object of query objects")
    out: dict[str, Any] = {}
    places = place_names(entities)
    for key, query in queries.items():
        # A bad query gets its own error; the others in the batch are still answered.
        try:
            if not isinstance(query, Mapping):
                raise QueryError(f"query {key!r} must be an object")
            out[key] = {"result": [c.as_json() for c in reconcile_one(entities, query, places)]}
        except QueryError as exc:
            out[key] = {"result": [], "error": {"type": "invalid-query", "message": str(exc)}}
    return out


def suggest_entities(
    entities: Iterable[Entity], prefix: str, limit: int = 10, type: str = ""
) -> list[dict[str, Any]]:
    """Entities one of whose names starts with (then contains) *prefix*, normalised; only
    those of *type* if one is given (an id of :data:`TYPES`, or its schema.org IRI;
    :class:`QueryError` for any other)."""
    wanted = normalise(prefix)
    kind = _type_of(type.strip() or None)
    if not wanted:
        return []
    starts, contains = [], []
    for entity in entities:
        if kind and entity.type != kind:
            continue
        names = entity.normalised
        if any(name.startswith(wanted) for name in names):
            starts.append(entity)
        elif any(wanted in name for name in names):
            contains.append(entity)
    chosen = sorted(starts, key=lambda e: e.name) + sorted(contains, key=lambda e: e.name)
    return [
        {
            "id": e.id,
            "name": e.name,
            "description": e.description,
            "notable": [{"id": e.type, "name": TYPES[e.type]}],
        }
        for e in chosen[:limit]
    ]


def suggest_types(prefix: str) -> list[dict[str, str]]:
    wanted = normalise(prefix)
    return [
        {"id": t, "name": name}
        for t, name in TYPES.items()
        if not wanted or normalise(name).startswith(wanted) or wanted in normalise(t)
    ]


def suggest_properties(prefix: str) -> list[dict[str, str]]:
    wanted = normalise(prefix)
    return [
        {"id": pid, "name": name, "description": name}
        for pid, (name, _) in PROPERTIES.items()
        if not wanted or wanted in normalise(name) or normalise(pid).startswith(wanted)
    ]


# -- Data extension (W3C Reconciliation API 0.2, "extend") ----------------------------------


@dataclass(frozen=True)
class ExtendProperty:
    id: str
    name: str
    kind: str
    """``entity`` (a cell that is itself reconciled: id and name), ``str`` or ``float``."""
    description: str = ""
    target: str = ""
    """For an ``entity`` property whose values are all of one type: that type."""


#: What each type can be extended with, in the order they are proposed.
EXTEND_PROPERTIES: dict[str, tuple[ExtendProperty, ...]] = {
    "City": (
        ExtendProperty("country", "Country", "entity", target="Country"),
        ExtendProperty("country_iso2", "Country (ISO 3166-1 alpha-2)", "str"),
        ExtendProperty("country_iso3", "Country (ISO 3166-1 alpha-3)", "str"),
        ExtendProperty("continent", "Continent", "entity"),
        ExtendProperty("latitude", "Latitude (WGS84)", "float"),
        ExtendProperty("longitude", "Longitude (WGS84)", "float"),
        ExtendProperty("geonames_id", "GeoNames id", "str"),
        ExtendProperty("wikidata", "Wikidata id", "str", "verified links only"),
        ExtendProperty("policy_areas", "Policy areas committed to", "entity"),
        ExtendProperty("name_in_release", "Name in the release", "str"),
    ),
    "Country": (
        ExtendProperty("iso2", "ISO 3166-1 alpha-2", "str"),
        ExtendProperty("iso3", "ISO 3166-1 alpha-3", "str"),
        ExtendProperty("wikidata", "Wikidata id", "str", "verified links only"),
        ExtendProperty("cities", "Pioneer cities", "entity", target="City"),
    ),
    "Organization": (
        ExtendProperty("url", "Website", "str"),
        ExtendProperty("area_served", "Area served", "entity"),
        ExtendProperty("wikidata", "Wikidata id", "str", "verified links only"),
    ),
    "Person": (
        ExtendProperty("job_title", "Title as the release writes it", "str"),
        ExtendProperty("affiliation", "Speaks for", "entity", target="Organization"),
        ExtendProperty("wikidata", "Wikidata id", "str", "verified links only"),
    ),
}
_EXTEND_BY_ID = {p.id: p for props in EXTEND_PROPERTIES.values() for p in props}


def propose_properties(type_id: str, limit: int | None = None) -> dict[str, Any]:
    """The properties a column of *type_id* can be extended with."""
    kind = _type_of(type_id)
    if kind is None:
        raise QueryError("'type' is required")
    proposed = [
        {"id": p.id, "name": p.name, **({"description": p.description} if p.description else {})}
        for p in EXTEND_PROPERTIES[kind]
    ]
    return {"type": kind, "properties": proposed[:limit] if limit else proposed}


@dataclass(frozen=True)
class Value:
    """One value of an extension property: an entity id with its name, or a literal."""

    value: str
    label: str = ""


def extend(values: Mapping[str, Mapping[str, Sequence[Value]]], query: Any) -> dict[str, Any]:
    """An extension query ``{ids, properties: [{id}]}`` -> ``{meta, rows}``.

    *values* maps an entity id to its property values (see ``web/reconcile.py``).
    """
    if not isinstance(query, Mapping):
        raise QueryError("'extend' must be an object with 'ids' and 'properties'")
    ids, wanted = query.get("ids"), query.get("properties")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise QueryError("'ids' must be a list of entity ids")
    if not isinstance(wanted, list) or not all(isinstance(p, Mapping) for p in wanted):
        raise QueryError("'properties' must be a list of {id}")
    properties = []
    for item in wanted:
        found = _EXTEND_BY_ID.get(str(item.get("id")))
        if found is None:
            known = ", ".join(_EXTEND_BY_ID)
            raise QueryError(f"unknown property {item.get('id')!r}; known: {known}")
        properties.append(found)
    meta = [
        {
            "id": p.id,
            "name": p.name,
            **({"type": {"id": p.target, "name": TYPES[p.target]}} if p.target else {}),
        }
        for p in properties
    ]
    rows: dict[str, Any] = {}
    for entity_id in ids:
        cells = values.get(entity_id, {})
        rows[entity_id] = {p.id: [_cell(p, v) for v in cells.get(p.id, ())] for p in properties}
    return {"meta": meta, "rows": rows}


def _cell(prop: ExtendProperty, value: Value) -> dict[str, Any]:
    if prop.kind == "entity":
        return {"id": value.value, "name": value.label or value.value}
    if prop.kind == "float":
        return {"float": float(value.value)}
    return {"str": value.value}
