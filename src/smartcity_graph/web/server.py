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

A query that runs past the timeout gets a 503 at the timeout; its worker stops taking
connections, finishes what it is answering, and exits (which stops the query), while the
supervisor forks a replacement at once. A worker that dies is replaced. The kernel kills
every worker if the supervisor dies.

In remote mode (``sparql_endpoint``) the workers keep the network, which they need to reach
the remote store; the guard is then what refuses ``SERVICE``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from ..errors import UsageError
from ..query.dataset import Served
from ..query.engine import InProcess, make_engine, store_cache, store_mode, worker_count
from ..query.stores import ensure_store, memory_store
from ..query.worker import die_with_parent, isolate_network, limit_memory
from ..settings import Settings

#: Seconds the supervisor waits for workers to finish on shutdown before killing them.
SHUTDOWN_GRACE = 10.0


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
        self.children: set[int] = set()
        self.stopping = False
        self.replace_now = 0

    def prepare(self) -> None:
        """Load or build the store once, before any worker exists."""
        if self.mode == "memory":
            self.store = memory_store(self.served)
        elif self.mode == "lean":
            self.location = str(ensure_store(self.served, store_cache(self.settings)))

    def run(self, listener: socket.socket) -> int:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        signal.signal(signal.SIGUSR1, self._recycling)
        for _ in range(self.processes):
            self._fork(listener)
        while not self.stopping:
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
        while self.children:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                return
            if pid == 0:
                return
            self.children.discard(pid)

    def _shutdown(self) -> None:
        for pid in list(self.children):
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + SHUTDOWN_GRACE
        while self.children and time.monotonic() < deadline:
            self._reap()
            time.sleep(0.05)
        for pid in list(self.children):
            _signal(pid, signal.SIGKILL)
        while self.children:
            self._reap()
            time.sleep(0.01)

    def _fork(self, listener: socket.socket) -> None:
        pid = os.fork()
        if pid:
            self.children.add(pid)
            return
        code = 1
        try:
            code = self._worker(listener)
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)

    def _worker(self, listener: socket.socket) -> int:
        """One HTTP worker (in the forked child): isolate, open the store, serve."""
        import uvicorn

        from .app import create_app

        die_with_parent()
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1):
            signal.signal(signum, signal.SIG_DFL)
        isolated = False if self.remote else isolate_network()
        if self.settings.worker_memory_mb > 0 and not self.remote:
            limit_memory(self.settings.worker_memory_mb)
        store = self.store
        if self.mode == "lean":
            import pyoxigraph as ox

            assert self.location is not None
            store = ox.Store.read_only(self.location)
        server: uvicorn.Server | None = None
        supervisor = os.getppid()

        def recycle() -> None:
            _signal(supervisor, signal.SIGUSR1)
            if server is not None:
                server.should_exit = True

        engine = make_engine(
            self.settings,
            self.served,
            None if self.remote else InProcess(store, self.mode, isolated, self.processes, recycle),
        )
        config = uvicorn.Config(
            create_app(self.settings, self.served, engine),
            log_level="warning",
            server_header=False,
            timeout_graceful_shutdown=max(1, int(self.settings.query_timeout) + 1),
        )
        server = uvicorn.Server(config)
        server.run(sockets=[listener])
        return 0


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def serve(settings: Settings, served: Served, announce: Callable[[str], None]) -> int:
    """Prepare the store, listen, fork the workers, supervise until SIGTERM or Ctrl-C."""
    supervisor = Supervisor(settings, served)
    supervisor.prepare()
    try:
        listener = socket.create_server((settings.host, settings.port), backlog=2048)
    except OSError as exc:
        raise UsageError(f"cannot listen on {settings.host}:{settings.port}: {exc}") from exc
    listener.set_inheritable(True)
    announce(
        f"serving on http://{settings.host}:{settings.port}/ (SPARQL: /sparql); "
        f"{supervisor.processes} worker processes, store: {supervisor.mode}"
    )
    sys.stdout.flush()
    try:
        return supervisor.run(listener)
    finally:
        listener.close()
