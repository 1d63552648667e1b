"""The embedded engine: pyoxigraph in isolated, killable worker processes.

Two store modes (setting ``store_mode``):

``memory``
    The zygote (:mod:`.worker`) loads the data into an in-memory store once and forks the
    workers from it: the engine's full speed.
``lean``
    The data is bulk-loaded once into an on-disk store in ``store_cache``, keyed by the
    sha256 of the content (:meth:`.dataset.Served.key`), and reused at every later start
    while the content is unchanged. Workers open it read-only: the least memory. A store is
    built in a temporary sibling and renamed into place, so a store being built is never
    served.

Requests go to the first idle worker (one queue of idle workers: a query never waits
behind a busy worker while another is idle). A query that runs past the timeout is stopped
by killing its worker; the zygote forks a replacement in milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import (
    BadQuery,
    EngineBusy,
    EngineError,
    EngineUnavailable,
    QueryTimeout,
    SmartCityGraphError,
)
from . import frames
from .dataset import Served
from .messages import QueryRequest, QueryResult
from .stores import ensure_store, worker_command

STORE_MODES = ("memory", "lean")
#: Seconds a forked worker may take to connect back.
SPAWN_TIMEOUT = 30.0
#: Stores kept in the cache folder (the most recently used).
KEEP_STORES = 8


@dataclass
class _Worker:
    """One worker process, spoken to over its Unix socket."""

    pid: int
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    network_isolated: bool
    memory_capped: bool
    killed: bool = False

    async def call(self, request: QueryRequest) -> QueryResult:
        self.writer.write(frames.pack_json(request.to_json()))
        await self.writer.drain()
        header, body = frames.unpack_reply(await frames.read_async(self.reader))
        status = header.get("status")
        if status == "ok":
            return QueryResult(body, str(header["media_type"]), bool(header["truncated"]))
        if status == "bad":
            raise BadQuery(str(header.get("message", "the query was refused")))
        raise EngineError(str(header.get("message", "the query worker failed")))

    def kill(self) -> None:
        """Kill the process, once (the kernel reaps it at once, so its pid may be reused)."""
        if self.killed:
            return
        self.killed = True
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        self.writer.close()


@dataclass
class _Zygote:
    """The parent of the workers: an exec'd process, or one forked by the caller."""

    pid: int
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    process: asyncio.subprocess.Process | None = None

    @classmethod
    async def from_fds(cls, pid: int, write_fd: int, read_fd: int) -> _Zygote:
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(read_fd, "rb", 0)
        )
        transport, protocol = await loop.connect_write_pipe(
            asyncio.streams.FlowControlMixin, os.fdopen(write_fd, "wb", 0)
        )
        writer = asyncio.StreamWriter(transport, protocol, None, loop)
        return cls(pid, reader, writer)

    def alive(self) -> bool:
        if self.process is not None:
            return self.process.returncode is None
        try:
            done, _ = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            return False
        return done == 0

    async def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        if self.process is not None:
            await self.process.wait()
        else:
            self.writer.close()
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)


@dataclass
class EmbeddedEngine:
    """pyoxigraph in a pool of killable worker processes forked from one zygote."""

    served: Served
    workers: int = 2
    mode: str = "memory"
    union_default_graph: bool = False
    memory_mb: int = 2048
    store_cache: Path | None = None
    network_isolated: bool = False
    """True when every worker runs without network (see :mod:`.worker`)."""
    require_isolation: str = "auto"
    """The ``require_isolation`` setting: ``on`` (no worker serves with network), ``auto``
    (isolated where the kernel allows) or ``off`` (never isolated)."""
    stats: dict[str, int] = field(
        default_factory=lambda: {"timeouts": 0, "restarts": 0, "abandoned": 0}
    )
    quads: int | None = None
    _folder: Path | None = None
    _server: asyncio.AbstractServer | None = None
    folder: Path | None = None
    """The folder of the workers' Unix socket (default: a new temporary folder)."""
    preforked: tuple[int, int, int] | None = None
    """A zygote already forked by the caller (:func:`.worker.fork_zygote`): its pid and the
    fds to write tokens to and read from. It cannot be started again if it dies."""
    _zygote: _Zygote | None = None
    _spec: dict[str, Any] = field(default_factory=dict)
    _pool: list[_Worker] = field(default_factory=list)
    _idle: asyncio.Queue[_Worker] | None = None
    _pending: dict[str, asyncio.Future[_Worker]] = field(default_factory=dict)
    _location: Path | None = None
    _replacing: set[asyncio.Task[None]] = field(default_factory=set)
    """Replacements forked in the background (a task must be referenced until it ends)."""

    @property
    def name(self) -> str:
        return f"embedded pyoxigraph ({self.mode})"

    async def start(self) -> None:
        try:
            await self._start()
        except BaseException:
            await self.close()
            raise

    async def _start(self) -> None:
        if self.mode not in STORE_MODES:
            raise EngineUnavailable(f"unknown store mode {self.mode!r}; use memory or lean")
        self._folder = self.folder or Path(tempfile.mkdtemp(prefix="smartcity-graph-"))
        socket_path = self._folder / "workers.sock"
        self._server = await asyncio.start_unix_server(self._on_hello, path=str(socket_path))
        if self.mode == "lean" and self.preforked is None:
            # A pre-forked zygote was given its store's location by its caller.
            loop = asyncio.get_running_loop()
            self._location = await loop.run_in_executor(
                None, ensure_store, self.served, self.store_cache
            )
        self._spec = {
            "mode": self.mode,
            "sources": [source.to_json() for source in self.served.sources],
            "location": str(self._location) if self._location else None,
            "socket": str(socket_path),
            "union": self.union_default_graph,
            "memory_mb": self.memory_mb,
            "require_isolation": self.require_isolation,
        }
        await self._start_zygote()
        self._idle = asyncio.Queue()
        await asyncio.gather(*(self._spawn() for _ in range(max(1, self.workers))))

    def health(self) -> dict[str, Any]:
        return {
            "engine": self.name,
            "store_mode": self.mode,
            "workers": len(self._pool),
            "workers_without_network": self.network_isolated,
            "isolation": "network-namespace" if self.network_isolated else "guard-only",
            "require_isolation": self.require_isolation,
            "quads": self.quads,
        } | self.stats

    # -- the zygote and its workers ------------------------------------------------------------

    async def _start_zygote(self) -> None:
        started = time.monotonic()
        if self.preforked is not None:
            if self._zygote is not None:
                raise EngineUnavailable("the query workers' parent process has died")
            self._zygote = await _Zygote.from_fds(*self.preforked)
        else:
            process = await asyncio.create_subprocess_exec(
                *worker_command("zygote", self._spec),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )
            assert process.stdin is not None
            assert process.stdout is not None
            self._zygote = _Zygote(process.pid, process.stdout, process.stdin, process)
        line = await self._zygote.reader.readline()
        try:
            info = json.loads(line)
        except ValueError:
            info = {"status": "error", "message": "the query worker parent exited on start"}
        if info.get("status") != "ready":
            await self._zygote.stop()
            raise EngineUnavailable(str(info.get("message", "the query workers did not start")))
        self.network_isolated = bool(info.get("network_isolated"))
        self.quads = info.get("quads")
        self.stats["load_ms"] = round((time.monotonic() - started) * 1000)

    async def _on_hello(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            hello = await asyncio.wait_for(frames.read_json_async(reader), SPAWN_TIMEOUT)
        except (asyncio.IncompleteReadError, TimeoutError, ValueError):
            writer.close()
            return
        future = self._pending.pop(str(hello.get("token")), None)
        if future is None or future.done():
            writer.close()
            return
        future.set_result(
            _Worker(
                pid=int(hello["pid"]),
                reader=reader,
                writer=writer,
                network_isolated=bool(hello.get("network_isolated")),
                memory_capped=bool(hello.get("memory_capped")),
            )
        )

    async def _spawn(self) -> None:
        assert self._idle is not None
        if self._zygote is None or not self._zygote.alive():
            await self._start_zygote()
        assert self._zygote is not None
        token = secrets.token_hex(16)
        future: asyncio.Future[_Worker] = asyncio.get_running_loop().create_future()
        self._pending[token] = future
        try:
            self._zygote.writer.write(f"{token}\n".encode())
            await self._zygote.writer.drain()
            worker = await asyncio.wait_for(future, SPAWN_TIMEOUT)
        except (TimeoutError, ConnectionError) as exc:
            self._pending.pop(token, None)
            raise EngineUnavailable("a query worker could not be started") from exc
        self.network_isolated = worker.network_isolated and (
            self.network_isolated or not self._pool
        )
        self._pool.append(worker)
        self._idle.put_nowait(worker)

    async def run(self, request: QueryRequest, timeout: float) -> QueryResult:
        assert self._idle is not None
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout)
        except TimeoutError as exc:
            raise EngineBusy(
                f"every query worker stayed busy for {timeout:g} s; try again shortly"
            ) from exc
        try:
            result = await asyncio.wait_for(worker.call(request), timeout)
        except asyncio.CancelledError:
            # The client went away mid-query: stop the query now by killing its worker, and
            # fork a replacement in the background (this task is being cancelled).
            self.stats["abandoned"] += 1
            worker.kill()
            replacing = asyncio.get_running_loop().create_task(self._replace(worker))
            self._replacing.add(replacing)
            replacing.add_done_callback(self._replaced)
            raise
        except TimeoutError as exc:
            self.stats["timeouts"] += 1
            await self._replace(worker)
            raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped") from exc
        except (EOFError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            await self._replace(worker)
            raise EngineError(
                "the query worker stopped while running this query: the engine aborted (a "
                f"query needing more than the {self.memory_mb} MB a worker may use, or an ORDER "
                "BY over values pyoxigraph cannot order, ends it); the worker was replaced"
            ) from exc
        except SmartCityGraphError:
            self._idle.put_nowait(worker)
            raise
        self._idle.put_nowait(worker)
        return result

    async def _replace(self, worker: _Worker) -> None:
        worker.kill()
        if worker in self._pool:
            self._pool.remove(worker)
        self.stats["restarts"] += 1
        await self._spawn()

    def _replaced(self, task: asyncio.Task[None]) -> None:
        self._replacing.discard(task)
        if not task.cancelled():
            # Retrieved, not raised: a replacement that could not be forked leaves the pool
            # one worker short, which /health shows.
            task.exception()

    async def close(self) -> None:
        for task in list(self._replacing):  # no replacement may be forked after this
            task.cancel()
        if self._replacing:
            await asyncio.wait(list(self._replacing))
        for worker in list(self._pool):
            worker.kill()
            with contextlib.suppress(OSError, ConnectionError):
                await worker.writer.wait_closed()
        self._pool.clear()
        if self._zygote is not None:
            await self._zygote.stop()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(OSError):
                await asyncio.wait_for(self._server.wait_closed(), 5)
        if self._folder is not None and self.folder is None:
            shutil.rmtree(self._folder, ignore_errors=True)
