"""The wire between the server and its query workers: length-prefixed frames, no pickle.

A request is one JSON frame. A reply is one frame holding a 4-byte header length, a JSON
header (``status``, ``media_type``, ``truncated``, ``message``) and the raw result bytes
exactly as the worker's pyoxigraph serialiser wrote them, sent with one system call. Rows
are never decoded, re-encoded or pickled between the processes.
"""

from __future__ import annotations

import asyncio
import json
import struct
from typing import Any, Protocol

HEADER = struct.Struct(">I")
#: The largest frame either side accepts (a result body included).
MAX_FRAME = 2**31 - 1


def pack(payload: bytes) -> bytes:
    if len(payload) > MAX_FRAME:
        raise ValueError(f"a frame of {len(payload)} bytes is over the {MAX_FRAME} limit")
    return HEADER.pack(len(payload)) + payload


def pack_json(value: dict[str, Any]) -> bytes:
    return pack(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


class Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


def read(stream: Readable) -> bytes:
    """One frame from a blocking stream (the worker's side)."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        raise EOFError("the other side closed the channel")
    (size,) = HEADER.unpack(header)
    payload = stream.read(size)
    if len(payload) < size:
        raise EOFError("the other side closed the channel mid-frame")
    return payload


async def read_async(stream: asyncio.StreamReader) -> bytes:
    """One frame from an asyncio stream (the server's side)."""
    (size,) = HEADER.unpack(await stream.readexactly(HEADER.size))
    return await stream.readexactly(size)


async def read_json_async(stream: asyncio.StreamReader) -> dict[str, Any]:
    value = json.loads(await read_async(stream))
    if not isinstance(value, dict):
        raise ValueError("a worker frame is not a JSON object")
    return value


def pack_reply(header: dict[str, Any], body: bytes = b"") -> bytes:
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return pack(HEADER.pack(len(head)) + head + body)


def unpack_reply(frame: bytes) -> tuple[dict[str, Any], bytes]:
    (size,) = HEADER.unpack_from(frame)
    header = json.loads(frame[HEADER.size : HEADER.size + size])
    if not isinstance(header, dict):
        raise ValueError("a worker reply header is not a JSON object")
    return header, frame[HEADER.size + size :]


class SocketReader:
    """Frames from a blocking socket, read without a Python buffer layer."""

    def __init__(self, sock: Any) -> None:
        self.sock = sock

    def read(self, size: int, /) -> bytes:
        view = bytearray(size)
        got = 0
        while got < size:
            n = self.sock.recv_into(memoryview(view)[got:], size - got)
            if n == 0:
                break
            got += n
        return bytes(view[:got])
