"""sources -> build -> validate -> publish, in a few readable steps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef

from .. import __version__
from ..errors import UsageError, ValidationFailed
from ..iris import DATA_GRAPH, DESCRIPTION_GRAPH, ONTOLOGY_GRAPH
from ..settings import Settings
from .build import build_graph, locations
from .describe_dataset import FileInfo, describe, file_info
from .exports import export_files
from .input_guard import InputLimits
from .model import Records
from .publish import publish, recover
from .serialize import dump_json, jsonld_context, serialize, serialize_dataset
from .sources import read_records, read_turtle_dir
from .validate import Report, validate


@dataclass(frozen=True)
class Inputs:
    records: Records
    ontology: Graph
    shapes: Graph
    files: dict[str, bytes]
    """Every input file's bytes by path (data/..., ontology/..., shapes/...)."""


@dataclass(frozen=True)
class Release:
    path: Path | None
    files: dict[str, bytes]
    graph: Graph
    report: Report


#: Data-graph files and their titles; the TriG and N-Quads also hold the ontology
#: and the dataset description as named graphs.
GRAPH_FILES = {
    "graph.ttl": ("turtle", "The knowledge graph in Turtle"),
    "graph.nt": ("ntriples", "The knowledge graph in N-Triples (sorted)"),
    "graph.jsonld": ("jsonld", "The knowledge graph in JSON-LD (context: context.jsonld)"),
    "graph.rdf": ("rdfxml", "The knowledge graph in RDF/XML"),
}
QUAD_FILES = {
    "graph.trig": ("trig", "Data, ontology and dataset description as named graphs (TriG)"),
    "graph.nq": ("nquads", "Data, ontology and dataset description as named graphs (N-Quads)"),
}


def read_inputs(settings: Settings) -> Inputs:
    """Every input file, each checked by the input guard before it is parsed."""
    limits = InputLimits.from_settings(settings)
    records = read_records(settings.data_dir, limits)
    ontology, ontology_files = read_turtle_dir(settings.ontology_dir, "ontology", limits)
    shapes, shapes_files = read_turtle_dir(settings.shapes_dir, "shapes", limits)
    files = {f"data/{name}": content for name, content in records.files.items()}
    return Inputs(records, ontology, shapes, {**files, **ontology_files, **shapes_files})


def check(inputs: Inputs) -> tuple[Graph, Report]:
    """Build the graph and validate it; :class:`ValidationFailed` if it does not conform."""
    graph = build_graph(inputs.records)
    report = validate(graph, inputs.shapes, inputs.ontology, locations=locations(inputs.records))
    return graph, report


@dataclass(frozen=True)
class Rendered:
    """Every release file as bytes, and the dataset description they contain."""

    files: dict[str, bytes]
    description: Graph


def render(inputs: Inputs, graph: Graph, report: Report, *, release_date: str = "") -> Rendered:
    """Every release file as bytes (pure: no check, no write)."""
    info = inputs.records.dataset
    if release_date:
        try:
            modified = dt.date.fromisoformat(release_date)
        except ValueError as exc:
            raise UsageError(f"release date {release_date!r} is not YYYY-MM-DD") from exc
        info = type(info)(**{**info.__dict__, "modified": modified})
    files: dict[str, bytes] = {}
    described: dict[str, FileInfo] = {}

    def add(name: str, content: bytes, title: str) -> None:
        files[name] = content
        described[name] = file_info(name, content, title)

    for name, (fmt, title) in GRAPH_FILES.items():
        add(name, serialize(graph, fmt, context="context.jsonld"), title)
    add("context.jsonld", dump_json(jsonld_context()), "JSON-LD context of graph.jsonld")
    add(
        "ontology.ttl",
        _as_published(inputs.files, "ontology/", inputs.ontology),
        "The ontology (OWL, Turtle)",
    )
    add(
        "shapes.ttl",
        _as_published(inputs.files, "shapes/", inputs.shapes),
        "The SHACL shapes (Turtle)",
    )
    add(
        "validation-report.ttl",
        serialize(report.graph, "turtle"),
        "SHACL validation report of this release",
    )
    for name, (content, title) in export_files(graph).items():
        add(name, content, title)

    def description(files_described: dict[str, FileInfo]) -> Graph:
        return describe(
            info, graph, files_described, inputs=inputs.files, software_version=__version__
        )

    core = description(described)
    named: dict[URIRef, Graph] = {
        DATA_GRAPH: graph,
        ONTOLOGY_GRAPH: inputs.ontology,
        DESCRIPTION_GRAPH: core,
    }
    for name, (fmt, title) in QUAD_FILES.items():
        add(name, serialize_dataset(named, fmt), title)
    full = description(described)
    files["void.ttl"] = serialize(full, "turtle")
    return Rendered(files, full)


def check_description(inputs: Inputs, rendered: Rendered) -> None:
    """The dataset description (VoID, DCAT, sizes, checksums) conforms to the shapes too;
    :class:`ValidationFailed` if not."""
    report = validate(rendered.description, inputs.shapes, inputs.ontology)
    if not report.conforms:
        raise ValidationFailed("the dataset description does not conform:\n" + report.describe())


def _as_published(files: dict[str, bytes], prefix: str, graph: Graph) -> bytes:
    """A single source Turtle file is published as written (comments and all);
    several are merged into one canonical Turtle file."""
    sources = [content for name, content in sorted(files.items()) if name.startswith(prefix)]
    if len(sources) == 1:
        return sources[0]
    return serialize(graph, "turtle")


def build(settings: Settings, *, write: bool = True) -> Release:
    """Read, build, validate and (if *write*) publish. Nothing is written unless all passes
    (but first, what a killed build left beside the release is tidied: :func:`recover`)."""
    if write:
        recover(settings.release_dir)
    inputs = read_inputs(settings)
    graph, report = check(inputs)
    if not report.conforms:
        raise ValidationFailed(report.describe())
    rendered = render(inputs, graph, report, release_date=settings.release_date)
    check_description(inputs, rendered)
    files = rendered.files
    path = None
    if write:
        path = publish(
            files,
            settings.release_dir,
            {
                "name": "smartcity-graph",
                "version": inputs.records.dataset.version,
                "software": __version__,
            },
        )
    return Release(path, files, graph, report)


def validate_only(settings: Settings) -> Report:
    _, report = check(read_inputs(settings))
    return report
