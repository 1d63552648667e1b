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

A query whose client has gone (the web layer cancels its :meth:`LocalEngine.run`) is
stopped the same way, unless it ends by itself within :data:`ABANDON_GRACE`: a query that
was about to finish costs nothing, one that would run on costs this process, which stops
taking connections at once and exits as soon as what else it is answering is sent.

Queries with ``ORDER BY`` run in the sort sandbox instead: a small pool of killable
processes forked from this worker (:class:`.embedded.EmbeddedEngine` over a pre-forked
zygote that shares this worker's store). pyoxigraph 0.5.13 aborts the whole process when an
ORDER BY meets values it cannot order consistently (numbers mixed with strings: Rust's sort
panics with "user-provided comparison function does not correctly implement a total
order", and the panic cannot be caught), so such a query must never run in a process that
answers other requests. There it costs its sandbox worker, which is replaced, and the
client gets a 500.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..errors import EngineUnavailable, QueryTimeout
from .engine_types import Engine
from .messages import QueryRequest, QueryResult
from .results import answer

#: Seconds an abandoned query may still take to end by itself before its process is recycled.
ABANDON_GRACE = 0.25
#: ORDER BY anywhere in the query text (a false match in a string only costs a sandbox trip).
_ORDERED = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)


@dataclass
class LocalEngine:
    """Runs queries on this process's own pyoxigraph store, on a small thread pool."""

    store: Any
    mode: str
    union_default_graph: bool = False
    network_isolated: bool = False
    require_isolation: str = "auto"
    """The ``require_isolation`` setting the server was started with (for ``/health``)."""
    memory_mb: int = 0
    processes: int = 1
    """How many HTTP worker processes serve (for ``/health``)."""
    on_timeout: Callable[[], None] | None = None
    """Called once when a query overran: the process must be recycled."""
    threads: int = 8
    sandbox: Engine | None = None
    """Where ORDER BY queries run (see above); None runs them here."""
    stats: dict[str, int] = field(
        default_factory=lambda: {"timeouts": 0, "abandoned": 0, "abandoned_stopped": 0}
    )
    recycling: bool = False
    _executor: ThreadPoolExecutor | None = None

    @property
    def name(self) -> str:
        isolated = "isolated " if self.network_isolated else ""
        return f"pyoxigraph in {isolated}HTTP workers ({self.mode})"

    async def start(self) -> None:
        if self.sandbox is not None:
            await self.sandbox.start()
        self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix="query")

    def health(self) -> dict[str, Any]:
        sandbox = self.sandbox.health() if self.sandbox is not None else {}
        return {
            "engine": self.name,
            "store_mode": self.mode,
            "workers": self.processes,
            "workers_without_network": self.network_isolated
            and sandbox.get("workers_without_network", True),
            "isolation": "network-namespace" if self.network_isolated else "guard-only",
            "require_isolation": self.require_isolation,
            "sort_sandbox": {
                k: sandbox[k] for k in ("workers", "timeouts", "restarts") if k in sandbox
            },
        } | self.stats

    async def run(self, request: QueryRequest, timeout: float) -> QueryResult:
        if self._executor is None:
            raise EngineUnavailable("the engine is not started")
        if self.sandbox is not None and _ORDERED.search(request.bounded or request.query):
            try:
                # Cancelled, the sandbox kills the query's process and forks another.
                return await self.sandbox.run(request, timeout)
            except EngineUnavailable:
                self._recycle()  # the sandbox cannot be started again in this process
                raise
            except asyncio.CancelledError:
                self.stats["abandoned"] += 1
                raise
        thread = self._executor.submit(
            answer, self.store, request, self.union_default_graph, self.memory_mb
        )
        try:
            return await asyncio.wait_for(asyncio.wrap_future(thread), timeout)
        except asyncio.CancelledError:
            # The client has gone. A query still queued is dropped (the cancel reaches the
            # executor); one that is running cannot be stopped in this process.
            thread.cancel()
            self.stats["abandoned"] += 1
            asyncio.get_running_loop().call_later(ABANDON_GRACE, self._stop_abandoned, thread)
            raise
        except TimeoutError as exc:
            self.stats["timeouts"] += 1
            self._recycle()
            raise QueryTimeout(
                f"the query ran longer than {timeout:g} s and was stopped (its worker process "
                "is replaced)"
            ) from exc

    def _stop_abandoned(self, thread: Future[QueryResult]) -> None:
        """Recycle this process if an abandoned query is still running."""
        if not thread.done():
            self.stats["abandoned_stopped"] += 1
            self._recycle()

    def _recycle(self) -> None:
        if not self.recycling:
            self.recycling = True
            if self.on_timeout is not None:
                self.on_timeout()

    async def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        if self.sandbox is not None:
            await self.sandbox.close()
