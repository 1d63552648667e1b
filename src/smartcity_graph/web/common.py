"""What every route shares: the app state, URLs as the client sees them, error responses,
engine helpers, and the cache of rendered documents (a release never changes)."""

from __future__ import annotations

import email.utils
import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from rdflib import Graph

from .. import formats
from ..errors import SmartCityGraphError
from ..graph.serialize import serialize
from ..integrate.reconcile import Entity
from ..namespaces import PREFIXES
from ..query.dataset import Served
from ..query.engine import Engine, QueryRequest
from ..settings import Settings
from .limits import Admission
from .render import render

DOCUMENT_FORMATS = tuple(f for f in formats.RDF_FORMATS if not f.quads)
PAGE_OFFERS = (*DOCUMENT_FORMATS, formats.HTML)
#: Security headers on every HTML page: no inline script runs, nothing loads from elsewhere.


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
        error_body(message), status_code=status, media_type="text/plain", headers=headers
    )


def error_body(message: str) -> str:
    """The plain-text body of an error response."""
    return message.rstrip() + "\n"


def error_headers(exc: SmartCityGraphError) -> dict[str, str]:
    """What an error's response adds: when to retry, for a 503 or a 429 (the error's own
    ``retry_after`` where it has one, else 5 seconds)."""
    if exc.http_status not in (429, 503):
        return {}
    return {"Retry-After": str(getattr(exc, "retry_after", 5))}


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


async def named_graph(state: AppState, graph_iri: str) -> Graph:
    """Every triple of the named graph *graph_iri* (the ontology, the dataset description)."""
    return await construct(
        state, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}"
    )


def alternate_links(local: str) -> list[dict[str, str]]:
    """The RDF documents about the thing at *local* (this server's URL for it), one per
    format, as pages link them."""
    return [
        {"href": f"{local}.{f.extension}", "media_type": f.media_type, "label": f.label}
        for f in DOCUMENT_FORMATS
    ]


async def select(state: AppState, query: str) -> list[dict[str, Any]]:
    result = await state.engine.run(
        QueryRequest(query=query, form="SELECT", result_format="json", max_rows=10_000),
        state.settings.query_timeout,
    )
    bindings: list[dict[str, Any]] = json.loads(result.body)["results"]["bindings"]
    return bindings


def iri_ok(iri: str) -> bool:
    return not re.search(r'[\x00-\x20<>"{}|^`\\]', iri)


# -- routes --------------------------------------------------------------------------------


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


#: Headers a stored document is answered with again (the rest belong to one response).
_KEPT_HEADERS = frozenset(
    {"content-type", "link", "vary", "content-profile", "content-location", "cache-control"}
)


@dataclass(frozen=True)
class Stored:
    """A rendered 200 response: its bytes, its headers and a strong ETag of its bytes."""

    body: bytes
    headers: tuple[tuple[str, str], ...]
    etag: str


@dataclass
class DocumentCache:
    """Rendered pages and RDF documents, each made once per release and then answered like a
    static file: from memory, with ``ETag`` and ``304 Not Modified``. Keyed by what the
    content depends on (resource, negotiated format and profile, public root), bounded in
    entries and bytes (least recently used goes first)."""

    entries: int = 4096
    max_bytes: int = 128 * 1024 * 1024
    _stored: OrderedDict[Hashable, Stored] = field(default_factory=OrderedDict)
    _bytes: int = 0

    def __len__(self) -> int:
        return len(self._stored)

    async def answer(
        self, request: Request, key: Hashable, make: Callable[[], Awaitable[Response]]
    ) -> Response:
        stored = self._stored.get(key)
        if stored is None:
            response = await make()
            if response.status_code != 200 or not isinstance(response.body, bytes):
                return response
            stored = self._keep(key, response)
        else:
            self._stored.move_to_end(key)
        headers = dict(stored.headers)
        headers["ETag"] = stored.etag
        headers.setdefault("Cache-Control", "public, max-age=3600")
        if not_modified(request, stored.etag, ""):
            headers.pop("content-type", None)
            return Response(status_code=304, headers=headers)
        return Response(stored.body, headers=headers)

    def _keep(self, key: Hashable, response: Response) -> Stored:
        body = bytes(response.body)
        headers = tuple(
            (name, value) for name, value in response.headers.items() if name in _KEPT_HEADERS
        )
        stored = Stored(body, headers, f'"{hashlib.sha256(body).hexdigest()[:32]}"')
        self._stored[key] = stored
        self._bytes += len(body)
        while len(self._stored) > self.entries or self._bytes > self.max_bytes:
            _, evicted = self._stored.popitem(last=False)
            self._bytes -= len(evicted.body)
        return stored


@dataclass
class AppState:
    settings: Settings
    served: Served
    engine: Engine
    ready: bool = False
    last_modified: str = ""
    documents: DocumentCache = field(default_factory=DocumentCache)
    files: dict[str, Any] = field(default_factory=dict)
    """Release files verified against the manifest (see :mod:`.files`)."""
    manifest_entry: dict[str, Any] | None = None
    """``manifest.json``'s own size and sha256, once read (see :mod:`.files`)."""
    entities: list[Entity] | None = None
    """The reconcilable and searchable things, once loaded (see :mod:`.reconcile`)."""
    admission: Admission = field(init=False)
    """How many SPARQL queries run at once, overall and per client (see :mod:`.limits`)."""

    def __post_init__(self) -> None:
        self.admission = Admission(self.settings.max_queries, self.settings.max_queries_per_client)
