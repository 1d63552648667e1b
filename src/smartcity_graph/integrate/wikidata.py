"""Keep Wikidata links true: compare our facts with Wikidata's, and propose what it lacks (pure).

The entity JSON is the format of ``Special:EntityData/Q….json`` (``{"entities": {Q: {...}}}``);
reading it (from recorded files or, where the network allows, live) happens at the edge.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from rdflib import Graph, URIRef

from .. import iris
from ..namespaces import GEO, ID, OWL, PROV, RDF, SCG, SCHEMA

ENTITY_DATA_URL = "https://www.wikidata.org/wiki/Special:EntityData/{qid}.json"
#: Coordinates agree when within this many kilometres (city centres are chosen differently).
DEFAULT_TOLERANCE_KM = 10.0


@dataclass(frozen=True)
class OurFacts:
    iri: str
    qid: str
    kind: str
    label: str
    country_qid: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    iso2: str | None = None
    iso3: str | None = None
    geonames_id: str | None = None


@dataclass(frozen=True)
class CheckRow:
    entity: str
    qid: str
    check: str
    ours: str
    wikidata: str
    result: str
    """agree | differ | missing-in-wikidata | no-data (entity JSON not available) | info"""


def our_facts(graph: Graph) -> list[OurFacts]:
    """Every resource with a verified Wikidata link, with the facts Wikidata also states."""
    qids = {s: str(o).rsplit("/", 1)[-1] for s, o in graph.subject_objects(OWL.sameAs)}
    facts = []
    for subject, qid in sorted(qids.items(), key=lambda item: str(item[0])):
        parsed = iris.parse(str(subject))
        kind = parsed[0] if parsed else "thing"
        country = graph.value(subject, SCHEMA.containedInPlace)
        lat, lon = graph.value(subject, GEO.lat), graph.value(subject, GEO.long)
        iso2, iso3 = (
            graph.value(subject, SCG.iso3166Alpha2),
            graph.value(subject, SCG.iso3166Alpha3),
        )
        geonames = graph.value(subject, SCG.geonamesId)
        facts.append(
            OurFacts(
                iri=str(subject),
                qid=qid,
                kind=kind,
                label=str(
                    graph.value(subject, SCHEMA.name) or graph.value(subject, RDF.value) or ""
                ),
                country_qid=qids.get(country) if country is not None else None,
                latitude=float(Decimal(str(lat))) if lat is not None else None,
                longitude=float(Decimal(str(lon))) if lon is not None else None,
                iso2=str(iso2) if iso2 is not None else None,
                iso3=str(iso3) if iso3 is not None else None,
                geonames_id=str(geonames) if geonames is not None else None,
            )
        )
    return facts


def _claims(entity: Mapping[str, Any], prop: str) -> list[Any]:
    values = []
    for claim in entity.get("claims", {}).get(prop, []):
        if claim.get("rank") == "deprecated":
            continue
        snak = claim.get("mainsnak", {})
        if snak.get("snaktype") == "value":
            values.append(snak.get("datavalue", {}).get("value"))
    return values


def _item_ids(values: list[Any]) -> list[str]:
    return [v.get("id") or f"Q{v.get('numeric-id')}" for v in values if isinstance(v, dict)]


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def entity_from_document(document: Mapping[str, Any], qid: str) -> Mapping[str, Any] | None:
    """The entity *qid* in a Special:EntityData document (following a redirect's new id)."""
    entities = document.get("entities", {})
    if qid in entities:
        entity: Mapping[str, Any] = entities[qid]
        return entity
    if len(entities) == 1:  # Wikidata answers a redirected id with the target entity
        only: Mapping[str, Any] = next(iter(entities.values()))
        return only
    return None


def compare(
    ours: OurFacts, entity: Mapping[str, Any] | None, tolerance_km: float = DEFAULT_TOLERANCE_KM
) -> list[CheckRow]:
    """Our facts against one Wikidata entity: a row per check, never an exception."""

    def row(check: str, mine: object, theirs: object, result: str) -> CheckRow:
        return CheckRow(
            ours.iri,
            ours.qid,
            check,
            "" if mine is None else str(mine),
            "" if theirs is None else str(theirs),
            result,
        )

    if entity is None:
        return [row("entity", ours.qid, None, "no-data")]
    rows = []
    if entity.get("id") and entity.get("id") != ours.qid:
        rows.append(row("id", ours.qid, entity.get("id"), "differ"))
    label = entity.get("labels", {}).get("en", {}).get("value")
    aliases = {a.get("value", "").casefold() for a in entity.get("aliases", {}).get("en", [])}
    if label is None:
        rows.append(row("label", ours.label, None, "missing-in-wikidata"))
    else:
        same = ours.label.casefold() in {label.casefold(), *aliases}
        rows.append(row("label", ours.label, label, "agree" if same else "differ"))
    if ours.country_qid:
        countries = _item_ids(_claims(entity, "P17"))
        result = (
            "agree"
            if ours.country_qid in countries
            else ("differ" if countries else "missing-in-wikidata")
        )
        rows.append(row("country (P17)", ours.country_qid, " ".join(countries), result))
    if ours.latitude is not None and ours.longitude is not None:
        points = [v for v in _claims(entity, "P625") if isinstance(v, dict)]
        if not points:
            rows.append(
                row(
                    "coordinates (P625)",
                    f"{ours.latitude} {ours.longitude}",
                    None,
                    "missing-in-wikidata",
                )
            )
        else:
            best = min(
                distance_km(ours.latitude, ours.longitude, p["latitude"], p["longitude"])
                for p in points
            )
            theirs = " | ".join(f"{p['latitude']} {p['longitude']}" for p in points)
            rows.append(
                row(
                    "coordinates (P625)",
                    f"{ours.latitude} {ours.longitude}",
                    f"{theirs} ({best:.1f} km)",
                    "agree" if best <= tolerance_km else "differ",
                )
            )
    for check, prop, value in (
        ("ISO alpha-2 (P297)", "P297", ours.iso2),
        ("ISO alpha-3 (P298)", "P298", ours.iso3),
        ("GeoNames ID (P1566)", "P1566", ours.geonames_id),
    ):
        if value is None:
            continue
        theirs_values = [str(v) for v in _claims(entity, prop)]
        result = (
            "agree"
            if value in theirs_values
            else ("differ" if theirs_values else "missing-in-wikidata")
        )
        rows.append(row(check, value, " ".join(theirs_values), result))
    instance_of = _item_ids(_claims(entity, "P31"))
    rows.append(row("instance of (P31)", ours.kind, " ".join(instance_of), "info"))
    return rows


def check_all(
    graph: Graph,
    documents: Mapping[str, Mapping[str, Any] | None],
    tolerance_km: float = DEFAULT_TOLERANCE_KM,
) -> list[CheckRow]:
    rows = []
    for facts in our_facts(graph):
        document = documents.get(facts.qid)
        entity = entity_from_document(document, facts.qid) if document else None
        rows.extend(compare(facts, entity, tolerance_km))
    return rows


def as_table(rows: list[CheckRow]) -> str:
    headers = ("entity", "qid", "check", "ours", "wikidata", "result")
    cells = [
        [
            r.entity.removeprefix(str(ID)),
            r.qid,
            r.check,
            r.ours,
            r.wikidata,
            r.result,
        ]
        for r in rows
    ]
    widths = [
        min(40, max(len(h), *(len(c[i]) for c in cells))) if cells else len(h)
        for i, h in enumerate(headers)
    ]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for c in cells:
        lines.append("  ".join(v[:w].ljust(w) for v, w in zip(c, widths, strict=True)))
    summary: dict[str, int] = {}
    for r in rows:
        summary[r.result] = summary.get(r.result, 0) + 1
    lines.append("")
    lines.append("summary: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.items())))
    return "\n".join(lines)


def as_json(rows: list[CheckRow]) -> str:
    return json.dumps([asdict(r) for r in rows], indent=2, ensure_ascii=False)


# -- QuickStatements -------------------------------------------------------------------------------

ALLIANCE = iris.mint("organisation", "g20-global-smart-cities-alliance")
COMMITMENT_DATE = "+2020-11-17T00:00:00Z/11"


def _reference_url(graph: Graph, subject: URIRef) -> str | None:
    """The first web address among the sources of *subject* (QuickStatements S854)."""
    for source in sorted(graph.objects(subject, PROV.wasDerivedFrom), key=str):
        url = graph.value(source, SCHEMA.url)
        if url is not None:
            return str(url)
    return None


def quickstatements(graph: Graph, documents: Mapping[str, Mapping[str, Any] | None]) -> str:
    """QuickStatements (v1, tab-separated) for sourced facts Wikidata lacks.

    * The alliance has no Wikidata item: one is created (labels and description), and each
      pioneer city with a verified item gets "member of" (P463) the new item, from
      2020-11-17 (P580), with the source's web address as reference (S854).
    * A city's GeoNames ID (P1566), where the recorded entity lacks one.
    """
    lines = [
        "CREATE",
        'LAST\tLen\t"G20 Global Smart Cities Alliance"',
        'LAST\tDen\t"alliance of cities for the governance of smart-city technology, '
        'hosted by the World Economic Forum"',
    ]
    for facts in our_facts(graph):
        if facts.kind != "city":
            continue
        city = URIRef(facts.iri)
        commitment = next(iter(graph.subjects(SCG.committedCity, city)), None)
        reference = _reference_url(graph, commitment) if isinstance(commitment, URIRef) else None
        if reference is None:
            continue  # a statement without a reference is not proposed
        lines.append(f'{facts.qid}\tP463\tLAST\tP580\t{COMMITMENT_DATE}\tS854\t"{reference}"')
        document = documents.get(facts.qid)
        entity = entity_from_document(document, facts.qid) if document else None
        if entity is not None and facts.geonames_id and not _claims(entity, "P1566"):
            source = _reference_url(graph, city)
            if source:
                lines.append(f'{facts.qid}\tP1566\t"{facts.geonames_id}"\tS854\t"{source}"')
    return "\n".join(lines) + "\n"
