"""What the server serves: a published release, or RDF files the user points at."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..describe_dataset import DATA_GRAPH, DESCRIPTION_GRAPH, ONTOLOGY_GRAPH
from ..errors import UsageError
from ..formats import RDF_FORMATS
from ..store import GraphSource

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

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        return {entry["path"]: entry for entry in self.manifest.get("files", [])}


def from_release(release_dir: Path) -> Served:
    """Serve a published release: its graph, ontology and description, and its files."""
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
        fmt = name.rsplit(".", 1)[1]
        sources += [GraphSource(path, fmt, None), GraphSource(path, fmt, graph)]
    return Served(
        sources=tuple(sources),
        release_dir=release_dir,
        manifest=manifest,
        description_graph=str(DESCRIPTION_GRAPH),
        ontology_graph=str(ONTOLOGY_GRAPH),
    )


def _format_of(path: Path) -> str:
    extension = path.suffix.lower().lstrip(".")
    if extension not in EXTENSIONS:
        raise UsageError(
            f"cannot tell the RDF format of {path} from its extension; use one of "
            + ", ".join(sorted(EXTENSIONS))
        )
    return EXTENSIONS[extension]


def from_files(data: list[Path], graphs: list[str]) -> Served:
    """Serve arbitrary RDF: ``--data FILE`` into the default graph (quad formats keep their
    graphs) and ``--graph IRI=FILE`` into a named graph."""
    sources: list[GraphSource] = []
    for path in data:
        if not path.is_file():
            raise UsageError(f"--data {path}: no such file")
        sources.append(GraphSource(path, _format_of(path), None))
    for spec in graphs:
        iri, separator, file = spec.partition("=")
        if not separator or not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", iri):
            raise UsageError(f"--graph {spec!r}: expected IRI=FILE with an absolute IRI")
        path = Path(file)
        if not path.is_file():
            raise UsageError(f"--graph {spec}: no such file {path}")
        sources.append(GraphSource(path, _format_of(path), iri))
    if not sources:
        raise UsageError("nothing to serve: give --release DIR, or --data / --graph files")
    return Served(sources=tuple(sources))
