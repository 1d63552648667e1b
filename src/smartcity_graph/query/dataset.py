"""What the server serves: a published release, or RDF files the user points at.

:class:`Served` names the RDF sources to load and, for a release, its files. Its
:attr:`Served.key` identifies the content: the manifest's sha256 of each loaded file for a
release, the sha256 of each file otherwise. A store built for one key is reused while the
content is unchanged (see :mod:`.embedded`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..formats import RDF_FORMATS
from ..graph.input_guard import InputLimits, check_size
from ..iris import DATA_GRAPH, DATASET, DESCRIPTION_GRAPH, ONTOLOGY_GRAPH


@dataclass(frozen=True)
class GraphSource:
    """One RDF file to load: into the default graph (``graph=None``) or a named graph."""

    path: Path
    format: str
    graph: str | None = None
    sha256: str = ""
    """The file's sha256, where a manifest gives it; otherwise computed when needed."""
    limits: InputLimits = field(default_factory=InputLimits)
    """What the input guard accepts in this file (checked before it is loaded)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "format": self.format,
            "graph": self.graph,
            "limits": self.limits.to_json(),
        }


#: Release files loaded into the store: (file, named graph). Each also goes to the default graph.
RELEASE_GRAPHS = (
    ("graph.nt", str(DATA_GRAPH)),
    ("ontology.ttl", str(ONTOLOGY_GRAPH)),
    ("void.ttl", str(DESCRIPTION_GRAPH)),
)
EXTENSIONS = {f.extension: f.extension for f in RDF_FORMATS} | {
    "n3": "n3",
    "xml": "rdf",
    "owl": "rdf",
    "json": "jsonld",
}


@dataclass(frozen=True)
class Served:
    """The content of one server: the graphs to load and, for a release, its files."""

    sources: tuple[GraphSource, ...]
    release_dir: Path | None = None
    manifest: dict[str, Any] = field(default_factory=dict)
    description_graph: str | None = None
    ontology_graph: str | None = None
    dataset_iri: str | None = None
    """The IRI of the dataset the release describes (``void:inDataset`` of the endpoint)."""

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        return {entry["path"]: entry for entry in self.manifest.get("files", [])}

    @property
    def size(self) -> int:
        """Bytes of RDF to load (each file counted once per graph it goes to)."""
        return sum(source.path.stat().st_size for source in self.sources)

    def key(self, engine_version: str, sha256_of: Callable[[Path], str] | None = None) -> str:
        """The sha256 identity of this content as loaded by *engine_version*; *sha256_of*
        hashes a file (default: read it all)."""
        hash_file = sha256_of or file_sha256
        digest = hashlib.sha256(f"smartcity-graph store 1 {engine_version}\n".encode())
        for source in self.sources:
            # A manifest's sha256 is trusted only while the file keeps its size and mtime.
            stat = source.path.stat()
            content = source.sha256 or hash_file(source.path)
            # The limits too: a store is kept only for content the guard passed under them.
            limits = json.dumps(source.limits.to_json(), sort_keys=True)
            digest.update(
                f"{content} {stat.st_size} {stat.st_mtime_ns if source.sha256 else 0} "
                f"{source.format} {source.graph or ''} {limits}\n".encode()
            )
        return digest.hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def from_release(release_dir: Path, limits: InputLimits | None = None) -> Served:
    """Serve a published release: its graph, ontology and description, and its files (each
    loaded file checked by the input guard under *limits*, default the settings')."""
    limits = limits or InputLimits()
    manifest_path = release_dir / "manifest.json"
    if not manifest_path.is_file():
        raise UsageError(
            f"{release_dir} is not a release (no manifest.json); run 'smartcity-graph build' first"
        )
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    sources: list[GraphSource] = []
    for name, graph in RELEASE_GRAPHS:
        path = release_dir / name
        if not path.is_file():
            raise UsageError(f"{release_dir} lacks {name}")
        check_size(path.stat().st_size, str(path), limits)
        fmt = name.rsplit(".", 1)[1]
        sha = next((e["sha256"] for e in manifest.get("files", []) if e["path"] == name), "")
        sources += [
            GraphSource(path, fmt, None, sha, limits),
            GraphSource(path, fmt, graph, sha, limits),
        ]
    return Served(
        sources=tuple(sources),
        release_dir=release_dir,
        manifest=manifest,
        description_graph=str(DESCRIPTION_GRAPH),
        ontology_graph=str(ONTOLOGY_GRAPH),
        dataset_iri=str(DATASET),
    )


def _format_of(path: Path) -> str:
    extension = path.suffix.lower().lstrip(".")
    if extension not in EXTENSIONS:
        raise UsageError(
            f"cannot tell the RDF format of {path} from its extension; use one of "
            + ", ".join(sorted(EXTENSIONS))
        )
    return EXTENSIONS[extension]


def from_files(data: list[Path], graphs: list[str], limits: InputLimits | None = None) -> Served:
    """Serve arbitrary RDF: ``--data FILE`` into the default graph (quad formats keep their
    graphs) and ``--graph IRI=FILE`` into a named graph. A file over the size limit is
    refused here; each is checked in full by the input guard under *limits* before it is
    loaded (:func:`.stores.load`)."""
    limits = limits or InputLimits()
    sources: list[GraphSource] = []
    for path in data:
        if not path.is_file():
            raise UsageError(f"--data {path}: no such file")
        check_size(path.stat().st_size, str(path), limits)
        sources.append(GraphSource(path, _format_of(path), None, limits=limits))
    for spec in graphs:
        iri, separator, file = spec.partition("=")
        if not separator or not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", iri):
            raise UsageError(f"--graph {spec!r}: expected IRI=FILE with an absolute IRI")
        path = Path(file)
        if not path.is_file():
            raise UsageError(f"--graph {spec}: no such file {path}")
        check_size(path.stat().st_size, str(path), limits)
        sources.append(GraphSource(path, _format_of(path), iri, limits=limits))
    if not sources:
        raise UsageError("nothing to serve: give --release DIR, or --data / --graph files")
    return Served(sources=tuple(sources))
