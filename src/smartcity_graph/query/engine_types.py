"""The :class:`Engine` protocol: what the web layer needs from a query engine.

Kept apart from :mod:`.engine` (which builds the engines) so that the engines and the cache
can name the protocol without importing the module that imports them.
"""

from __future__ import annotations

from typing import Any, Protocol

from .messages import QueryRequest, QueryResult


class Engine(Protocol):
    """A query engine: started once, asked many checked queries, closed once."""

    @property
    def name(self) -> str: ...

    async def start(self) -> None:
        """Load or connect; raise :class:`~smartcity_graph.errors.EngineUnavailable` if the
        engine cannot serve."""

    async def run(self, request: QueryRequest, timeout: float) -> QueryResult:
        """Answer *request* within *timeout* seconds, with the row cap applied."""

    async def close(self) -> None:
        """Stop every process and connection the engine holds."""

    def health(self) -> dict[str, Any]:
        """What ``/health`` reports: the engine's name, mode, workers and isolation."""
