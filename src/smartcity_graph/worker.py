"""A query worker process: ``python -m smartcity_graph.worker LOCATION [--union]``.

Opens the on-disk store read-only and answers :class:`~smartcity_graph.store.QueryRequest`
frames on stdin with reply frames on stdout (4-byte length + pickle), until stdin
closes. The parent kills it to stop a query that runs too long.
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


def main(argv: list[str]) -> int:
    import pyoxigraph as ox

    from .errors import SmartCityGraphError
    from .store import execute

    location, union = argv[0], "--union" in argv[1:]
    inbox, outbox = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write into the reply pipe
    store = ox.Store.read_only(location)
    write_frame(outbox, ("ready", None))
    while True:
        try:
            request = read_frame(inbox)
        except EOFError:
            return 0
        try:
            reply: tuple[str, Any] = ("ok", execute(store, request, union))
        except SyntaxError as exc:
            reply = ("bad", f"SPARQL syntax error: {exc}")
        except (ValueError, TypeError, OSError, RuntimeError, SmartCityGraphError) as exc:
            reply = ("bad", str(exc))
        write_frame(outbox, reply)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
