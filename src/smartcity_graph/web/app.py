"""The FastAPI application: ``create_app(settings, served)``.

Routes (each handler parses, calls the core or the engine, responds):

======================  ============================================================
``/health``              200 once the store is loaded
``/sparql``              SPARQL 1.1 Protocol (GET, POST form, POST sparql-query);
                         without a query: the service description, or the query UI
``/``                    landing page with the downloads
``/release/{file}``      release files with ETag, Last-Modified, 304, gzip
``/.well-known/void``    the dataset description
``/id/{kind}/{slug}``    every resource, by conneg or by suffix (.ttl .jsonld .nt .rdf .html)
``/def``, ``/def/{T}``   the ontology and each of its terms
``/shapes``              303 to the published SHACL shapes
======================  ============================================================
"""

from __future__ import annotations

import contextlib
import email.utils
import gzip
import hashlib
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import formats, iris, profiles
from ..describe import curie, resource_view
from ..errors import SmartCityGraphError
from ..namespaces import BASE, DCTERMS, PREFIXES, RDF, SD, VOID
from ..render import render
from ..serialize import serialize
from ..settings import Settings
from ..sparql import (
    BadQuery,
    QueryRefused,
    QueryTooLarge,
    choose_result_format,
    inspect_query,
    parse_graph_uris,
)
from ..store import EmbeddedEngine, Engine, QueryRequest, RemoteEngine
from .content import Served
from .reconcile import router as reconcile_router

STATIC = Path(__file__).resolve().parent.parent / "static"
DOCUMENT_FORMATS = tuple(f for f in formats.RDF_FORMATS if not f.quads)
PAGE_OFFERS = (*DOCUMENT_FORMATS, formats.HTML)
#: Security headers on every HTML page: no inline script runs, nothing loads from elsewhere.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
QUERY_UI_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
COMPRESSIBLE = (
    "text/",
    "application/ld+json",
    "application/n-triples",
    "application/n-quads",
    "application/trig",
    "application/rdf+xml",
    "application/json",
    "application/geo+json",
)
TRUNCATED = "SPARQL-Results-Truncated"


@dataclass
class AppState:
    settings: Settings
    served: Served
    engine: Engine
    ready: bool = False
    last_modified: str = ""


def _engine_for(settings: Settings, served: Served) -> Engine:
    if settings.sparql_endpoint:
        return RemoteEngine(settings.sparql_endpoint)
    return EmbeddedEngine(
        served.sources, workers=max(1, settings.workers), memory_mb=settings.worker_memory_mb
    )


def create_app(settings: Settings, served: Served, engine: Engine | None = None) -> FastAPI:
    """The application serving *served*, read-only, with *engine* (default: from settings)."""
    state = AppState(settings, served, engine or _engine_for(settings, served))
    if served.release_dir is not None:
        stamp = (served.release_dir / "manifest.json").stat().st_mtime
        state.last_modified = email.utils.formatdate(stamp, usegmt=True)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await state.engine.start()
        state.ready = True
        try:
            yield
        finally:
            state.ready = False
            await state.engine.close()

    app = FastAPI(
        title="smartcity-graph",
        summary="The G20 Global Smart Cities Alliance pioneer cities as linked open data.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.smartcity = state
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST", "OPTIONS", "HEAD"],
        allow_headers=["*"],
        expose_headers=[TRUNCATED, "Link", "ETag", "Content-Location", "Vary"],
        max_age=86400,
    )

    app.add_middleware(SecurityHeaders)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(reconcile_router(state))
    _routes(app, state)
    _errors(app, state)
    return app


class SecurityHeaders:
    """Pure ASGI middleware (no body re-streaming): nosniff and no-referrer on every response,
    and the page CSP on HTML unless the route set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", PAGE_CSP)
            await send(message)

        await self.app(scope, receive, with_headers)


# -- helpers -------------------------------------------------------------------------------


def root_url(state: AppState, request: Request) -> str:
    """Where this server's root is, as seen by the client (ends in '/')."""
    if state.settings.public_base_url:
        return state.settings.public_base_url.rstrip("/") + "/"
    return str(request.base_url)


def wants_html(request: Request) -> bool:
    chosen = formats.negotiate(request.headers.get("accept"), (formats.HTML, *DOCUMENT_FORMATS))
    return chosen is formats.HTML and "text/html" in (request.headers.get("accept") or "")


def text_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(
        message.rstrip() + "\n", status_code=status, media_type="text/plain", headers=headers
    )


def html_error(
    state: AppState, request: Request, status: int, title: str, message: str
) -> Response:
    page = render(
        "error.html", root=root_url(state, request), status=status, title=title, message=message
    )
    return HTMLResponse(page, status_code=status)


async def construct(state: AppState, query: str) -> Graph:
    """Run a CONSTRUCT through the engine and return an rdflib graph."""
    result = await state.engine.run(
        QueryRequest(
            query=query,
            form="CONSTRUCT",
            result_format="ntriples",
            max_rows=max(state.settings.max_rows, 100_000),
        ),
        state.settings.query_timeout,
    )
    graph = Graph()
    if result.body:
        graph.parse(data=result.body.decode("utf-8"), format="nt")
    return graph


async def select(state: AppState, query: str) -> list[dict[str, Any]]:
    result = await state.engine.run(
        QueryRequest(query=query, form="SELECT", result_format="json", max_rows=10_000),
        state.settings.query_timeout,
    )
    bindings: list[dict[str, Any]] = json.loads(result.body)["results"]["bindings"]
    return bindings


def _iri_ok(iri: str) -> bool:
    return not re.search(r'[\x00-\x20<>"{}|^`\\]', iri)


# -- routes --------------------------------------------------------------------------------


def _routes(app: FastAPI, state: AppState) -> None:
    @app.get("/health")
    async def health() -> Response:
        if not state.ready:
            return JSONResponse({"status": "loading"}, status_code=503)
        isolated = getattr(state.engine, "network_isolated", None)
        return JSONResponse(
            {"status": "ok", "engine": state.engine.name, "workers_without_network": isolated}
        )

    @app.api_route("/sparql", methods=["GET", "HEAD", "POST"])
    async def sparql(request: Request) -> Response:
        query, defaults, named, fmt = await read_protocol_request(state, request)
        if query is None:
            return await service_description(state, request)
        info = inspect_query(query, max_bytes=state.settings.max_query_bytes)
        result_format = choose_result_format(info.form, request.headers.get("accept"), fmt)
        result = await state.engine.run(
            QueryRequest(
                query=query,
                form=info.form,
                result_format=result_format.name,
                default_graphs=defaults,
                named_graphs=named,
                max_rows=state.settings.max_rows,
                base_iri=root_url(state, request) + "sparql",
            ),
            state.settings.query_timeout,
        )
        headers = {"Vary": "Accept", "Cache-Control": "no-store"}
        if result.truncated:
            headers[TRUNCATED] = f"true; limit={state.settings.max_rows}"
        media = result.media_type
        if media.startswith("text/"):
            media += "; charset=utf-8"
        return Response(result.body, media_type=media, headers=headers)

    @app.api_route("/", methods=["GET", "HEAD"])
    async def landing(request: Request) -> Response:
        root = root_url(state, request)
        examples = []
        if state.served.description_graph:
            rows = await select(
                state,
                "PREFIX void: <http://rdfs.org/ns/void#> "  # noqa: S608 - our own graph IRI
                "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
                f"SELECT ?x ?label FROM <{state.served.description_graph}> "
                "WHERE { ?d void:exampleResource ?x } ORDER BY ?x",
            )
            labels = await labels_for(state, [row["x"]["value"] for row in rows])
            examples = [
                {
                    "href": iris.to_local(row["x"]["value"], root),
                    "text": labels.get(row["x"]["value"], row["x"]["value"]),
                }
                for row in rows
            ]
        title = "smartcity-graph"
        description = "Linked open data served read-only."
        if state.served.manifest:
            title = "G20 Global Smart Cities Alliance pioneer cities (17 November 2020)"
            description = (
                "36 pioneer cities in 22 countries adopting the G20 Global Smart Cities "
                "Alliance's policy roadmap, with their countries, the organisations and people "
                "quoted, every quote, the policy areas and each city's commitment. Every fact "
                "cites its source."
            )
        page = render(
            "landing.html",
            root=root,
            title=title,
            description=description,
            examples=examples,
            files=state.served.manifest.get("files", []),
        )
        return HTMLResponse(page, headers={"Link": f'<{root}.well-known/void>; rel="describedby"'})

    @app.api_route("/release/{name}", methods=["GET", "HEAD"])
    async def download(name: str, request: Request) -> Response:
        return serve_file(state, request, name)

    @app.get("/.well-known/void")
    async def well_known_void(request: Request) -> Response:
        if not state.served.description_graph:
            return not_found(state, request, "this server has no dataset description")
        graph = await construct(
            state,
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{state.served.description_graph}> "
            "{ ?s ?p ?o } }",
        )
        fmt = formats.negotiate(request.headers.get("accept"), DOCUMENT_FORMATS)
        if fmt is None:
            return not_acceptable(DOCUMENT_FORMATS)
        return rdf_response(graph, fmt, {"Vary": "Accept"})

    @app.get("/shapes")
    async def shapes(request: Request) -> Response:
        if "shapes.ttl" not in state.served.files:
            return not_found(state, request, "this server has no SHACL shapes")
        return RedirectResponse(root_url(state, request) + "release/shapes.ttl", status_code=303)

    @app.api_route("/def", methods=["GET", "HEAD"])
    @app.api_route("/def.{ext}", methods=["GET", "HEAD"])
    async def ontology(request: Request, ext: str | None = None) -> Response:
        if not state.served.ontology_graph:
            return not_found(state, request, "this server has no ontology")
        fmt = pick_format(request, ext)
        if fmt is None:
            return not_acceptable(PAGE_OFFERS)
        if fmt is formats.HTML:
            return await resource_page(state, request, str(iris.ONTOLOGY))
        graph = await construct(
            state,
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{state.served.ontology_graph}> "
            "{ ?s ?p ?o } }",
        )
        return rdf_response(graph, fmt, link_headers(state, request, str(iris.ONTOLOGY), ext))

    @app.api_route("/id/{kind}/{name}", methods=["GET", "HEAD"])
    @app.api_route("/def/{name}", methods=["GET", "HEAD"])
    async def resource(request: Request, name: str, kind: str | None = None) -> Response:
        slug, _, ext = name.partition(".")
        path = f"/id/{kind}/{slug}" if kind else f"/def/{slug}"
        iri = str(iris.from_path(path)) if slug else ""
        known = (kind is None and iris.term(iri)) or (kind is not None and iris.parse(iri))
        if not known or (ext and ext not in formats.BY_EXTENSION):
            return not_found(state, request, f"{path} is not an IRI of this dataset")
        fmt = pick_format(request, ext or None)
        if fmt is None:
            return not_acceptable(PAGE_OFFERS)
        graph = await describe_graph(state, iri)
        if not len(graph):
            return not_found(state, request, f"nothing is known about <{iri}>")
        profile = profiles.choose(
            request.query_params.get("_profile"), request.headers.get("accept-profile")
        )
        headers = link_headers(state, request, iri, ext or None, profile)
        if profile is None:
            return alternates(state, request, iri, fmt, headers)
        view = profile.transform(graph, await wikidata_items(state, graph))
        if fmt is formats.HTML:
            return await resource_page(state, request, iri, view, headers)
        return rdf_response(view, fmt, headers)


def alternates(
    state: AppState, request: Request, iri: str, fmt: formats.Format, headers: dict[str, str]
) -> Response:
    """``_profile=alt``: every profile and format this resource is offered in."""
    local = iris.to_local(iri, root_url(state, request))
    rows: list[dict[str, Any]] = [
        {
            "profile": profile,
            "formats": [
                {
                    "label": f.label,
                    "media_type": f.media_type,
                    "href": f"{local}?_profile={profile.token}&_mediatype={quote(f.media_type)}",
                }
                for f in PAGE_OFFERS
            ],
        }
        for profile in profiles.PROFILES
    ]
    if fmt is formats.HTML:
        page = render("alternates.html", root=root_url(state, request), iri=iri, rows=rows)
        return HTMLResponse(page, headers=headers)
    graph = Graph()
    profiles.describe_profiles(graph, [f.media_type for f in PAGE_OFFERS])
    for row in rows:
        for option in row["formats"]:
            url = URIRef(option["href"])
            graph.add((URIRef(iri), DCTERMS.hasFormat, url))
            graph.add((url, DCTERMS.conformsTo, row["profile"].iri))
            graph.add((url, DCTERMS["format"], Literal(option["media_type"])))
    return rdf_response(graph, fmt, headers)


async def read_protocol_request(
    state: AppState, request: Request
) -> tuple[str | None, tuple[str, ...] | None, tuple[str, ...] | None, str | None]:
    """``(query, default-graph-uris, named-graph-uris, format)`` per the SPARQL 1.1 Protocol."""
    params = list(request.query_params.multi_items())
    query: str | None = None
    if request.method == "POST":
        raw_type = request.headers.get("content-type", "")
        content_type = raw_type.split(";")[0].strip().lower()
        charset = re.search(r";\s*charset\s*=\s*\"?([\w-]+)", raw_type, re.IGNORECASE)
        if charset and charset.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
            raise UnsupportedMediaType(
                f"charset {charset.group(1)} is not supported; SPARQL requests are UTF-8"
            )
        body = await read_body(state, request)
        if content_type == "application/x-www-form-urlencoded":
            try:
                form = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
            except UnicodeDecodeError as exc:
                raise BadQuery("the form body is not UTF-8") from exc
            if any(key == "query" for key, _ in params):
                raise BadQuery("POST with a form body: give 'query' in the body, not the URL")
            params += form
        elif content_type == "application/sparql-query":
            if any(key in ("query", "update") for key, _ in params):
                raise BadQuery("a sparql-query POST carries the query in its body only")
            try:
                query = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise BadQuery("the query is not UTF-8") from exc
        elif content_type == "application/sparql-update":
            raise QueryRefused("this endpoint is read-only: SPARQL Update is not accepted")
        else:
            raise UnsupportedMediaType(
                f"unsupported content type {content_type or '(none)'!r}; use "
                "application/x-www-form-urlencoded or application/sparql-query"
            )
    if any(key in ("update", "using-graph-uri", "using-named-graph-uri") for key, _ in params):
        raise QueryRefused("this endpoint is read-only: SPARQL Update is not accepted")
    queries = [value for key, value in params if key == "query"]
    if query is None:
        if len(queries) > 1:
            raise BadQuery("more than one 'query' parameter")
        query = queries[0] if queries else None
    defaults = [value for key, value in params if key == "default-graph-uri"]
    named = [value for key, value in params if key == "named-graph-uri"]
    formats_given = [value for key, value in params if key == "format"]
    if query is None and (defaults or named):
        raise BadQuery("default-graph-uri / named-graph-uri given without a query")
    dataset_given = bool(defaults or named)
    return (
        query,
        parse_graph_uris(defaults) if dataset_given else None,
        parse_graph_uris(named) if dataset_given else None,
        formats_given[-1] if formats_given else None,
    )


class UnsupportedMediaType(SmartCityGraphError):
    http_status = 415


async def read_body(state: AppState, request: Request) -> bytes:
    """The request body, refusing (413) anything much larger than the longest query."""
    limit = state.settings.max_query_bytes * 3 + 4096  # room for form percent-encoding
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise QueryTooLarge(f"the request body is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise QueryTooLarge(f"the request body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def service_description(state: AppState, request: Request) -> Response:
    """GET /sparql without a query: the query UI for browsers, SPARQL-SD for RDF clients."""
    if wants_html(request):
        page = render("query.html", root=root_url(state, request))
        return HTMLResponse(
            page, headers={"Content-Security-Policy": QUERY_UI_CSP, "Vary": "Accept"}
        )
    fmt = formats.negotiate(request.headers.get("accept"), DOCUMENT_FORMATS)
    if fmt is None:
        return not_acceptable(DOCUMENT_FORMATS)
    endpoint = URIRef(root_url(state, request) + "sparql")
    graph = Graph()
    graph.add((endpoint, RDF.type, SD.Service))
    graph.add((endpoint, SD.endpoint, endpoint))
    graph.add((endpoint, SD.supportedLanguage, SD.SPARQL11Query))
    for name in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
        "N-Quads",
        "TriG",
    ):
        graph.add((endpoint, SD.resultFormat, URIRef(f"http://www.w3.org/ns/formats/{name}")))
    dataset = URIRef(f"{endpoint}#dataset")
    graph.add((endpoint, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default = URIRef(f"{endpoint}#default-graph")
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    for number, source in enumerate(sorted({s.graph for s in state.served.sources if s.graph})):
        named = URIRef(f"{endpoint}#named-graph-{number + 1}")
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(source)))
    if state.served.description_graph:
        graph.add(
            (endpoint, URIRef(str(VOID) + "inDataset"), URIRef(BASE + "id/dataset/smartcity-graph"))
        )
    graph.add(
        (
            endpoint,
            URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
            Literal(
                "Read-only SPARQL 1.1 query endpoint. Limits: "
                f"{state.settings.query_timeout:g} s per query, {state.settings.max_rows} result "
                f"rows, {state.settings.max_query_bytes} bytes of query text. SERVICE and updates "
                "are refused.",
                lang="en",
            ),
        )
    )
    return rdf_response(graph, fmt, {"Vary": "Accept"})


def pick_format(request: Request, ext: str | None) -> formats.Format | None:
    """A suffix, then ``_mediatype`` (conneg by profile's query string), then ``Accept``."""
    if ext:
        return formats.BY_EXTENSION.get(ext)
    mediatype = request.query_params.get("_mediatype")
    if mediatype:
        return formats.negotiate(mediatype, PAGE_OFFERS)
    return formats.negotiate(request.headers.get("accept"), PAGE_OFFERS)


def link_headers(
    state: AppState,
    request: Request,
    iri: str,
    ext: str | None,
    profile: profiles.Profile | None = profiles.DEFAULT,
) -> dict[str, str]:
    """``Link`` alternates (per format and per profile), ``Vary``, and ``Content-Profile``."""
    local = iris.to_local(iri, root_url(state, request))
    links = [
        f'<{local}.{f.extension}>; rel="alternate"; type="{f.media_type}"' for f in PAGE_OFFERS
    ]
    links += [
        f'<{local}?_profile={p.token}>; rel="alternate"; profile="{p.iri}"'
        for p in profiles.PROFILES
    ]
    served = profiles.ALTERNATES if profile is None else profile.iri
    links.append(f'<{served}>; rel="profile"')
    headers = {"Link": ", ".join(links), "Content-Profile": f"<{served}>"}
    if ext is None:
        headers["Vary"] = "Accept, Accept-Profile"
    return headers


def rdf_response(graph: Graph, fmt: formats.Format, headers: dict[str, str]) -> Response:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    body = serialize(graph, fmt.name)
    media = fmt.media_type + ("; charset=utf-8" if fmt.media_type.startswith("text/") else "")
    return Response(body, media_type=media, headers=headers)


def not_acceptable(offers: tuple[formats.Format, ...]) -> Response:
    return text_error(406, "Not Acceptable. Available: " + ", ".join(f.media_type for f in offers))


def not_found(state: AppState, request: Request, message: str) -> Response:
    if wants_html(request):
        return html_error(state, request, 404, "Not Found", message)
    return text_error(404, f"Not Found: {message}")


async def describe_graph(state: AppState, iri: str) -> Graph:
    """The resource's own triples plus those of its hash-IRI parts (``{iri}#...``)."""
    if not _iri_ok(iri):
        return Graph()
    return await construct(
        state,
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ BIND(<{iri}> AS ?s) ?s ?p ?o }} UNION "
        f'{{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{iri}#")) }} }}',
    )


async def wikidata_items(state: AppState, graph: Graph) -> dict[Node, Node]:
    """The verified Wikidata item (owl:sameAs) of each of our IRIs *graph* mentions."""
    ours = sorted({str(o) for o in graph.objects() if isinstance(o, URIRef) and iris.is_ours(o)})
    wanted = [iri for iri in ours if _iri_ok(iri)]
    if not wanted:
        return {}
    values = " ".join(f"<{iri}>" for iri in wanted)
    rows = await select(
        state,
        f"SELECT ?x ?item WHERE {{ VALUES ?x {{ {values} }} "
        "?x <http://www.w3.org/2002/07/owl#sameAs> ?item }",
    )
    return {URIRef(row["x"]["value"]): URIRef(row["item"]["value"]) for row in rows}


async def labels_for(state: AppState, nodes: list[str]) -> dict[str, str]:
    wanted = [n for n in dict.fromkeys(nodes) if _iri_ok(n)]
    if not wanted:
        return {}
    values = " ".join(f"<{n}>" for n in wanted)
    rows = await select(
        state,
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "PREFIX schema: <https://schema.org/> "
        f"SELECT ?x ?label WHERE {{ VALUES ?x {{ {values} }} "
        "?x rdfs:label|skos:prefLabel|schema:name ?label "
        'FILTER(LANG(?label) = "en" || LANG(?label) = "") }',
    )
    labels: dict[str, str] = {}
    for row in sorted(rows, key=lambda r: r["label"]["value"]):
        labels.setdefault(row["x"]["value"], row["label"]["value"])
    return labels


async def resource_page(
    state: AppState,
    request: Request,
    iri: str,
    graph: Graph | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    graph = graph if graph is not None else await describe_graph(state, iri)
    incoming_rows = await select(
        state, f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{iri}> FILTER(isIRI(?s)) }} LIMIT 500"
    )
    incoming = [(row["s"]["value"], row["p"]["value"]) for row in incoming_rows]
    mentioned = [str(n) for triple in graph for n in triple if isinstance(n, URIRef)]
    mentioned += [node for pair in incoming for node in pair]
    labels = await labels_for(state, mentioned)
    root = root_url(state, request)

    def href(target: str) -> str:
        return iris.to_local(target, root)

    view = resource_view(iri, graph, incoming, labels, href)
    local = iris.to_local(iri, root)
    alternates = [
        {"href": f"{local}.{f.extension}", "media_type": f.media_type, "label": f.label}
        for f in DOCUMENT_FORMATS
    ]
    page = render("resource.html", root=root, view=view, alternates=alternates, curie=curie)
    return HTMLResponse(page, headers=headers or link_headers(state, request, iri, None))


def serve_file(state: AppState, request: Request, name: str) -> Response:
    entry = state.served.files.get(name)
    if entry is None or state.served.release_dir is None:
        return not_found(state, request, f"no release file named {name!r}")
    etag = f'"{entry["sha256"]}"'
    headers = {
        "ETag": etag,
        "Last-Modified": state.last_modified,
        "Cache-Control": "public, max-age=3600",
        "Vary": "Accept-Encoding",
    }
    media = entry["mediaType"] + (
        "; charset=utf-8"
        if entry["mediaType"].startswith("text/") or entry["mediaType"].endswith("json")
        else ""
    )
    gzip_ok = accepts_gzip(request.headers.get("accept-encoding")) and entry[
        "mediaType"
    ].startswith(COMPRESSIBLE)
    if gzip_ok:
        headers["ETag"] = etag = f'"{entry["sha256"]}-gzip"'
    if not_modified(request, etag, state.last_modified):
        return Response(status_code=304, headers=headers)
    content = (state.served.release_dir / name).read_bytes()
    if hashlib.sha256(content).hexdigest() != entry["sha256"]:
        return text_error(500, f"{name} does not match the manifest; the release is damaged")
    if gzip_ok:
        content = gzip.compress(content, mtime=0)
        headers["Content-Encoding"] = "gzip"
    headers["Content-Length"] = str(len(content))
    if request.method == "HEAD":
        return Response(status_code=200, headers=headers, media_type=media)
    return Response(content, headers=headers, media_type=media)


def accepts_gzip(header: str | None) -> bool:
    """True when ``Accept-Encoding`` allows gzip (by name or ``*``) with a q-value above 0."""
    allowed: dict[str, float] = {}
    for part in (header or "").split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        key, _, value = params.strip().partition("=")
        if key.strip().lower() == "q":
            try:
                q = float(value)
            except ValueError:
                q = 0.0
        if name.strip():
            allowed[name.strip().lower()] = q
    return allowed.get("gzip", allowed.get("*", 0.0)) > 0


def not_modified(request: Request, etag: str, last_modified: str) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return etag in tags or "*" in tags
    since = request.headers.get("if-modified-since")
    if since and last_modified:
        try:
            return email.utils.parsedate_to_datetime(since) >= email.utils.parsedate_to_datetime(
                last_modified
            )
        except (TypeError, ValueError):
            return False
    return False


def _errors(app: FastAPI, state: AppState) -> None:
    @app.exception_handler(SmartCityGraphError)
    async def known_error(request: Request, exc: SmartCityGraphError) -> Response:
        headers = {"Retry-After": "5"} if exc.http_status == 503 else None
        return text_error(exc.http_status, str(exc), headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return not_found(state, request, f"{request.url.path} is not here")
        if exc.status_code == 405:
            allow = "GET, HEAD, POST, OPTIONS" if request.url.path == "/sparql" else "GET, HEAD"
            return text_error(405, "Method Not Allowed", {"Allow": allow})
        return text_error(exc.status_code, str(exc.detail))

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/sparql/", include_in_schema=False)
    async def sparql_slash() -> Response:
        return RedirectResponse("/sparql", status_code=308)
