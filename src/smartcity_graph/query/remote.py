"""The remote engine: checked queries forwarded to a SPARQL 1.1 store over HTTP.

For deployments that outgrow one process (Virtuoso, Fuseki, Oxigraph server, QLever). The
same guard, formats and row cap apply: the answer is asked for in SPARQL XML or N-Triples,
parsed by pyoxigraph, capped and written in the client's format by :mod:`.results`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pyoxigraph as ox

from ..errors import BadQuery, QueryTimeout, RemoteEngineError
from .messages import QueryRequest, QueryResult
from .results import from_engine, triples

#: Largest answer read from a remote endpoint (its rows are capped after parsing).
MAX_REMOTE_BYTES = 64 * 1024 * 1024


@dataclass
class RemoteEngine:
    """Forwards checked queries to a remote SPARQL 1.1 endpoint over HTTP."""

    endpoint: str
    name: str = "remote SPARQL endpoint"
    _client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        # trust_env=False: no proxy or netrc from the environment; only the endpoint is called.
        self._client = httpx.AsyncClient(trust_env=False, follow_redirects=False)

    def health(self) -> dict[str, Any]:
        return {
            "engine": self.name,
            "store_mode": "remote",
            "workers_without_network": None,
            "isolation": "guard-only",  # the workers need the network to reach the store
        }

    async def run(self, request: QueryRequest, timeout: float) -> QueryResult:
        graph_form = request.form in ("CONSTRUCT", "DESCRIBE")
        accept = (
            "application/n-triples, text/turtle;q=0.9"
            if graph_form
            else "application/sparql-results+xml"
        )
        # Sent as the client wrote it, not bounded: Virtuoso refuses an ORDER BY whose LIMIT
        # is over its MaxSortedTopRows (10,000 by default: error SR353), so LIMIT max_rows+1
        # would break ordered queries there. The answer is capped once parsed.
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
            raise RemoteEngineError(f"the remote endpoint is unreachable: {exc}") from exc
        if 400 <= status < 500:
            text = body[:500].decode("utf-8", errors="replace")
            raise BadQuery(f"the remote endpoint refused the query: {text}")
        if status != 200:
            raise RemoteEngineError(f"the remote endpoint answered HTTP {status}")
        try:
            if graph_form:
                rdf = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.N_TRIPLES
                if rdf != ox.RdfFormat.N_TRIPLES:
                    body = (
                        ox.serialize(ox.parse(body, format=rdf), format=ox.RdfFormat.N_TRIPLES)
                        or b""
                    )
                return triples(body or b"", request.result_format, request.max_rows)
            results = ox.QueryResultsFormat.from_media_type(media) or ox.QueryResultsFormat.XML
            parsed = ox.parse_query_results(body, format=results)
            return from_engine(parsed, request, True)
        except (ValueError, SyntaxError, OSError) as exc:
            raise RemoteEngineError(
                f"the remote endpoint returned malformed results: {exc}"
            ) from exc

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
                    raise RemoteEngineError(
                        f"the remote endpoint's answer is larger than {MAX_REMOTE_BYTES} bytes"
                    )
                chunks.append(chunk)
            media = response.headers.get("content-type", "").split(";")[0].strip()
            return response.status_code, media, b"".join(chunks)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
