"""The in-process engine: pyoxigraph inside an HTTP worker that is itself isolated.

Used by ``smartcity-graph serve`` (see :mod:`smartcity_graph.web.server`): each HTTP worker
process has left the network before it serves anything, holds the store (forked from the
supervisor in memory mode, opened read-only in lean mode), and runs queries on threads of
its own, so a query's result goes from pyoxigraph's serialiser to the socket with no other
process in between.

pyoxigraph cannot stop a query, so a query that runs past the timeout is answered with 503
at the timeout, and its worker is recycled: it stops taking connections, finishes what it
is answering (at most one more timeout), and exits, which stops the runaway query. The
supervisor starts a replacement at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..errors import EngineUnavailable, QueryTimeout
from .messages import QueryRequest, QueryResult
from .results import answer


@dataclass
class LocalEngine:
    """Runs queries on this process's own pyoxigraph store, on a small thread pool."""

    store: Any
    mode: str
    union_default_graph: bool = False
    network_isolated: bool = False
    memory_mb: int = 0
    processes: int = 1
    """How many HTTP worker processes serve (for ``/health``)."""
    on_timeout: Callable[[], None] | None = None
    """Called once when a query overran: the process must be recycled."""
    threads: int = 8
    stats: dict[str, int] = field(default_factory=lambda: {"timeouts": 0})
    recycling: bool = False
    _executor: ThreadPoolExecutor | None = None

    @property
    def name(self) -> str:
        return f"pyoxigraph in isolated HTTP workers ({self.mode})"

    async def start(self) -> None:
        self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix="query")

    def health(self) -> dict[str, Any]:
        return {
            "engine": self.name,
            "store_mode": self.mode,
            "workers": self.processes,
            "workers_without_network": self.network_isolated,
        } | self.stats

    async def run(self, request: QueryRequest, timeout: float) -> QueryResult:
        if self._executor is None:
            raise EngineUnavailable("the engine is not started")
        loop = asyncio.get_running_loop()
        work = loop.run_in_executor(
            self._executor, answer, self.store, request, self.union_default_graph, self.memory_mb
        )
        try:
            return await asyncio.wait_for(work, timeout)
        except TimeoutError as exc:
            self.stats["timeouts"] += 1
            if not self.recycling:
                self.recycling = True
                if self.on_timeout is not None:
                    self.on_timeout()
            raise QueryTimeout(
                f"the query ran longer than {timeout:g} s and was stopped (its worker process "
                "is replaced)"
            ) from exc

    async def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
