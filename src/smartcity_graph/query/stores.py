"""On-disk stores, built once per content and reused (the lean store mode).

A store is keyed by the sha256 of its content (:meth:`.dataset.Served.key`). It is built by
a separate process (``python -m smartcity_graph.query.worker build``) into a temporary
sibling folder and renamed into place, so a store being built is never opened by a server,
and a failed build leaves nothing behind. The folder keeps the :data:`KEEP_STORES` most
recently used stores.
"""

from __future__ import annotations

import contextlib
import json
import mmap
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from ..errors import SmartCityGraphError
from ..graph import input_guard
from ..graph.input_guard import InputLimits
from .dataset import Served, file_sha256

#: Stores kept in the cache folder (the most recently used).
KEEP_STORES = 8


def default_store_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "smartcity-graph" / "stores"


def worker_command(command: str, spec: dict[str, Any]) -> list[str]:
    """The command line of a :mod:`.worker` process."""
    return [sys.executable, "-m", "smartcity_graph.query.worker", command, json.dumps(spec)]


class HashMemo:
    """Files' sha256, remembered in the cache folder by path, size, mtime and inode, so a
    later start does not read a large file again to know it is unchanged."""

    def __init__(self, cache: Path) -> None:
        self.path = cache / ".sha256.json"
        try:
            self.known: dict[str, str] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.known = {}

    def __call__(self, path: Path) -> str:
        stat = path.stat()
        name = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{stat.st_ino}"
        found = self.known.get(name)
        if found is None:
            found = self.known[name] = file_sha256(path)
            self._save()
        return found

    def _save(self) -> None:
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_suffix(f".{os.getpid()}.tmp")
            partial.write_text(json.dumps(self.known), encoding="utf-8")
            os.replace(partial, self.path)


def store_key(served: Served, cache: Path) -> str:
    return served.key(ox.__version__, HashMemo(cache))


def cached_store(served: Served, cache: Path | None) -> Path | None:
    """The on-disk store of *served* if one was built before (and mark it used)."""
    cache = cache or default_store_cache()
    target = cache / store_key(served, cache)
    if target.is_dir():
        os.utime(target)
        return target
    return None


class StoreBuild:
    """A store being built by its own process into a temporary sibling of its place."""

    def __init__(self, served: Served, cache: Path | None) -> None:
        self.cache = cache or default_store_cache()
        self.target = self.cache / store_key(served, self.cache)
        self.cache.mkdir(parents=True, exist_ok=True)
        self.building = Path(tempfile.mkdtemp(prefix=f".{self.target.name[:16]}-", dir=self.cache))
        spec = {
            "location": str(self.building / "store"),
            "sources": [source.to_json() for source in served.sources],
        }
        # stdout carries one JSON line; stderr stays the server's own, so a chatty build
        # cannot fill a pipe nobody reads while done() is polled.
        self.process = subprocess.Popen(
            worker_command("build", spec), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE
        )

    def done(self) -> bool:
        return self.process.poll() is not None

    def finish(self) -> Path:
        """Wait for the build; move the store into place. Raises if the build failed; leaves
        nothing behind either way."""
        try:
            out, _ = self.process.communicate()
            try:
                reply = json.loads(out.decode("utf-8").strip().splitlines()[-1])
            except (ValueError, IndexError):
                code = self.process.returncode
                reply = {"status": "error", "message": f"the store build exited with {code}"}
            if reply.get("status") != "ok":
                raise SmartCityGraphError(str(reply.get("message", "the store build failed")))
            try:
                os.rename(self.building / "store", self.target)
            except OSError:
                if not self.target.is_dir():  # another server built the same store meanwhile
                    raise
        finally:
            shutil.rmtree(self.building, ignore_errors=True)
        prune(self.cache)
        return self.target


def ensure_store(served: Served, cache: Path | None) -> Path:
    """The on-disk store of *served*: reused if built before, else built now."""
    return cached_store(served, cache) or StoreBuild(served, cache).finish()


def prune(cache: Path) -> None:
    stores = sorted(
        (p for p in cache.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in stores[KEEP_STORES:]:
        shutil.rmtree(old, ignore_errors=True)


def _rdf_format(name: str) -> Any:
    fmt = ox.RdfFormat.from_extension(name) or ox.RdfFormat.from_media_type(name)
    if fmt is None:
        raise ValueError(f"unknown RDF format {name!r}")
    return fmt


def load(store: Any, sources: list[dict[str, Any]], bulk: bool) -> None:
    """Load every source into *store*; errors name the file.

    Every file passes the input guard (:mod:`smartcity_graph.graph.input_guard`) before any
    is loaded, and is then loaded from the very file it opened for the check (a file
    renamed over it meanwhile is not read). A refused file is :class:`UnsafeInput`.
    """
    with contextlib.ExitStack() as files:
        opened: dict[tuple[str, str], IO[bytes]] = {}
        for source in sources:
            key = (source["path"], source["format"])
            if key not in opened:
                opened[key] = files.enter_context(_checked(source))
        for source in sources:
            fmt = _rdf_format(source["format"])
            handle = opened[(source["path"], source["format"])]
            handle.seek(0)
            options: dict[str, Any] = {"input": handle, "format": fmt}
            if source["graph"] and not fmt.supports_datasets:
                options["to_graph"] = ox.NamedNode(source["graph"])
            try:
                (store.bulk_load if bulk else store.load)(**options)
            except (SyntaxError, ValueError, OSError) as exc:
                raise ValueError(f"{source['path']}: cannot load: {exc}") from exc


def _checked(source: dict[str, Any]) -> IO[bytes]:
    """The file of *source*, open, once the input guard has passed it."""
    path = Path(source["path"])
    limits = InputLimits.from_json(source.get("limits"))
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ValueError(f"{path}: cannot load: {exc.strerror or exc}") from exc
    try:
        size = os.fstat(handle.fileno()).st_size
        input_guard.check_size(size, str(path), limits)
        if size:
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                input_guard.check(data, source["format"], str(path), limits)
    except BaseException:
        handle.close()
        raise
    return handle


def memory_store(sources: list[dict[str, Any]]) -> Any:
    """A new in-memory store holding *sources* (:meth:`.dataset.GraphSource.to_json`); a
    file that cannot be loaded is a :class:`SmartCityGraphError` naming it."""
    store = ox.Store()
    try:
        load(store, sources, bulk=False)
    except ValueError as exc:
        raise SmartCityGraphError(str(exc)) from exc
    return store
