"""``smartcity-graph serve``: a supervisor and its isolated HTTP worker processes.

The supervisor opens the listening socket, prepares the store once (loads it into memory,
or builds/reuses the on-disk store of lean mode), then forks one HTTP worker per core.
Each worker, before it serves anything:

1. leaves the network: a new, empty network namespace (the listening socket it inherited
   still accepts; nothing it opens can reach anywhere, so a ``SERVICE`` that slipped past
   the guard cannot connect);
2. caps its address space (``worker_memory_mb`` beyond the store it holds);
3. runs the whole application under uvicorn, with the store in its own process
   (:class:`~smartcity_graph.query.local.LocalEngine`): results go from pyoxigraph's
   serialiser to the socket, with no other process in between.

In memory mode the data is loaded once, in the supervisor, and the workers are forked from
it. The first start also builds the on-disk store in the background; every later start with
the same content serves from that store at once (in ~0.1 s, whatever the size) while the
memory store loads, then swaps its workers for memory ones. No worker ever serves a store
that is still loading.

A query that runs past the timeout gets a 503 at the timeout; its worker stops taking
connections, finishes what it is answering, and exits (which stops the query), while the
supervisor forks a replacement at once. A worker that dies is replaced. The kernel kills
every worker if the supervisor dies.

In remote mode (``sparql_endpoint``) the workers keep the network, which they need to reach
the remote store; the guard is then what refuses ``SERVICE``.

Whether the workers must leave the network is the ``require_isolation`` setting, decided
once at start-up, before the data is loaded (:meth:`Supervisor.decide_isolation`): a child
forked for the purpose tries to leave the network. ``on``: the server refuses to start (one
line, exit code 2) unless it can. ``auto`` (the default): where it can, every worker must
(a worker that then cannot ends the server with one line and exit code 2); where it cannot,
the server starts with the query guard alone and says so in one line. ``off``: the workers
keep the network; one line says so. ``/health`` reports ``isolation``
(``network-namespace`` or ``guard-only``) and ``require_isolation``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import uvicorn

from ..errors import SmartCityGraphError, UsageError
from ..query.dataset import Served
from ..query.engine import (
    InProcess,
    Sandbox,
    make_engine,
    store_cache,
    store_mode,
    worker_count,
)
from ..query.stores import StoreBuild, cached_store, ensure_store, memory_store
from ..query.worker import (
    die_with_parent,
    fork_zygote,
    isolate_network,
    limit_memory,
    probe_isolation,
)
from ..settings import Settings
from .app import create_app

#: Seconds the supervisor waits for workers to finish on shutdown before killing them.
SHUTDOWN_GRACE = 10.0
#: The exit code of an HTTP worker that could not leave the network while it had to.
ISOLATION_FAILED = 78
#: What protects a server whose workers keep the network: the query guard.
GUARD = (
    "the query guard alone protects the server: SERVICE and every update (LOAD among them) "
    "are refused before evaluation, so no query makes the engine connect anywhere"
)


class Supervisor:
    """Forks, watches and replaces the HTTP workers."""

    def __init__(self, settings: Settings, served: Served) -> None:
        self.settings = settings
        self.served = served
        self.processes = worker_count(settings)
        self.remote = bool(settings.sparql_endpoint)
        self.mode = "remote" if self.remote else store_mode(settings, served)
        self.store: Any = None
        self.location: str | None = None
        self.serving = self.mode
        """The mode of the workers being forked now: ``lean`` while a warm start loads."""
        self.children: dict[int, str] = {}
        self.stopping = False
        self.replace_now = 0
        self.draining: set[int] = set()
        """Workers told to finish and exit (replaced already)."""
        self.loading: threading.Thread | None = None
        self.loaded: list[Any] = []
        self.build: StoreBuild | None = None
        self.isolation = "guard-only"
        """``network-namespace`` when every worker must leave the network, else
        ``guard-only`` (decided by :meth:`decide_isolation`)."""
        self.failure: str | None = None
        """Why the server stopped on its own (a worker that could not leave the network)."""

    def decide_isolation(self) -> str | None:
        """Decide, once, whether the workers leave the network (see the module's notes):
        :class:`UsageError` if isolation is required and impossible; otherwise the one line
        to say at start-up when the workers keep the network (None when they leave it)."""
        required = self.settings.require_isolation
        if self.remote:
            if required == "on":
                raise UsageError(
                    "require_isolation=on cannot hold with sparql_endpoint: the HTTP workers "
                    "need the network to reach the remote store"
                )
            return f"the HTTP workers keep the network to reach the remote store; {GUARD}"
        if required == "off":
            return f"require_isolation=off: the HTTP workers keep the network; {GUARD}"
        reason = probe_isolation()
        if reason is None:
            self.isolation = "network-namespace"
            return None
        if required == "on":
            raise UsageError(
                f"require_isolation=on, but the HTTP workers cannot leave the network here "
                f"({reason}); not starting"
            )
        return f"the HTTP workers cannot leave the network here ({reason}); {GUARD}"

    def prepare(self) -> None:
        """Load or build the store once, before any worker exists.

        Memory mode with an on-disk store already built for this content (a warm start):
        serve from it at once, load the memory store meanwhile, then swap the workers. On a
        first start in memory mode, the on-disk store is built in the background for the
        next start.
        """
        cache = store_cache(self.settings)
        if self.mode == "lean":
            self.location = str(ensure_store(self.served, cache))
        elif self.mode == "memory":
            warm = cached_store(self.served, cache)
            if warm is not None:
                self.location = str(warm)
                self.serving = "lean"
                # Started by run() once the lean workers are forked: pyoxigraph holds the
                # GIL while it loads, so no fork could happen meanwhile.
                self.loading = threading.Thread(target=self._load, daemon=True)
            else:
                self.store = memory_store([source.to_json() for source in self.served.sources])
                self.build = StoreBuild(self.served, cache)

    def _load(self) -> None:
        try:
            self.loaded.append(memory_store([source.to_json() for source in self.served.sources]))
        except SmartCityGraphError as exc:
            sys.stderr.write(f"smartcity-graph: the memory store did not load: {exc}\n")

    def _step(self, listener: socket.socket) -> None:
        """Finish a background build; swap lean workers for memory ones once loaded."""
        if self.build is not None and self.build.done():
            try:
                self.build.finish()
            except (SmartCityGraphError, OSError) as exc:
                sys.stderr.write(f"smartcity-graph: the on-disk store was not kept: {exc}\n")
            self.build = None
        if self.loading is not None and not self.loading.is_alive():
            self.loading.join()
            self.loading = None
            if self.loaded:
                self.store = self.loaded.pop()
                self.serving = "memory"
                draining = [pid for pid, mode in self.children.items() if mode == "lean"]
                for _ in range(self.processes):
                    self._fork(listener)
                for pid in draining:
                    _signal(pid, signal.SIGTERM)
                    self.children.pop(pid, None)
                    self.draining.add(pid)

    def run(self, listener: socket.socket) -> int:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        signal.signal(signal.SIGUSR1, self._recycling)
        for _ in range(self.processes):
            self._fork(listener)
        if self.loading is not None:
            self.loading.start()
        while not self.stopping:
            self._step(listener)
            while self.replace_now:
                self.replace_now -= 1
                self._fork(listener)
            self._reap()
            while len(self.children) < self.processes and not self.stopping:
                self._fork(listener)
            time.sleep(0.1)
        self._shutdown()
        return 0

    def _stop(self, signum: int, frame: object) -> None:
        self.stopping = True

    def _recycling(self, signum: int, frame: object) -> None:
        """A worker is draining after a runaway query: start its replacement now."""
        self.replace_now += 1

    def _reap(self) -> None:
        while self.children or self.draining:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                self.draining.clear()
                return
            if pid == 0:
                return
            if pid in self.children and os.waitstatus_to_exitcode(status) == ISOLATION_FAILED:
                self.failure = (
                    "an HTTP worker could not leave the network, although the start-up probe "
                    f"could (require_isolation={self.settings.require_isolation}); stopped"
                )
                self.stopping = True
            self.children.pop(pid, None)
            self.draining.discard(pid)

    def _shutdown(self) -> None:
        if self.build is not None:
            self.build.process.kill()
            with contextlib.suppress(SmartCityGraphError, OSError):
                self.build.finish()
        everyone = [*self.children, *self.draining]
        for pid in everyone:
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + SHUTDOWN_GRACE
        while (self.children or self.draining) and time.monotonic() < deadline:
            self._reap()
            time.sleep(0.05)
        for pid in [*self.children, *self.draining]:
            _signal(pid, signal.SIGKILL)
        while self.children or self.draining:
            self._reap()
            time.sleep(0.01)

    def _fork(self, listener: socket.socket) -> None:
        mode = self.serving
        pid = os.fork()
        if pid:
            self.children[pid] = mode
            return
        code = 1
        try:
            code = self._worker(listener, mode)
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)

    def _worker(self, listener: socket.socket, mode: str) -> int:
        """One HTTP worker (in the forked child): isolate, open the store, serve."""
        die_with_parent()
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1):
            signal.signal(signum, signal.SIG_DFL)
        isolated = self.isolation == "network-namespace" and isolate_network()
        if self.isolation == "network-namespace" and not isolated:
            return ISOLATION_FAILED  # never serve with the network where isolation is required
        if self.settings.worker_memory_mb > 0 and not self.remote:
            limit_memory(self.settings.worker_memory_mb)
        store = self.store if mode == "memory" else None
        server: uvicorn.Server | None = None
        supervisor = os.getppid()

        def recycle() -> None:
            _signal(supervisor, signal.SIGUSR1)
            if server is not None:
                server.should_exit = True

        sandbox = None
        if not self.remote:
            # The sort sandbox: forked now, while this process has one thread, sharing its
            # store; ORDER BY queries run in its killable children (see query/local.py).
            folder = Path(tempfile.mkdtemp(prefix="smartcity-graph-sort-"))
            spec = {
                "mode": mode,
                "location": self.location,
                "socket": str(folder / "workers.sock"),
                "union": False,
                "memory_mb": self.settings.worker_memory_mb,
            }
            sandbox = Sandbox(folder, fork_zygote(spec, store, isolated))
        if mode == "lean":  # opened after the fork: RocksDB starts threads
            assert self.location is not None
            store = ox.Store.read_only(self.location)
        engine = make_engine(
            self.settings,
            self.served,
            None
            if self.remote
            else InProcess(store, mode, isolated, self.processes, recycle, sandbox),
        )
        config = uvicorn.Config(
            create_app(self.settings, self.served, engine),
            log_level="warning",
            server_header=False,
            timeout_graceful_shutdown=max(1, int(self.settings.query_timeout) + 1),
        )
        server = uvicorn.Server(config)
        try:
            server.run(sockets=[listener])
        finally:
            if sandbox is not None:
                shutil.rmtree(sandbox.folder, ignore_errors=True)
        return 0


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def serve(settings: Settings, served: Served, announce: Callable[[str], None]) -> int:
    """Prepare the store, listen, fork the workers, supervise until SIGTERM or Ctrl-C."""
    supervisor = Supervisor(settings, served)
    notice = supervisor.decide_isolation()
    if notice is not None:
        sys.stderr.write(f"smartcity-graph: warning: {notice}\n")
        sys.stderr.flush()
    supervisor.prepare()
    try:
        listener = socket.create_server((settings.host, settings.port), backlog=2048)
    except OSError as exc:
        raise UsageError(f"cannot listen on {settings.host}:{settings.port}: {exc}") from exc
    listener.set_inheritable(True)
    announce(
        f"serving on http://{settings.host}:{settings.port}/ (SPARQL: /sparql); "
        f"{supervisor.processes} worker processes, store: {supervisor.mode}, "
        f"isolation: {supervisor.isolation}"
    )
    sys.stdout.flush()
    try:
        code = supervisor.run(listener)
    finally:
        listener.close()
    if supervisor.failure is not None:
        raise UsageError(supervisor.failure)
    return code
