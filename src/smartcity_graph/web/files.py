"""``/release/{name}``: the release files, verified against the manifest once and then
served from memory (gzip made once too), with ETag, Last-Modified, 304 and HEAD."""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response

from .common import AppState, not_found, not_modified, text_error

COMPRESSIBLE = (
    "text/",
    "application/ld+json",
    "application/n-triples",
    "application/n-quads",
    "application/trig",
    "application/rdf+xml",
    "application/json",
    "application/geo+json",
)


def routes(app: FastAPI, state: AppState) -> None:
    @app.api_route("/release/{name}", methods=["GET", "HEAD"])
    async def download(name: str, request: Request) -> Response:
        if name == MANIFEST:
            return serve_manifest(state, request)
        return serve_file(state, request, name)


#: Release files up to this size are held in memory (and their gzip made once); larger ones
#: are streamed from disk.
IN_MEMORY_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class Verified:
    """A release file checked once against the manifest: its bytes (and gzip), in memory,
    or only the fact that it matched (large files, streamed from disk)."""

    content: bytes | None
    gzipped: bytes | None


def verify(state: AppState, name: str, entry: dict[str, Any]) -> Verified | None:
    """The file, once its sha256 matched the manifest (None: damaged); remembered."""
    found: Verified | None = state.files.get(name)
    if found is not None:
        return found
    assert state.served.release_dir is not None
    path = state.served.release_dir / name
    digest = hashlib.sha256()
    content = b""
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            if entry["bytes"] <= IN_MEMORY_BYTES:
                content += chunk
    if digest.hexdigest() != entry["sha256"]:
        return None
    small = entry["bytes"] <= IN_MEMORY_BYTES
    compressible = entry["mediaType"].startswith(COMPRESSIBLE)
    found = Verified(
        content if small else None,
        gzip.compress(content, mtime=0) if small and compressible else None,
    )
    state.files[name] = found
    return found


MANIFEST = "manifest.json"


def serve_manifest(state: AppState, request: Request) -> Response:
    """The release's ``manifest.json`` as published (it cannot list its own checksum): its
    bytes must still say what the server loaded, or the release changed under it."""
    if state.served.release_dir is None or not state.served.manifest:
        return not_found(state, request, "this server serves no release manifest")
    entry = state.manifest_entry
    if entry is None:
        content = (state.served.release_dir / MANIFEST).read_bytes()
        try:
            unchanged = json.loads(content) == state.served.manifest
        except ValueError:
            unchanged = False
        if not unchanged:
            return text_error(500, "manifest.json changed since the server loaded the release")
        entry = {
            "path": MANIFEST,
            "mediaType": "application/json",
            "bytes": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
        }
        state.manifest_entry = entry
    return serve_file(state, request, MANIFEST, entry)


def serve_file(
    state: AppState, request: Request, name: str, entry: dict[str, Any] | None = None
) -> Response:
    entry = entry or state.served.files.get(name)
    if entry is None or state.served.release_dir is None:
        return not_found(state, request, f"no release file named {name!r}")
    etag = f'"{entry["sha256"]}"'
    headers = {
        "ETag": etag,
        "Last-Modified": state.last_modified,
        "Cache-Control": "public, max-age=3600",
        "Vary": "Accept-Encoding",
    }
    media = entry["mediaType"] + (
        "; charset=utf-8"
        if entry["mediaType"].startswith("text/") or entry["mediaType"].endswith("json")
        else ""
    )
    verified = verify(state, name, entry)
    if verified is None:
        return text_error(500, f"{name} does not match the manifest; the release is damaged")
    gzip_ok = verified.gzipped is not None and accepts_gzip(request.headers.get("accept-encoding"))
    if gzip_ok:
        headers["ETag"] = etag = f'"{entry["sha256"]}-gzip"'
    if not_modified(request, etag, state.last_modified):
        return Response(status_code=304, headers=headers)
    if verified.content is None:
        return FileResponse(
            state.served.release_dir / name, headers=headers, media_type=media, stat_result=None
        )
    content = verified.gzipped if gzip_ok and verified.gzipped is not None else verified.content
    if gzip_ok:
        headers["Content-Encoding"] = "gzip"
    headers["Content-Length"] = str(len(content))
    if request.method == "HEAD":
        return Response(status_code=200, headers=headers, media_type=media)
    return Response(content, headers=headers, media_type=media)


def accepts_gzip(header: str | None) -> bool:
    """True when ``Accept-Encoding`` allows gzip (by name or ``*``) with a q-value above 0."""
    allowed: dict[str, float] = {}
    for part in (header or "").split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        key, _, value = params.strip().partition("=")
        if key.strip().lower() == "q":
            try:
                q = float(value)
            except ValueError:
                q = 0.0
        if name.strip():
            allowed[name.strip().lower()] = q
    return allowed.get("gzip", allowed.get("*", 0.0)) > 0
