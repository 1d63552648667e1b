"""A bounded cache of query results, for an engine whose data never changes.

A release is immutable, so an identical query (same text, form, format, dataset, row cap
and base IRI) has the same answer for as long as the server runs. The cache is keyed by the
request and lives no longer than the engine, which serves one release. It holds at most
``entries`` results and ``max_bytes`` bytes, evicting the least recently used.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from .engine_types import Engine
from .messages import QueryRequest, QueryResult

#: Results larger than this are answered but not kept.
MAX_ENTRY_BYTES = 8 * 1024 * 1024


@dataclass
class CachedEngine:
    """An :class:`Engine` in front of another, answering repeated queries from memory."""

    engine: Engine
    entries: int = 256
    max_bytes: int = 64 * 1024 * 1024
    _results: OrderedDict[QueryRequest, QueryResult] = field(default_factory=OrderedDict)
    _bytes: int = 0
    hits: int = 0
    misses: int = 0

    @property
    def name(self) -> str:
        return self.engine.name

    async def start(self) -> None:
        await self.engine.start()

    async def close(self) -> None:
        self._results.clear()
        self._bytes = 0
        await self.engine.close()

    def health(self) -> dict[str, Any]:
        return self.engine.health() | {
            "result_cache": {
                "entries": len(self._results),
                "bytes": self._bytes,
                "hits": self.hits,
                "misses": self.misses,
            }
        }

    async def run(self, request: QueryRequest, timeout: float) -> QueryResult:
        found = self._results.get(request)
        if found is not None:
            self._results.move_to_end(request)
            self.hits += 1
            return found
        self.misses += 1
        result = await self.engine.run(request, timeout)
        size = len(result.body)
        if size <= min(MAX_ENTRY_BYTES, self.max_bytes):
            self._results[request] = result
            self._bytes += size
            while len(self._results) > self.entries or self._bytes > self.max_bytes:
                _, evicted = self._results.popitem(last=False)
                self._bytes -= len(evicted.body)
        return result
