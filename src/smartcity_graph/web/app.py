"""The FastAPI application: ``create_app(settings, served)``.

Routes (each handler parses, calls the core or the engine, responds):

======================  ============================================================
``/health``              200 once the store is loaded
``/sparql``              SPARQL 1.1 Protocol (GET, POST form, POST sparql-query);
                         without a query: the service description, or the query UI;
                         with a query from a browser: the query UI with that query
``/``                    landing page: numbers, map, charts, downloads, citation
``/search``              search by name (diacritics-insensitive); JSON for scripts
``/release/{file}``      release files with ETag, Last-Modified, 304, gzip
``/.well-known/void``    the dataset description
``/id/{kind}/{slug}``    every resource, by conneg or by suffix (.ttl .jsonld .nt .rdf .html)
``/def``, ``/def/{T}``   the ontology and each of its terms (documentation pages for browsers)
``/shapes``              the SHACL shapes in words for browsers; else 303 to the published file
``/openapi.json``        an OpenAPI 3 description of every route (:mod:`.openapi`)
======================  ============================================================
"""

from __future__ import annotations

import contextlib
import email.utils
import json
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import SmartCityGraphError
from ..query.dataset import Served
from ..query.engine import Engine, make_engine
from ..settings import Settings
from . import files, landing, openapi, pages, sparql, vocabulary
from .common import AppState, error_headers, not_found, text_error
from .examples import EXAMPLES
from .reconcile import router as reconcile_router

STATIC = Path(__file__).resolve().parent.parent / "static"
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def create_app(settings: Settings, served: Served, engine: Engine | None = None) -> FastAPI:
    """The application serving *served*, read-only, with *engine* (default: from settings)."""
    state = AppState(settings, served, engine or make_engine(settings, served))
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
        expose_headers=list(sparql.EXPOSED),
        max_age=86400,
    )

    app.add_middleware(SecurityHeaders)
    app.add_middleware(sparql.QueryFastPath, state=state)

    examples = json.dumps(EXAMPLES, indent=2).encode()

    @app.get("/static/examples.json", include_in_schema=False)
    async def example_queries(request: Request) -> Response:
        async def make() -> Response:
            return Response(examples, media_type="application/json")

        return await state.documents.answer(request, ("examples",), make)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(reconcile_router(state))
    _health(app, state)
    sparql.routes(app, state)
    landing.routes(app, state)
    vocabulary.routes(app, state)
    pages.routes(app, state)
    files.routes(app, state)
    openapi.routes(app, state)
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


def _health(app: FastAPI, state: AppState) -> None:
    @app.get("/health")
    async def health() -> Response:
        if not state.ready:
            return JSONResponse({"status": "loading"}, status_code=503)
        return JSONResponse(
            {"status": "ok"} | state.engine.health() | {"queries": state.admission.health()}
        )


def _errors(app: FastAPI, state: AppState) -> None:
    @app.exception_handler(SmartCityGraphError)
    async def known_error(request: Request, exc: SmartCityGraphError) -> Response:
        return text_error(exc.http_status, str(exc), error_headers(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return not_found(state, request, f"{request.url.path} is not here")
        if exc.status_code == 405:
            # The route's own methods (Starlette names them in the exception), not a guess.
            named = (exc.headers or {}).get("Allow") or "GET, HEAD"
            # Starlette joins a set: put the methods in one order, whatever the hash seed.
            methods = {m.strip().upper() for m in named.split(",") if m.strip()}
            order = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
            allow = ", ".join(
                sorted(methods, key=lambda m: (order.index(m) if m in order else 99, m))
            )
            if request.url.path == "/sparql":
                allow = "GET, HEAD, POST, OPTIONS"
            return text_error(405, "Method Not Allowed", {"Allow": allow})
        return text_error(exc.status_code, str(exc.detail))

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/sparql/", include_in_schema=False)
    async def sparql_slash() -> Response:
        return RedirectResponse("/sparql", status_code=308)
