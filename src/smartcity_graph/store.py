"""The query-engine interface, with two engines behind it.

* :class:`EmbeddedEngine`: pyoxigraph over an on-disk store opened read-only
  by a small pool of worker processes. pyoxigraph has no query timeout, so a
  query that runs past the limit is stopped by killing its worker; a fresh
  worker takes its place and the server keeps answering.
* :class:`RemoteEngine`: forwards to a SPARQL 1.1 endpoint (Virtuoso, Fuseki,
  Oxigraph server, QLever) for deployments that outgrow one process.

Both take a :class:`QueryRequest` that the protocol layer has already checked
(no updates, no ``SERVICE``) and return a :class:`QueryResult`: the bytes in the
negotiated format, with the row cap applied and signalled.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import shutil
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

import httpx
import pyoxigraph as ox

from .errors import SmartCityGraphError
from .sparql import (
    BOOLEAN_WRITERS,
    GRAPH_FORMATS,
    SOLUTION_WRITERS,
    BadQuery,
    EngineBusy,
    QueryForm,
    QueryTimeout,
    Row,
    Term,
    memo,
)
from .worker import encode_frame, read_frame_async

RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}
MEDIA_TYPES = {f.name: f.media_type for f in GRAPH_FORMATS} | {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}


#: Largest answer read from a remote endpoint (its rows are capped after parsing).
MAX_REMOTE_BYTES = 64 * 1024 * 1024


class EngineError(SmartCityGraphError):
    """The engine failed on a query that was accepted (HTTP 502 for remote, 500 embedded)."""

    http_status = 502


@dataclass(frozen=True)
class QueryRequest:
    query: str
    form: QueryForm
    result_format: str
    """A format name: json/xml/csv/tsv for SELECT and ASK, an RDF format name otherwise."""
    default_graphs: tuple[str, ...] | None = None
    """Protocol ``default-graph-uri`` values (override FROM); ``None`` = not given."""
    named_graphs: tuple[str, ...] | None = None
    max_rows: int = 10_000
    base_iri: str | None = None
    """Resolves relative IRIs in the query (the protocol lets the service choose; we use the
    endpoint's own URL)."""


@dataclass(frozen=True)
class QueryResult:
    body: bytes
    media_type: str
    rows: int
    truncated: bool


class Engine(Protocol):
    """What the web layer needs from a query engine."""

    name: str

    async def start(self) -> None: ...

    async def run(self, request: QueryRequest, timeout: float) -> QueryResult: ...

    async def close(self) -> None: ...


# -- Turning engine terms into result bytes (used in the workers and for remote results) -------


def term_of(node: Any) -> Term:
    if isinstance(node, ox.NamedNode):
        return Term("uri", node.value)
    if isinstance(node, ox.BlankNode):
        return Term("bnode", node.value)
    if isinstance(node, ox.Literal):
        return Term("literal", node.value, node.datatype.value, node.language)
    raise EngineError(f"unsupported term in results: {node!r}")


def write_solutions(
    variables: Sequence[str], rows: Iterable[Row], fmt: str, max_rows: int
) -> QueryResult:
    kept = list(islice(rows, max_rows + 1))
    truncated = len(kept) > max_rows
    kept = kept[:max_rows]
    body = SOLUTION_WRITERS[fmt](variables, kept)
    return QueryResult(body, MEDIA_TYPES[fmt], len(kept), truncated)


def write_boolean(value: bool, fmt: str) -> QueryResult:
    return QueryResult(BOOLEAN_WRITERS[fmt](value), MEDIA_TYPES[fmt], 1, False)


def write_triples(triples: Iterable[Any], fmt: str, max_rows: int) -> QueryResult:
    kept = list(islice(triples, max_rows + 1))
    truncated = len(kept) > max_rows
    kept = kept[:max_rows]
    target = RDF_FORMATS[fmt]
    if target.supports_datasets:
        kept = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in kept]
    body = ox.serialize(kept, format=target)
    return QueryResult(body or b"", MEDIA_TYPES[fmt], len(kept), truncated)


def execute(store: Any, request: QueryRequest, union_default_graph: bool) -> QueryResult:
    """Run *request* on a pyoxigraph store (in a worker process)."""
    options: dict[str, Any] = {"base_iri": request.base_iri}
    if request.default_graphs is not None or request.named_graphs is not None:
        # The protocol dataset replaces FROM / FROM NAMED; a missing part is empty.
        options["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs or ()]
        options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs or ()]
    elif union_default_graph:
        options["use_default_graph_as_union"] = True
    result = store.query(request.query, **options)
    if isinstance(result, ox.QueryBoolean):
        return write_boolean(bool(result), request.result_format)
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        convert = memo(term_of)
        rows = (
            tuple(None if node is None else convert(node) for node in solution)
            for solution in result
        )
        return write_solutions(variables, rows, request.result_format, request.max_rows)
    return write_triples(result, request.result_format, request.max_rows)


# -- The embedded engine ----------------------------------------------------------------------


@dataclass
class _Worker:
    """One worker process, spoken to over its stdin/stdout with asyncio streams."""

    process: asyncio.subprocess.Process

    async def call(self, request: QueryRequest) -> tuple[str, Any]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(encode_frame(request))
        await self.process.stdin.drain()
        reply: tuple[str, Any] = await read_frame_async(self.process.stdout)
        return reply

    async def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        await self.process.wait()


@dataclass(frozen=True)
class GraphSource:
    """One RDF file to load: into the default graph (``graph=None``) or a named graph."""

    path: Path
    format: str
    graph: str | None = None


def load_store(location: Path, sources: Sequence[GraphSource]) -> None:
    """Create the on-disk store at *location* from *sources* (then release the writer)."""
    store = ox.Store(str(location))
    for source in sources:
        fmt = ox.RdfFormat.from_extension(source.format) or ox.RdfFormat.from_media_type(
            source.format
        )
        if fmt is None:
            raise BadQuery(f"unknown RDF format {source.format!r} for {source.path}")
        target = ox.NamedNode(source.graph) if source.graph else None
        try:
            with source.path.open("rb") as handle:
                if target is not None and not fmt.supports_datasets:
                    store.load(handle, format=fmt, to_graph=target)
                else:
                    store.load(handle, format=fmt)
        except (SyntaxError, ValueError) as exc:
            raise SmartCityGraphError(f"{source.path}: cannot load: {exc}") from exc
    store.flush()
    del store
    gc.collect()


@dataclass
class EmbeddedEngine:
    """pyoxigraph in a pool of killable worker processes over a read-only on-disk store."""

    sources: Sequence[GraphSource]
    workers: int = 2
    union_default_graph: bool = False
    memory_mb: int = 2048
    name: str = "embedded pyoxigraph"
    network_isolated: bool = False
    """True when every worker runs without network (see :mod:`smartcity_graph.worker`)."""
    _location: Path | None = None
    _pool: list[_Worker] = field(default_factory=list)
    _idle: asyncio.Queue[_Worker] | None = None
    stats: dict[str, int] = field(default_factory=lambda: {"timeouts": 0, "restarts": 0})

    async def start(self) -> None:
        self._location = Path(tempfile.mkdtemp(prefix="smartcity-graph-store-"))
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, load_store, self._location, self.sources)
        self._idle = asyncio.Queue()
        started = await asyncio.gather(*(self._spawn() for _ in range(self.workers)))
        for worker in started:
            self._idle.put_nowait(worker)

    async def _spawn(self) -> _Worker:
        assert self._location is not None
        command = [
            sys.executable,
            "-m",
            "smartcity_graph.worker",
            str(self._location),
            "--memory-mb",
            str(self.memory_mb),
        ]
        if self.union_default_graph:
            command.append("--union")
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=2**26,
        )
        worker = _Worker(process)
        assert process.stdout is not None
        try:
            status, info = await read_frame_async(process.stdout)
        except (EOFError, asyncio.IncompleteReadError) as exc:
            await worker.kill()
            raise EngineError("a query worker could not open the store") from exc
        if status != "ready":  # pragma: no cover - the worker only ever says ready first
            await worker.kill()
            raise EngineError("a query worker did not start")
        isolated = bool(info and info.get("network_isolated"))
        self.network_isolated = isolated if not self._pool else self.network_isolated and isolated
        self._pool.append(worker)
        return worker

    async def run(self, request: QueryRequest, timeout: float) -> QueryResult:
        assert self._idle is not None
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout)
        except TimeoutError as exc:
            raise EngineBusy(
                f"every query worker stayed busy for {timeout:g} s; try again shortly"
            ) from exc
        try:
            status, payload = await asyncio.wait_for(worker.call(request), timeout)
        except asyncio.CancelledError:
            # The client went away mid-query: the worker's state is unknown, so replace it
            # (in the background, as this task is being cancelled) rather than lose it.
            asyncio.get_running_loop().create_task(self._replace(worker))
            raise
        except TimeoutError as exc:
            self.stats["timeouts"] += 1
            await self._replace(worker)
            raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped") from exc
        except (EOFError, OSError, asyncio.IncompleteReadError) as exc:  # the worker died
            await self._replace(worker)
            raise EngineError(f"the query worker failed: {exc}") from exc
        self._idle.put_nowait(worker)
        if status == "bad":
            raise BadQuery(str(payload))
        result: QueryResult = payload
        return result

    async def _replace(self, worker: _Worker) -> None:
        assert self._idle is not None
        await worker.kill()
        self._pool.remove(worker)
        self.stats["restarts"] += 1
        self._idle.put_nowait(await self._spawn())

    async def close(self) -> None:
        for worker in list(self._pool):
            await worker.kill()
        self._pool.clear()
        if self._location is not None:
            shutil.rmtree(self._location, ignore_errors=True)


# -- The remote engine ------------------------------------------------------------------------


def _remote_term(value: dict[str, str]) -> Term:
    kind = value.get("type")
    if kind == "uri":
        return Term("uri", value["value"])
    if kind == "bnode":
        return Term("bnode", value["value"])
    if kind in ("literal", "typed-literal"):
        return Term("literal", value["value"], value.get("datatype"), value.get("xml:lang"))
    raise EngineError(f"the remote endpoint returned an unknown term type {kind!r}")


@dataclass
class RemoteEngine:
    """Forwards checked queries to a remote SPARQL 1.1 endpoint over HTTP."""

    endpoint: str
    name: str = "remote SPARQL endpoint"
    _client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        # trust_env=False: no proxy or netrc from the environment; only the endpoint is called.
        self._client = httpx.AsyncClient(trust_env=False, follow_redirects=False)

    async def run(self, request: QueryRequest, timeout: float) -> QueryResult:
        assert self._client is not None
        graph_form = request.form in ("CONSTRUCT", "DESCRIBE")
        accept = (
            "application/n-triples, text/turtle;q=0.9"
            if graph_form
            else "application/sparql-results+json"
        )
        data: dict[str, str | list[str]] = {"query": request.query}
        if request.default_graphs:
            data["default-graph-uri"] = list(request.default_graphs)
        if request.named_graphs:
            data["named-graph-uri"] = list(request.named_graphs)
        try:
            status, media, body = await self._fetch(data, accept, timeout)
        except httpx.TimeoutException as exc:
            raise QueryTimeout(f"the remote endpoint did not answer within {timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise EngineError(f"the remote endpoint is unreachable: {exc}") from exc
        if 400 <= status < 500:
            text = body[:500].decode("utf-8", errors="replace")
            raise BadQuery(f"the remote endpoint refused the query: {text}")
        if status != 200:
            raise EngineError(f"the remote endpoint answered HTTP {status}")
        try:
            return self._results(request, graph_form, media, body)
        except (ValueError, SyntaxError, KeyError, TypeError, AttributeError) as exc:
            raise EngineError(f"the remote endpoint returned malformed results: {exc}") from exc

    async def _fetch(
        self, data: dict[str, str | list[str]], accept: str, timeout: float
    ) -> tuple[int, str, bytes]:
        """POST the query; read at most :data:`MAX_REMOTE_BYTES` of the answer.

        Always a form-encoded POST, never ``application/sparql-query``: Virtuoso 7.2.5 never
        answers a direct-body POST (upstream openlink/virtuoso-opensource#842).
        """
        assert self._client is not None
        async with self._client.stream(
            "POST", self.endpoint, data=data, headers={"Accept": accept}, timeout=timeout
        ) as response:
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_REMOTE_BYTES:
                    raise EngineError(
                        f"the remote endpoint's answer is larger than {MAX_REMOTE_BYTES} bytes"
                    )
                chunks.append(chunk)
            media = response.headers.get("content-type", "").split(";")[0].strip()
            return response.status_code, media, b"".join(chunks)

    def _results(
        self, request: QueryRequest, graph_form: bool, media: str, body: bytes
    ) -> QueryResult:
        if graph_form:
            fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.N_TRIPLES
            triples = [q.triple for q in ox.parse(body, format=fmt)]
            return write_triples(triples, request.result_format, request.max_rows)
        document = json.loads(body)
        if "boolean" in document:
            return write_boolean(bool(document["boolean"]), request.result_format)
        variables = document["head"]["vars"]
        rows = [
            tuple(_remote_term(binding[name]) if name in binding else None for name in variables)
            for binding in document["results"]["bindings"]
        ]
        return write_solutions(variables, rows, request.result_format, request.max_rows)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
