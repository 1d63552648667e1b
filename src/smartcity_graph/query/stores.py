"""On-disk stores, built once per content and reused (the lean store mode).

A store is keyed by the sha256 of its content (:meth:`.dataset.Served.key`). It is built by
a separate process (``python -m smartcity_graph.query.worker build``) into a temporary
sibling folder and renamed into place, so a store being built is never opened by a server,
and a failed build leaves nothing behind. The folder keeps the :data:`KEEP_STORES` most
recently used stores.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import SmartCityGraphError
from .dataset import Served

#: Stores kept in the cache folder (the most recently used).
KEEP_STORES = 8


def default_store_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "smartcity-graph" / "stores"


def worker_command(command: str, spec: dict[str, Any]) -> list[str]:
    """The command line of a :mod:`.worker` process."""
    return [sys.executable, "-m", "smartcity_graph.query.worker", command, json.dumps(spec)]


def ensure_store(served: Served, cache: Path | None) -> Path:
    """The on-disk store of *served*: reused if built before, else built now."""
    cache = cache or default_store_cache()
    key = served.key(ox.__version__)
    target = cache / key
    if target.is_dir():
        os.utime(target)
        return target
    cache.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{key[:16]}-", dir=cache))
    try:
        spec = {
            "location": str(building / "store"),
            "sources": [source.to_json() for source in served.sources],
        }
        done = subprocess.run(
            worker_command("build", spec),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
        )
        try:
            reply = json.loads(done.stdout.decode("utf-8").strip().splitlines()[-1])
        except (ValueError, IndexError):
            reply = {"status": "error", "message": f"the store build exited with {done.returncode}"}
        if reply.get("status") != "ok":
            raise SmartCityGraphError(str(reply.get("message", "the store build failed")))
        try:
            os.rename(building / "store", target)
        except OSError:
            if not target.is_dir():  # another server built the same store meanwhile
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    prune(cache)
    return target


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
    """Load every source into *store*; errors name the file."""
    for source in sources:
        fmt = _rdf_format(source["format"])
        options: dict[str, Any] = {"path": source["path"], "format": fmt}
        if source["graph"] and not fmt.supports_datasets:
            options["to_graph"] = ox.NamedNode(source["graph"])
        try:
            (store.bulk_load if bulk else store.load)(**options)
        except (SyntaxError, ValueError, OSError) as exc:
            raise ValueError(f"{source['path']}: cannot load: {exc}") from exc


def memory_store(served: Served) -> Any:
    """A new in-memory store holding *served*; a file that cannot be loaded is a
    :class:`SmartCityGraphError` naming it."""
    store = ox.Store()
    try:
        load(store, [source.to_json() for source in served.sources], bulk=False)
    except ValueError as exc:
        raise SmartCityGraphError(str(exc)) from exc
    return store
