"""Query worker processes: ``python -m smartcity_graph.query.worker COMMAND SPEC``.

``build``
    Create the on-disk store for a set of sources at a location (the lean mode's store),
    then exit. One JSON line on stdout: ``{"status": "ok", "quads": N}`` or an error.

``zygote``
    The parent of the workers. It first leaves the network: it moves into a new, empty
    network namespace (Linux), so no query can make it or its children connect anywhere,
    whatever the SPARQL guard let through (pyoxigraph has no switch to turn SERVICE off).
    In memory mode it then loads the sources into an in-memory store, once. It says
    ``ready`` on stdout and forks one worker per line it reads on stdin (a token). Forking
    is instant and every worker starts with the loaded store, so a worker killed for
    running too long is replaced in milliseconds, whatever the size of the data.

a worker (a child of the zygote)
    Caps its own address space, opens the on-disk store read-only in lean mode, connects
    to the server's Unix socket, says hello with its token, then answers request frames
    (:mod:`.frames`) until the socket closes. Results are written by pyoxigraph's own
    serialisers and sent back as raw bytes (:mod:`.results`).

The server kills a worker to stop a query; the kernel kills the zygote and every worker
when their parent dies (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import signal
import socket
import sys
import traceback
from typing import IO, Any

from ..errors import BadQuery, SmartCityGraphError
from . import frames
from .stores import load, memory_store

CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000
PR_SET_PDEATHSIG = 1


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def isolate_network() -> bool:
    """Move this process into a new network namespace with no usable interface.

    As root (or with CAP_SYS_ADMIN) a plain network namespace; otherwise inside a new user
    namespace, where unprivileged users may create one. False where neither is possible
    (not Linux, or namespaces disabled): then the SPARQL guard is the only barrier.
    """
    return _isolate() is None


def _isolate() -> str | None:
    """:func:`isolate_network`: None once this process has left the network, else why not."""
    if not sys.platform.startswith("linux"):
        return f"network namespaces are a Linux feature, and this is {sys.platform}"
    libc = _libc()
    if libc.unshare(CLONE_NEWNET) == 0:
        return None
    plain = os.strerror(ctypes.get_errno())
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
        nested = os.strerror(ctypes.get_errno())
        return f"unshare(CLONE_NEWNET): {plain}; in a new user namespace (CLONE_NEWUSER): {nested}"
    for name, text in (
        ("setgroups", "deny"),
        ("uid_map", f"{uid} {uid} 1"),
        ("gid_map", f"{gid} {gid} 1"),
    ):
        try:
            with open(f"/proc/self/{name}", "w") as handle:
                handle.write(text)
        except OSError:
            pass
    return None


def probe_isolation() -> str | None:
    """Whether a process can leave the network here, tried in a child forked for the purpose
    (this process keeps its network): None if it can, else the reason it cannot. Call it
    while this process has one thread."""
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: try, say why not, exit
        try:
            os.close(reading)
            os.write(writing, (_isolate() or "").encode())
        finally:
            os._exit(0)
    os.close(writing)
    with os.fdopen(reading, "rb") as pipe:
        reason = pipe.read().decode(errors="replace")
    os.waitpid(pid, 0)
    return reason or None


def die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent dies (Linux)."""
    if sys.platform.startswith("linux"):
        _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def address_space() -> int:
    """This process's current virtual memory size in bytes (0 where unknown)."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def limit_memory(megabytes: int) -> bool:
    """Let this process's address space grow by at most *megabytes* beyond what it holds now
    (the loaded store included); a query that needs more fails with MemoryError."""
    import resource

    limit = address_space() + megabytes * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        return False
    return True


def _say(stream: IO[str], **message: Any) -> None:
    stream.write(json.dumps(message) + "\n")
    stream.flush()


def build(spec: dict[str, Any]) -> int:
    """Create the on-disk store at ``spec["location"]`` from ``spec["sources"]``."""
    import pyoxigraph as ox

    out = sys.stdout
    try:
        store = ox.Store(spec["location"])
        load(store, spec["sources"], bulk=True)
        store.flush()
        store.optimize()
        quads = len(store)
        del store
        gc.collect()
    except (ValueError, OSError, SmartCityGraphError) as exc:  # a refused file among them
        _say(out, status="error", message=str(exc))
        return 1
    _say(out, status="ok", quads=quads)
    return 0


def zygote(spec: dict[str, Any]) -> int:
    """Leave the network (unless ``require_isolation`` is off; where it is on, a zygote that
    cannot says so and exits), load the store (memory mode), then fork a worker per
    request."""
    die_with_parent()
    required = spec.get("require_isolation", "auto")
    reason = None if required == "off" else _isolate()
    isolated = required != "off" and reason is None
    out = sys.stdout
    sys.stdout = sys.stderr  # nothing else may write into the control pipe
    if required == "on" and reason is not None:
        _say(
            out,
            status="error",
            message=f"require_isolation=on, but the query workers cannot leave the network "
            f"here ({reason})",
        )
        return 1
    try:
        store = memory_store(spec["sources"]) if spec["mode"] == "memory" else None
    except SmartCityGraphError as exc:
        _say(out, status="error", message=str(exc))
        return 1
    return zygote_loop(spec, store, isolated, sys.stdin, out)


def zygote_loop(
    spec: dict[str, Any], store: Any, isolated: bool, inbox: IO[str], out: IO[str]
) -> int:
    """Say ready, then fork one worker per token read from *inbox*, until it closes."""
    quads = len(store) if store is not None else None
    gc.collect()
    gc.freeze()  # keep the collector from touching (and so copying) the parent's objects
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the workers
    _say(out, status="ready", network_isolated=isolated, quads=quads)
    for line in inbox:
        token = line.strip()
        if not token:
            continue
        if os.fork() == 0:
            code = 1
            try:
                inbox.close()
                code = serve(spec, store, token, isolated)
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(code)
    return 0


def fork_zygote(spec: dict[str, Any], store: Any, isolated: bool) -> tuple[int, int, int]:
    """Fork a zygote from this process, sharing its store (copy-on-write): for a process
    that already holds the store and has left the network. Call it while this process has
    one thread. Returns the zygote's pid, the fd to write tokens to, the fd to read from."""
    child_reads, parent_writes = os.pipe()
    parent_reads, child_writes = os.pipe()
    pid = os.fork()
    if pid:
        os.close(child_reads)
        os.close(child_writes)
        return pid, parent_writes, parent_reads
    code = 1
    try:
        os.close(parent_writes)
        os.close(parent_reads)
        die_with_parent()
        with os.fdopen(child_reads, "r") as inbox, os.fdopen(child_writes, "w") as out:
            code = zygote_loop(spec, store, isolated, inbox, out)
    except BaseException:
        traceback.print_exc()
    finally:
        os._exit(code)


def serve(spec: dict[str, Any], store: Any, token: str, isolated: bool) -> int:
    """A worker: open the store (lean), connect, say hello, answer frames until EOF."""
    import pyoxigraph as ox

    from .messages import QueryRequest
    from .results import answer

    die_with_parent()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    sys.stdin.close()
    os.dup2(2, 1)  # the zygote's control pipe is not this worker's to write to
    if store is None:
        store = ox.Store.read_only(spec["location"])
    memory_capped = limit_memory(spec["memory_mb"]) if spec["memory_mb"] > 0 else False
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(spec["socket"])
    inbox = frames.SocketReader(connection)
    hello = {"token": token, "pid": os.getpid(), "network_isolated": isolated}
    connection.sendall(frames.pack_json(hello | {"memory_capped": memory_capped}))
    union = bool(spec["union"])
    while True:
        try:
            request = QueryRequest.from_json(json.loads(frames.read(inbox)))
        except EOFError:
            return 0
        header: dict[str, Any]
        body = b""
        try:
            result = answer(store, request, union, spec["memory_mb"])
            header = {
                "status": "ok",
                "media_type": result.media_type,
                "truncated": result.truncated,
            }
            body = result.body
        except BadQuery as exc:
            header = {"status": "bad", "message": str(exc)}
        except SmartCityGraphError as exc:
            header = {"status": "error", "message": str(exc)}
        connection.sendall(frames.pack_reply(header, body))


def main(argv: list[str]) -> int:
    command, spec = argv[0], json.loads(argv[1])
    if command == "build":
        return build(spec)
    if command == "zygote":
        return zygote(spec)
    print(f"unknown command {command!r}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
