"""The query engines, and :func:`make_engine`: the one place that knows which exist.

* :class:`~.embedded.EmbeddedEngine`: pyoxigraph in isolated, killable worker processes,
  in memory (speed) or over an on-disk store (lean);
* :class:`~.remote.RemoteEngine`: a remote SPARQL 1.1 store, for scale-out;
* :class:`~.cache.CachedEngine`: a bounded result cache in front of the embedded engine
  (its data never changes while it runs).

Every engine takes a :class:`QueryRequest` that the protocol layer has checked and returns
a :class:`QueryResult`: the bytes in the negotiated format, the row cap applied and
signalled.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..settings import Settings
from .cache import CachedEngine
from .dataset import Served
from .embedded import EmbeddedEngine
from .engine_types import Engine
from .local import LocalEngine
from .messages import QueryForm, QueryRequest, QueryResult
from .remote import RemoteEngine

__all__ = [
    "Engine",
    "InProcess",
    "QueryForm",
    "QueryRequest",
    "QueryResult",
    "Sandbox",
    "make_engine",
    "store_mode",
]

#: In auto mode, the in-memory store is used when the RDF to load, times this factor per
#: worker, fits in half the memory available (pyoxigraph's in-memory store took 3.2x the
#: size of the N-Triples it was loaded from, measured at 1M triples).
MEMORY_FACTOR = 4


def store_cache(settings: Settings) -> Path | None:
    return Path(settings.store_cache) if settings.store_cache else None


def worker_count(settings: Settings) -> int:
    return settings.workers if settings.workers > 0 else max(1, os.cpu_count() or 1)


def _available_memory() -> int:
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def store_mode(settings: Settings, served: Served) -> str:
    """``memory`` or ``lean``: the setting, or for ``auto`` whether the data fits."""
    if settings.store_mode != "auto":
        return settings.store_mode
    available = _available_memory()
    needed = served.size * MEMORY_FACTOR * worker_count(settings)
    return "memory" if available == 0 or needed < available // 2 else "lean"


@dataclass(frozen=True)
class Sandbox:
    """A zygote forked by an HTTP worker (:func:`.worker.fork_zygote`) and the folder of its
    workers' socket: where that worker's ORDER BY queries run."""

    folder: Path
    zygote: tuple[int, int, int]


@dataclass(frozen=True)
class InProcess:
    """The store of an isolated HTTP worker process (see ``smartcity_graph.web.server``)."""

    store: Any
    mode: str
    network_isolated: bool
    processes: int
    on_timeout: Callable[[], None]
    sandbox: Sandbox | None = None


def make_engine(settings: Settings, served: Served, in_process: InProcess | None = None) -> Engine:
    """The engine the settings ask for, serving *served*: remote, in this (isolated) process,
    or in isolated worker processes of its own; behind the result cache if it is on."""
    if settings.sparql_endpoint:
        return RemoteEngine(settings.sparql_endpoint)
    engine: Engine
    if in_process is not None:
        engine = LocalEngine(
            in_process.store,
            in_process.mode,
            network_isolated=in_process.network_isolated,
            require_isolation=settings.require_isolation,
            memory_mb=settings.worker_memory_mb,
            processes=in_process.processes,
            on_timeout=in_process.on_timeout,
            sandbox=None
            if in_process.sandbox is None
            else EmbeddedEngine(
                served,
                workers=1,
                mode=in_process.mode,
                memory_mb=settings.worker_memory_mb,
                folder=in_process.sandbox.folder,
                preforked=in_process.sandbox.zygote,
            ),
        )
    else:
        engine = EmbeddedEngine(
            served,
            workers=worker_count(settings),
            mode=store_mode(settings, served),
            memory_mb=settings.worker_memory_mb,
            store_cache=store_cache(settings),
            require_isolation=settings.require_isolation,
        )
    if settings.query_cache > 0:
        return CachedEngine(engine, entries=settings.query_cache)
    return engine
