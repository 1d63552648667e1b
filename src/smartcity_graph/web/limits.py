"""SPARQL queries: how many may run at once, and what happens when their client leaves.

**Admission** (:class:`Admission`). Each HTTP worker process admits at most
``max_queries`` SPARQL queries at once, and at most ``max_queries_per_client`` from one
client address (the address uvicorn reports: behind a proxy on the same host, the one in
its ``X-Forwarded-For``). A query over the client's share is refused with 429, one over the
process's with 503, both with ``Retry-After``, before any work on it: no parsing, no cache
look-up, no engine. The counts are per process (no state is shared between the HTTP
workers), so the server as a whole runs at most ``workers`` times each limit.

**Abandonment** (:func:`unless_disconnected`). While the engine works, the client's side of
the connection is watched (ASGI ``receive()`` says ``http.disconnect`` when it closes). When
it goes, the engine call is cancelled, and each engine stops its query the way it stops one
that ran past the timeout: the embedded engine kills and replaces the query's worker
process, the in-process engine of ``serve`` recycles its HTTP worker (see
:mod:`smartcity_graph.query.local`), the remote engine closes its HTTP request.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.types import Receive

from ..errors import TooManyQueries, TooManyQueriesFromClient

T = TypeVar("T")

#: Seconds to wait for an engine call to wind down once cancelled, before leaving it to
#: finish in the background (its result is then dropped).
CANCEL_WAIT = 1.0
#: Messages other than ``http.disconnect`` a watcher accepts after the body before it stops
#: listening (a server that answered ``receive()`` without blocking would make it spin).
MAX_EXTRA_MESSAGES = 8


class ClientGone(Exception):
    """The client closed its connection before its answer was ready; nothing is sent."""


@dataclass
class Admission:
    """Counts the SPARQL queries running in this process, overall and per client."""

    overall: int
    """Most queries at once; 0 = no limit."""
    per_client: int
    """Most queries at once from one client address; 0 = no limit."""
    running: int = 0
    clients: dict[str, int] = field(default_factory=dict)
    refused_busy: int = 0
    refused_client: int = 0
    abandoned: int = 0

    @contextlib.contextmanager
    def admit(self, client: str) -> Iterator[None]:
        """Hold one query slot of *client* for the ``with`` block, or refuse at once: 429
        when the client has its share running (checked first: it is the client's own doing),
        503 when the process has."""
        mine = self.clients.get(client, 0)
        if self.per_client and mine >= self.per_client:
            self.refused_client += 1
            raise TooManyQueriesFromClient(
                f"this client already has {mine} queries running (at most {self.per_client} "
                "at once); retry when one has finished"
            )
        if self.overall and self.running >= self.overall:
            self.refused_busy += 1
            raise TooManyQueries(
                f"the server is running as many queries as it may ({self.overall} at once); "
                "retry shortly"
            )
        self.running += 1
        self.clients[client] = mine + 1
        try:
            yield
        finally:
            self.running -= 1
            left = self.clients[client] - 1
            if left:
                self.clients[client] = left
            else:
                del self.clients[client]

    def health(self) -> dict[str, Any]:
        """What ``/health`` says under ``queries`` (counts of this process)."""
        return {
            "running": self.running,
            "limit": self.overall,
            "per_client_limit": self.per_client,
            "refused_busy": self.refused_busy,
            "refused_client": self.refused_client,
            "abandoned": self.abandoned,
        }


async def unless_disconnected(work: Awaitable[T], receive: Receive | None) -> T:
    """The result of *work*, unless the client disconnects first: then *work* is cancelled
    (its engine stops the query) and :class:`ClientGone` is raised.

    Call it once the request body has been read: from then on ``receive()`` only answers
    when the client has gone. Without *receive*, *work* is simply awaited."""
    if receive is None:
        return await work
    task = asyncio.ensure_future(work)
    watch = asyncio.ensure_future(_disconnected(receive))
    try:
        await asyncio.wait((task, watch), return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        task.cancel()
        watch.cancel()
        raise
    if task.done():
        watch.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watch
        return task.result()
    task.cancel()
    await asyncio.wait((task,), timeout=CANCEL_WAIT)
    if task.done():
        _drop(task)
    else:
        task.add_done_callback(_drop)
    raise ClientGone


async def _disconnected(receive: Receive) -> None:
    """Return when the client has disconnected (never, for a server that cannot tell)."""
    extra = 0
    while (await receive())["type"] != "http.disconnect":
        extra += 1
        if extra > MAX_EXTRA_MESSAGES:
            await asyncio.Event().wait()


def _drop(task: asyncio.Future[Any]) -> None:
    """Retrieve a late engine call's outcome, so that it is not logged as never retrieved."""
    if not task.cancelled():
        task.exception()
