"""A query worker process: ``python -m smartcity_graph.worker LOCATION [--union] [--memory-mb N]``.

Before it opens anything, the worker leaves the network: it moves into a new, empty network
namespace (Linux), so no query can make it connect anywhere, whatever the SPARQL guard let
through (pyoxigraph has no switch to turn SERVICE off). It caps its own address space, so one
query cannot take the machine's memory. Then it opens the on-disk store read-only and answers
:class:`~smartcity_graph.store.QueryRequest` frames on stdin with reply frames on stdout
(4-byte length + pickle), until stdin closes. The parent kills it to stop a query that runs
too long.
"""

from __future__ import annotations

import asyncio
import pickle
import struct
import sys
from typing import IO, Any

HEADER = struct.Struct(">I")


def encode_frame(value: Any) -> bytes:
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(payload)) + payload


def write_frame(stream: IO[bytes], value: Any) -> None:
    stream.write(encode_frame(value))
    stream.flush()


def read_frame(stream: IO[bytes]) -> Any:
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        raise EOFError("the other side closed the pipe")
    (size,) = HEADER.unpack(header)
    payload = stream.read(size)
    if len(payload) < size:
        raise EOFError("the other side closed the pipe mid-frame")
    return pickle.loads(payload)  # noqa: S301 - frames come only from our own parent process


async def read_frame_async(stream: asyncio.StreamReader) -> Any:
    """The parent's side: one frame from a worker's stdout."""
    header = await stream.readexactly(HEADER.size)
    (size,) = HEADER.unpack(header)
    return pickle.loads(await stream.readexactly(size))  # noqa: S301 - our own worker's reply


CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000


def isolate_network() -> bool:
    """Move this process into a new network namespace with no usable interface.

    As root (or with CAP_SYS_ADMIN) a plain network namespace; otherwise inside a new user
    namespace, where unprivileged users may create one. False where neither is possible
    (not Linux, or namespaces disabled): then the SPARQL guard is the only barrier.
    """
    if not sys.platform.startswith("linux"):
        return False
    import ctypes
    import os

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) == 0:
        return True
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
        return False
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
    return True


def limit_memory(megabytes: int) -> bool:
    """Cap this process's address space; a query that needs more fails instead."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return False
    limit = megabytes * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        return False
    return True


def main(argv: list[str]) -> int:
    isolated = isolate_network()
    memory_mb = int(argv[argv.index("--memory-mb") + 1]) if "--memory-mb" in argv else 0
    memory_capped = limit_memory(memory_mb) if memory_mb > 0 else False

    import pyoxigraph as ox

    from .errors import SmartCityGraphError
    from .store import execute

    location, union = argv[0], "--union" in argv[1:]
    inbox, outbox = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write into the reply pipe
    store = ox.Store.read_only(location)
    write_frame(outbox, ("ready", {"network_isolated": isolated, "memory_capped": memory_capped}))
    while True:
        try:
            request = read_frame(inbox)
        except EOFError:
            return 0
        try:
            reply: tuple[str, Any] = ("ok", execute(store, request, union))
        except SyntaxError as exc:
            reply = ("bad", f"SPARQL syntax error: {exc}")
        except MemoryError:
            reply = ("bad", f"the query needed more than the {memory_mb} MB a worker may use")
        except (ValueError, TypeError, OSError, RuntimeError, SmartCityGraphError) as exc:
            reply = ("bad", str(exc))
        write_frame(outbox, reply)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
