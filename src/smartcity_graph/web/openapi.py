"""``/openapi.json``: an OpenAPI 3 description of every route, written here by hand.

The handlers read their own parameters (the SPARQL protocol, content negotiation, profiles,
the reconciliation API), so FastAPI cannot see what they take or answer: this module says
it, route by route, with every parameter, request body, status and media type.
``tests/test_openapi.py`` checks it against the app's routes and runs schemathesis over it
against a live server. Read-only: only GET, and POST where a protocol needs it (SPARQL
queries, reconciliation batches); HEAD is answered wherever GET is and not listed.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.responses import Response

from .. import formats
from ..query.protocol import BOOLEAN_FORMATS, GRAPH_FORMATS, SOLUTION_FORMATS
from .common import DOCUMENT_FORMATS, AppState

PATH = "/openapi.json"
VERSION = "3.0.3"

Json = dict[str, Any]

_STRING: Json = {"type": "string"}
_TEXT = {"text/plain": {"schema": _STRING}}
_HTML = {"text/html": {"schema": _STRING}}
#: What a 404 is: a page for browsers, plain text for everyone else.
_NOT_FOUND: Json = {"description": "Not found", "content": {**_HTML, **_TEXT}}
_NOT_ACCEPTABLE: Json = {
    "description": "None of the formats offered fits Accept",
    "content": _TEXT,
}
_NOT_MODIFIED: Json = {"description": "Not modified (If-None-Match or If-Modified-Since)"}
_INVALID: Json = {
    "description": "A parameter is not of its type (FastAPI's validation error)",
    "content": {"application/json": {"schema": {"type": "object"}}},
}
#: An integer as FastAPI reads one from a query string: also "3.0" (an integral number).
_INTEGRAL: Json = {"type": "number", "multipleOf": 1}
_RETRY_AFTER: Json = {
    "Retry-After": {"description": "Seconds to wait before retrying", "schema": _STRING}
}


#: What a body in a JSON media type is, where nothing more precise is said.
_JSON_BODIES: dict[str, Json] = {
    "application/sparql-results+json": {
        "type": "object",
        "required": ["head"],
        "properties": {
            "head": {"type": "object"},
            "results": {"type": "object"},
            "boolean": {"type": "boolean"},
        },
    },
    "application/ld+json": {},  # a JSON-LD document: an object or an array
}


def _body_schema(media: str) -> Json:
    if media in _JSON_BODIES:
        return _JSON_BODIES[media]
    if media.endswith(("/json", "+json")):
        return {"type": "object"}
    return _STRING


def _content(*media_types: str, schema: Json | None = None) -> Json:
    return {media: {"schema": schema or _body_schema(media)} for media in media_types}


def _query(name: str, description: str, schema: Json | None = None, **more: Any) -> Json:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or _STRING,
        **more,
    }


def _path(name: str, description: str, example: str) -> Json:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": _STRING,
        "example": example,
    }


def _header(name: str, description: str) -> Json:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "description": description,
        "schema": _STRING,
    }


_ACCEPT = _header("Accept", "The media types wanted, with q-values (content negotiation)")
_IF_NONE_MATCH = _header("If-None-Match", "ETags the client holds (304 when one matches)")
_ACCEPT_PROFILE = _header("Accept-Profile", "Profile IRIs wanted, with q-values")
_PROFILE = _query(
    "_profile",
    "A view of the resource: full, schema, wikidata, or alt (the list of views); any other "
    "token gets the default view, as W3C Content Negotiation by Profile says",
    example="schema",
)
_MEDIATYPE = _query("_mediatype", "A media type, in place of Accept")
_CALLBACK = _query("callback", "JSONP: a JavaScript identifier to wrap the JSON in")

_RDF_DOCUMENT_TYPES = tuple(f.media_type for f in DOCUMENT_FORMATS)
_PAGE_TYPES = (*_RDF_DOCUMENT_TYPES, formats.HTML.media_type)


def _sparql_types() -> tuple[str, ...]:
    """Every media type a SPARQL query can be answered in, and the service description's."""
    found: list[str] = []
    for fmt in (*SOLUTION_FORMATS, *BOOLEAN_FORMATS, *GRAPH_FORMATS):
        if fmt.media_type not in found:
            found.append(fmt.media_type)
    return (*found, formats.HTML.media_type)


_SPARQL_PARAMETERS = [
    _query(
        "query",
        "The SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE)",
        example="SELECT ?city WHERE { ?city a <https://schema.org/City> } LIMIT 3",
    ),
    _query(
        "default-graph-uri",
        "IRIs of the graphs that make the default graph (replaces FROM)",
        {"type": "array", "items": _STRING},
        style="form",
        explode=True,
    ),
    _query(
        "named-graph-uri",
        "IRIs of the named graphs (replaces FROM NAMED)",
        {"type": "array", "items": _STRING},
        style="form",
        explode=True,
    ),
    _query("format", "The result format: a short name (json, xml, csv, tsv, ttl, …) or a type"),
]


def _sparql_responses() -> Json:
    return {
        "200": {
            "description": "The results in the negotiated format; without a query, the SPARQL "
            "Service Description (RDF) or, for browsers, the query editor (HTML)",
            "headers": {
                "SPARQL-Results-Truncated": {
                    "description": "true; limit=N when the results were cut at max_rows",
                    "schema": _STRING,
                }
            },
            "content": _content(*_sparql_types()),
        },
        "400": {"description": "A malformed query or request", "content": _TEXT},
        "403": {
            "description": "An update, or SERVICE: this endpoint is read-only and never calls out",
            "content": _TEXT,
        },
        "406": _NOT_ACCEPTABLE,
        "413": {"description": "The query is longer than max_query_bytes", "content": _TEXT},
        "415": {"description": "A body in another media type or charset", "content": _TEXT},
        "429": {
            "description": "This client has max_queries_per_client queries running",
            "headers": _RETRY_AFTER,
            "content": _TEXT,
        },
        "503": {
            "description": "max_queries queries running (load shedding), or the query "
            "ran past query_timeout and was stopped",
            "headers": _RETRY_AFTER,
            "content": _TEXT,
        },
    }


def _sparql() -> Json:
    form_schema: Json = {
        "type": "object",
        "properties": {
            "query": _STRING,
            "default-graph-uri": {"type": "array", "items": _STRING},
            "named-graph-uri": {"type": "array", "items": _STRING},
            "format": _STRING,
        },
    }
    return {
        "get": {
            "summary": "SPARQL 1.1 query (GET), the service description, or the query editor",
            "operationId": "sparqlGet",
            "parameters": [*_SPARQL_PARAMETERS, _ACCEPT],
            "responses": _sparql_responses(),
        },
        "post": {
            "summary": "SPARQL 1.1 query (POST: a form, or the query as the body)",
            "operationId": "sparqlPost",
            "parameters": [p for p in _SPARQL_PARAMETERS if p["name"] != "query"] + [_ACCEPT],
            "requestBody": {
                "required": True,
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": form_schema,
                        "encoding": {
                            "default-graph-uri": {"style": "form", "explode": True},
                            "named-graph-uri": {"style": "form", "explode": True},
                        },
                    },
                    "application/sparql-query": {"schema": _STRING},
                },
            },
            "responses": _sparql_responses(),
        },
    }


def _page(
    summary: str, operation: str, parameters: list[Json], ok: str, profiles: bool = True
) -> Json:
    """A resource-like GET: conneg over the RDF formats and HTML (by suffix, ``_mediatype``
    or ``Accept``), views by profile where *profiles*, ETag."""
    negotiation = [_MEDIATYPE, _ACCEPT, _IF_NONE_MATCH]
    if profiles:
        negotiation += [_PROFILE, _ACCEPT_PROFILE]
    return {
        "get": {
            "summary": summary,
            "operationId": operation,
            "parameters": [*parameters, *negotiation],
            "responses": {
                "200": {"description": ok, "content": _content(*_PAGE_TYPES)},
                "304": _NOT_MODIFIED,
                "404": _NOT_FOUND,
                "406": _NOT_ACCEPTABLE,
            },
        }
    }


_JSON_OBJECT: Json = {"type": "object"}
_RECONCILE_JSON = _content("application/json", schema=_JSON_OBJECT)
_JSONP = _content("application/javascript")
_RECONCILE_ERRORS: Json = {
    "400": {"description": "A malformed request or callback", "content": _TEXT},
    "413": {
        "description": "Too many queries in a batch, or too large a body",
        "content": _TEXT,
    },
}


def _reconcile_get(summary: str, operation: str, parameters: list[Json], typed: bool) -> Json:
    responses: Json = {
        "200": {
            "description": "JSON (JSONP with callback)",
            "content": {**_RECONCILE_JSON, **_JSONP},
        },
        **_RECONCILE_ERRORS,
    }
    if typed:
        responses["422"] = _INVALID
    return {
        "get": {
            "summary": summary,
            "operationId": operation,
            "parameters": [*parameters, _CALLBACK],
            "responses": responses,
        }
    }


def _reconcile() -> Json:
    batch = 'A batch of reconciliation queries, as JSON: {"q0": {"query": …}, …}'
    extend = 'A data extension query, as JSON: {"ids": […], "properties": […]}'
    answer: Json = {
        "200": {
            "description": "The service manifest (no queries), or the batch's results",
            "content": {**_RECONCILE_JSON, **_JSONP},
        },
        **_RECONCILE_ERRORS,
    }
    return {
        "get": {
            "summary": "W3C Reconciliation API: the manifest, or a batch in the query string",
            "operationId": "reconcileGet",
            "parameters": [_query("queries", batch), _query("extend", extend), _CALLBACK],
            "responses": answer,
        },
        "post": {
            "summary": "W3C Reconciliation API: a batch or an extension, as a form or JSON",
            "operationId": "reconcilePost",
            "parameters": [_CALLBACK],
            "requestBody": {
                "required": False,
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "properties": {"queries": _STRING, "extend": _STRING},
                        }
                    },
                    "application/json": {"schema": _JSON_OBJECT},
                },
            },
            "responses": answer,
        },
    }


def _simple_get(summary: str, operation: str, responses: Json, parameters: Any = ()) -> Json:
    return {
        "get": {
            "summary": summary,
            "operationId": operation,
            "parameters": list(parameters),
            "responses": responses,
        }
    }


def document(state: AppState) -> Json:
    """The OpenAPI description of this app, serving *state*'s release."""
    file_types = sorted(
        {formats.for_filename(name) for name in state.served.files} | {"application/json"}
    )
    health: Json = {
        "type": "object",
        "required": ["status"],
        "properties": {"status": {"type": "string", "enum": ["ok", "loading"]}},
    }
    hit: Json = {
        "type": "object",
        "required": ["name", "kind", "description", "href"],
        "properties": dict.fromkeys(("name", "kind", "description", "href"), _STRING),
    }
    slug = _path(
        "slug",
        "The resource's slug, with an optional format suffix (.ttl, .jsonld, .nt, .rdf, .html)",
        "milan",
    )
    paths: Json = {
        "/": _simple_get(
            "The landing page",
            "landing",
            {"200": {"description": "HTML", "content": _HTML}, "304": _NOT_MODIFIED},
            [_IF_NONE_MATCH],
        ),
        "/sparql": _sparql(),
        "/id/{kind}/{slug}": _page(
            "A resource, by content negotiation or by suffix",
            "resource",
            [
                _path("kind", "The kind of thing: city, country, person, quote, …", "city"),
                slug,
                _query("links", "On a page: the property whose incoming links to page through"),
                _query("page", "On a page: which page of those links (from 1)"),
            ],
            "The resource's description in the negotiated format and view",
        ),
        "/def": _page(
            "The ontology",
            "ontology",
            [],
            "The ontology (documentation for browsers)",
            profiles=False,
        ),
        "/def.{ext}": _page(
            "The ontology in the format of a suffix",
            "ontologyBySuffix",
            [_path("ext", "A format suffix: ttl, jsonld, nt, rdf, html", "ttl")],
            "The ontology",
            profiles=False,
        ),
        "/def/{Term}": _page(
            "An ontology term",
            "term",
            [
                _path(
                    "Term",
                    "The term's local name, with an optional format suffix",
                    "RoadmapCommitment",
                )
            ],
            "The term (documentation for browsers)",
        ),
        "/shapes": _simple_get(
            "The SHACL shapes in words (browsers); RDF clients are sent to shapes.ttl",
            "shapes",
            {
                "200": {"description": "HTML", "content": _HTML},
                "303": {"description": "See the published shapes.ttl"},
                "304": _NOT_MODIFIED,
                "404": _NOT_FOUND,
            },
            [_ACCEPT, _IF_NONE_MATCH],
        ),
        "/search": _simple_get(
            "Search by name, without case or diacritics",
            "search",
            {
                "200": {
                    "description": "Hits: a page, or JSON for Accept: application/json",
                    "content": {
                        **_HTML,
                        "application/json": {"schema": {"type": "array", "items": hit}},
                    },
                },
            },
            [
                _query(
                    "q", "The text to look for (at most 200 characters are used)", example="Bogota"
                ),
                _ACCEPT,
            ],
        ),
        "/release/{name}": _simple_get(
            "A release file, or manifest.json",
            "releaseFile",
            {
                "200": {
                    "description": "The file (gzip where asked for)",
                    "content": _content(*file_types),
                },
                "304": _NOT_MODIFIED,
                "404": _NOT_FOUND,
            },
            [
                _path("name", "The file's name, as manifest.json lists it", "cities.csv"),
                _IF_NONE_MATCH,
                _header("If-Modified-Since", "An HTTP date (304 when not modified since)"),
                _header("Accept-Encoding", "gzip is honoured"),
            ],
        ),
        "/.well-known/void": _simple_get(
            "The dataset description (VoID + DCAT)",
            "void",
            {
                "200": {
                    "description": "RDF by Accept, or a page for browsers",
                    "content": _content(*_PAGE_TYPES),
                },
                "304": _NOT_MODIFIED,
                "404": _NOT_FOUND,
                "406": _NOT_ACCEPTABLE,
            },
            [_ACCEPT, _IF_NONE_MATCH],
        ),
        "/reconcile": _reconcile(),
        "/reconcile/propose_properties": _reconcile_get(
            "Properties a reconciled column can be extended with",
            "proposeProperties",
            [
                _query("type", "A type id (City, Country, Organization, Person)"),
                _query("limit", "Most properties returned (0 = all)", _INTEGRAL),
            ],
            typed=True,
        ),
        "/reconcile/suggest/entity": _reconcile_get(
            "Entities whose names start with a prefix",
            "suggestEntity",
            [
                _query("prefix", "What the user typed", example="Mil"),
                _query("cursor", "How many results to skip", _INTEGRAL),
                _query("type", "Only entities of this type"),
            ],
            typed=True,
        ),
        "/reconcile/suggest/type": _reconcile_get(
            "Types whose names start with a prefix",
            "suggestType",
            [_query("prefix", "What the user typed", example="Mil")],
            typed=False,
        ),
        "/reconcile/suggest/property": _reconcile_get(
            "Properties whose names start with a prefix",
            "suggestProperty",
            [_query("prefix", "What the user typed", example="Mil")],
            typed=False,
        ),
        "/reconcile/preview": _simple_get(
            "An entity's preview, for OpenRefine's frame",
            "reconcilePreview",
            {
                "200": {"description": "HTML", "content": _HTML},
                "404": {"description": "Unknown id", "content": _HTML},
            },
            [_query("id", "The entity's id", example="city/milan")],
        ),
        "/reconcile/flyout/entity": _simple_get(
            "An entity's flyout",
            "reconcileFlyout",
            {
                "200": {
                    "description": "JSON (JSONP with callback)",
                    "content": {**_RECONCILE_JSON, **_JSONP},
                },
                "400": {"description": "A malformed callback", "content": _TEXT},
                "404": {"description": "Unknown id", "content": _RECONCILE_JSON},
            },
            [_query("id", "The entity's id", example="city/milan"), _CALLBACK],
        ),
        "/health": _simple_get(
            "Whether the store is loaded, with the engine's workers and counters",
            "health",
            {
                "200": {
                    "description": "Serving",
                    "content": _content("application/json", schema=health),
                },
                "503": {
                    "description": "Still loading",
                    "content": _content("application/json", schema=health),
                },
            },
        ),
        "/static/examples.json": _simple_get(
            "The query editor's example queries",
            "examples",
            {
                "200": {
                    "description": "name and query of each example",
                    "content": _content(
                        "application/json",
                        schema={
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["name", "query"],
                                "properties": {"name": _STRING, "query": _STRING},
                            },
                        },
                    ),
                },
                "304": _NOT_MODIFIED,
            },
            [_IF_NONE_MATCH],
        ),
        PATH: _simple_get(
            "This description",
            "openapi",
            {
                "200": {
                    "description": "OpenAPI 3",
                    "content": _content("application/json", schema=_JSON_OBJECT),
                }
            },
        ),
    }
    return {
        "openapi": VERSION,
        "info": {
            "title": "smartcity-graph",
            "version": "1",
            "description": "The G20 Global Smart Cities Alliance pioneer cities as linked open "
            "data: a read-only SPARQL 1.1 endpoint, resource documents by content "
            "negotiation, the release files, and a W3C Reconciliation API service.",
        },
        "paths": paths,
    }


def routes(app: FastAPI, state: AppState) -> None:
    made: list[bytes] = []

    @app.get(PATH)
    async def openapi() -> Response:
        if not made:
            made.append(json.dumps(document(state), indent=1).encode("utf-8"))
        return Response(made[0], media_type="application/json")
