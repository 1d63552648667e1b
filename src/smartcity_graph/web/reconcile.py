"""``/reconcile``: the W3C Entity Reconciliation API (0.2, as OpenRefine speaks it)."""

from __future__ import annotations

import asyncio
import json
import re
from collections import defaultdict
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from .. import iris
from ..errors import SmartCityGraphError
from ..integrate.reconcile import (
    TYPES,
    Entity,
    QueryError,
    Value,
    extend,
    propose_properties,
    reconcile_batch,
    suggest_entities,
    suggest_properties,
    suggest_types,
)
from ..namespaces import ID, sparql_prologue
from .common import AppState, root_url, select
from .render import render

#: Previews are shown inside OpenRefine (a sandboxed iframe on another origin): they may be
#: framed by anyone, and run no script at all.
PREVIEW_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors *"
_CALLBACK = re.compile(r"^[A-Za-z_$][\w$]{0,63}(\.[A-Za-z_$][\w$]{0,63}){0,3}$")
ENTITIES_QUERY = (
    sparql_prologue("schema", "scg")
    + """
SELECT ?e ?type ?name ?alt WHERE {
  VALUES ?type { schema:City schema:Country schema:Organization schema:Person }
  ?e a ?type ; schema:name ?name .
  OPTIONAL { { ?e schema:alternateName ?alt } UNION { ?e scg:nameInRelease ?alt } }
}"""
)
FACTS_QUERY = (
    sparql_prologue("schema", "scg", "owl", "geo")
    + """
SELECT ?e ?key ?value WHERE {
  { ?e schema:containedInPlace ?c BIND("country" AS ?key) BIND(STR(?c) AS ?value) }
  UNION { ?e schema:containedInPlace/schema:name ?value BIND("country" AS ?key) }
  UNION { ?e schema:containedInPlace/scg:iso3166Alpha2 ?value BIND("country" AS ?key) }
  UNION { ?e schema:containedInPlace/scg:iso3166Alpha3 ?value BIND("country" AS ?key) }
  UNION { ?e schema:containedInPlace/owl:sameAs ?w BIND("country" AS ?key)
          BIND(STR(?w) AS ?value) }
  UNION { ?e schema:containedInPlace/owl:sameAs ?w BIND("country" AS ?key)
          BIND(STRAFTER(STR(?w), "/entity/") AS ?value) }
  UNION { ?e schema:containedInPlace/schema:name ?value BIND("country_label" AS ?key) }
  UNION { ?e schema:affiliation/schema:name ?value BIND("affiliation_label" AS ?key) }
  UNION { ?e scg:continent ?k BIND("continent" AS ?key) BIND(STR(?k) AS ?value) }
  UNION { ?e scg:continent/schema:name ?value BIND("continent" AS ?key) }
  UNION { ?e scg:iso3166Alpha2 ?value BIND("iso2" AS ?key) }
  UNION { ?e schema:affiliation ?o BIND("affiliation" AS ?key) BIND(STR(?o) AS ?value) }
  UNION { ?e schema:affiliation/schema:name ?value BIND("affiliation" AS ?key) }
  UNION { ?e owl:sameAs ?w BIND("wikidata" AS ?key) BIND(STR(?w) AS ?value) }
  UNION { ?e owl:sameAs ?w BIND("wikidata" AS ?key)
          BIND(STRAFTER(STR(?w), "/entity/") AS ?value) }
  UNION { ?e schema:jobTitle ?value BIND("job" AS ?key) }
  UNION { ?e geo:lat ?value BIND("latitude" AS ?key) }
  UNION { ?e geo:long ?value BIND("longitude" AS ?key) }
}"""
)


EXTEND_QUERY = (
    sparql_prologue("schema", "scg", "owl", "geo", "skos")
    + """
SELECT ?e ?key ?value ?label WHERE {
  VALUES ?type { schema:City schema:Country schema:Organization schema:Person }
  ?e a ?type .
  { ?e schema:containedInPlace ?value BIND("country" AS ?key)
    OPTIONAL { ?value schema:name ?label } }
  UNION { ?e schema:containedInPlace/scg:iso3166Alpha2 ?value BIND("country_iso2" AS ?key) }
  UNION { ?e schema:containedInPlace/scg:iso3166Alpha3 ?value BIND("country_iso3" AS ?key) }
  UNION { ?e scg:continent ?value BIND("continent" AS ?key) OPTIONAL { ?value schema:name ?label } }
  UNION { ?e geo:lat ?value BIND("latitude" AS ?key) }
  UNION { ?e geo:long ?value BIND("longitude" AS ?key) }
  UNION { ?e scg:geonamesId ?value BIND("geonames_id" AS ?key) }
  UNION { ?e owl:sameAs ?w BIND("wikidata" AS ?key) BIND(STRAFTER(STR(?w), "/entity/") AS ?value) }
  UNION { ?c scg:committedCity ?e ; scg:policyArea ?value BIND("policy_areas" AS ?key)
          OPTIONAL { ?value skos:prefLabel ?label } }
  UNION { ?e scg:nameInRelease ?value BIND("name_in_release" AS ?key) }
  UNION { ?e scg:iso3166Alpha2 ?value BIND("iso2" AS ?key) }
  UNION { ?e scg:iso3166Alpha3 ?value BIND("iso3" AS ?key) }
  UNION { ?value schema:containedInPlace ?e ; a schema:City BIND("cities" AS ?key)
          OPTIONAL { ?value schema:name ?label } }
  UNION { ?e schema:url ?value BIND("url" AS ?key) }
  UNION { ?e schema:areaServed ?value BIND("area_served" AS ?key)
          OPTIONAL { ?value schema:name ?label } }
  UNION { ?e schema:jobTitle ?value BIND("job_title" AS ?key) }
  UNION { ?e schema:affiliation ?value BIND("affiliation" AS ?key)
          OPTIONAL { ?value schema:name ?label } }
}"""
)


async def load_values(state: AppState) -> dict[str, dict[str, list[Value]]]:
    """Every extension value of every reconcilable entity, by entity id and property."""
    values: dict[str, dict[str, list[Value]]] = defaultdict(lambda: defaultdict(list))
    for row in await select(state, EXTEND_QUERY):
        if "value" not in row:
            continue
        entity = row["e"]["value"].removeprefix(str(ID))
        raw = row["value"]["value"]
        value = Value(raw.removeprefix(str(ID)), row.get("label", {}).get("value", ""))
        cells = values[entity][row["key"]["value"]]
        if value not in cells:
            cells.append(value)
    for by_property in values.values():
        for cells in by_property.values():
            cells.sort(key=lambda v: (v.label, v.value))
    return values


class ReconcileError(SmartCityGraphError):
    http_status = 400


class ReconcileTooLarge(SmartCityGraphError):
    http_status = 413


async def cached_entities(state: AppState) -> list[Entity]:
    """:func:`load_entities`, once per served release (reconciliation and search share it)."""
    if state.entities is None:
        state.entities = await load_entities(state)
    return state.entities


async def load_entities(state: AppState) -> list[Entity]:
    """Every reconcilable entity, with its names and the facts constraints are checked on."""

    names: dict[str, list[str]] = defaultdict(list)
    types: dict[str, str] = {}
    primary: dict[str, str] = {}
    for row in await select(state, ENTITIES_QUERY):
        iri = row["e"]["value"]
        kind = row["type"]["value"].rsplit("/", 1)[-1]
        types.setdefault(iri, kind)
        primary.setdefault(iri, row["name"]["value"])
        for key in ("name", "alt"):
            if key in row and row[key]["value"] not in names[iri]:
                names[iri].append(row[key]["value"])
    facts: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in await select(state, FACTS_QUERY):
        if "value" in row:
            facts[row["e"]["value"]][row["key"]["value"]].append(row["value"]["value"])
    entities = []
    for iri in sorted(types):
        kind = types[iri]
        fact = facts.get(iri, {})
        description = {
            "City": f"City in {_first_name(fact.get('country_label', []))}",
            "Country": f"Country ({', '.join(sorted(v for v in fact.get('iso2', [])))})",
            "Organization": "Organisation",
            "Person": (fact.get("job") or ["Person"])[0],
        }[kind]
        entities.append(
            Entity(
                id=iri.removeprefix(str(ID)),
                iri=iri,
                name=primary[iri],
                type=kind,
                names=tuple(names[iri]),
                description=description,
                facts={key: tuple(values) for key, values in fact.items()},
            )
        )
    return entities


def _first_name(values: list[str]) -> str:
    """The label to show: a name, never an IRI or an id (the values are names only)."""
    return sorted(values)[0] if values else "?"


def manifest(root: str) -> dict[str, Any]:
    service = root.rstrip("/")
    return {
        "versions": ["0.2"],
        "name": "smartcity-graph: G20 Global Smart Cities Alliance pioneer cities",
        "identifierSpace": str(ID),
        "schemaSpace": "https://schema.org/",
        "defaultTypes": [{"id": t, "name": name} for t, name in TYPES.items()],
        "view": {"url": root + "id/{{id}}"},
        "preview": {"url": root + "reconcile/preview?id={{id}}", "width": 430, "height": 130},
        "extend": {
            "propose_properties": {
                "service_url": service,
                "service_path": "/reconcile/propose_properties",
            },
            "property_settings": [],
        },
        "suggest": {
            "entity": {
                "service_url": service,
                "service_path": "/reconcile/suggest/entity",
                "flyout_service_path": "/reconcile/flyout/entity?id=${id}",
            },
            "type": {"service_url": service, "service_path": "/reconcile/suggest/type"},
            "property": {"service_url": service, "service_path": "/reconcile/suggest/property"},
        },
    }


def respond(request: Request, payload: Any) -> Response:
    """JSON, or JSONP when a (well-formed) ``callback`` is given, as older clients ask."""
    callback = request.query_params.get("callback")
    if callback is None:
        return JSONResponse(payload)
    if not _CALLBACK.match(callback):
        raise ReconcileError("'callback' must be a JavaScript identifier")
    body = f"/**/{callback}({json.dumps(payload)});"
    return Response(body, media_type="application/javascript")


#: Most queries in one batch (OpenRefine sends 10) and largest request body.
MAX_BATCH = 100
MAX_BODY = 256 * 1024


async def read_request(request: Request) -> tuple[Any, Any]:
    """(``queries``, ``extend``): each from the query string, a form field or a JSON body,
    parsed as JSON; ``None`` where absent. The body is read once, and never beyond
    :data:`MAX_BODY`."""
    raw: dict[str, str | None] = {
        name: request.query_params.get(name) for name in ("queries", "extend")
    }
    found: dict[str, Any] = {}
    if request.method == "POST" and raw["queries"] is None and raw["extend"] is None:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        chunks, size = [], 0
        async for chunk in request.stream():  # never buffer more than MAX_BODY
            size += len(chunk)
            if size > MAX_BODY:
                raise ReconcileTooLarge(f"the request body is larger than {MAX_BODY} bytes")
            chunks.append(chunk)
        body = b"".join(chunks).decode("utf-8", errors="replace")
        if content_type == "application/json":
            try:
                document = json.loads(body)
            except ValueError as exc:
                raise ReconcileError(f"the JSON body does not parse: {exc}") from exc
            if isinstance(document, dict) and "extend" in document:
                return None, document["extend"]
            queries = document.get("queries", document) if isinstance(document, dict) else document
            return queries, None
        form = dict(parse_qsl(body, keep_blank_values=True))
        raw = {name: form.get(name) for name in ("queries", "extend")}
    for name, text in raw.items():
        if text is None:
            found[name] = None
            continue
        try:
            found[name] = json.loads(text)
        except ValueError as exc:
            raise ReconcileError(f"'{name}' is not valid JSON: {exc}") from exc
    return found["queries"], found["extend"]


def router(state: AppState) -> APIRouter:
    routes = APIRouter()
    extension: dict[str, dict[str, dict[str, list[Value]]]] = {}

    async def entities() -> list[Entity]:
        return await cached_entities(state)

    async def values() -> dict[str, dict[str, list[Value]]]:
        if "all" not in extension:
            extension["all"] = await load_values(state)
        return extension["all"]

    def root(request: Request) -> str:

        return root_url(state, request)

    @routes.api_route("/reconcile", methods=["GET", "POST"])
    async def reconcile(request: Request) -> Response:
        queries, extension_query = await read_request(request)
        if extension_query is not None:
            try:
                return respond(request, extend(await values(), extension_query))
            except QueryError as exc:
                raise ReconcileError(str(exc)) from exc
        if queries is None:
            return respond(request, manifest(root(request)))
        if isinstance(queries, dict) and len(queries) > MAX_BATCH:
            raise ReconcileTooLarge(f"at most {MAX_BATCH} queries per batch")
        known = await entities()
        try:
            # Scoring is CPU work: off the event loop, so other requests keep being answered.
            return respond(request, await asyncio.to_thread(reconcile_batch, known, queries))
        except QueryError as exc:
            raise ReconcileError(str(exc)) from exc

    @routes.get("/reconcile/propose_properties")
    async def propose(request: Request, type: str = "", limit: int = 0) -> Response:
        try:
            return respond(request, propose_properties(type, limit or None))
        except QueryError as exc:
            raise ReconcileError(str(exc)) from exc

    @routes.get("/reconcile/suggest/entity")
    async def suggest_entity(
        request: Request, prefix: str = "", cursor: int = 0, type: str = ""
    ) -> Response:
        try:
            found = suggest_entities(await entities(), prefix, limit=cursor + 10, type=type)
        except QueryError as exc:
            raise ReconcileError(str(exc)) from exc
        return respond(request, {"result": found[cursor:]})

    @routes.get("/reconcile/suggest/type")
    async def suggest_type(request: Request, prefix: str = "") -> Response:
        return respond(request, {"result": suggest_types(prefix)})

    @routes.get("/reconcile/suggest/property")
    async def suggest_property(request: Request, prefix: str = "") -> Response:
        return respond(request, {"result": suggest_properties(prefix)})

    async def find(entity_id: str) -> Entity | None:
        return next((e for e in await entities() if e.id == entity_id), None)

    @routes.get("/reconcile/preview")
    async def preview(request: Request, id: str = "") -> Response:
        entity = await find(id)
        if entity is None:
            return HTMLResponse("<p>Unknown id.</p>", status_code=404)
        page = render(
            "reconcile_preview.html", entity=entity, href=iris.to_local(entity.iri, root(request))
        )
        return HTMLResponse(page, headers={"Content-Security-Policy": PREVIEW_CSP})

    @routes.get("/reconcile/flyout/entity")
    async def flyout(request: Request, id: str = "") -> Response:
        entity = await find(id)
        if entity is None:
            return JSONResponse({"id": id, "html": "<p>Unknown id.</p>"}, status_code=404)
        html = render(
            "reconcile_preview.html", entity=entity, href=iris.to_local(entity.iri, root(request))
        )
        return respond(request, {"id": entity.id, "html": html})

    return routes
