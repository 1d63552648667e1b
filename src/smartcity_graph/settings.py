"""One frozen settings object. Every field has a default and help text.

Each field can be set by an environment variable ``SMARTCITY_GRAPH_<NAME>``
(upper case) or by the matching command-line option; the README's settings
table is checked against :data:`FIELDS` by a test.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import UsageError

ENV_PREFIX = "SMARTCITY_GRAPH_"


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    data_dir: Path = _setting(Path("data"), "Directory of the curated data files.")
    ontology_dir: Path = _setting(Path("ontology"), "Directory of the OWL ontology (Turtle).")
    shapes_dir: Path = _setting(Path("shapes"), "Directory of the SHACL shapes (Turtle).")
    release_dir: Path = _setting(Path("release"), "Directory the release is published to.")
    release_date: str = _setting(
        "",
        "Date recorded as the release's dcterms:modified (YYYY-MM-DD); empty = the "
        "'modified' date in data/dataset.yaml. Never the wall clock, so builds are repeatable.",
    )
    max_input_bytes: int = _setting(
        4294967296,
        "Largest input file the build or the server reads (data/, ontology/, shapes/, "
        "serve --data and --graph, a release), in bytes; a larger one is refused before "
        "it is read.",
    )
    max_input_line_bytes: int = _setting(
        16777216,
        "Longest line accepted in a line-based input file (Turtle, TriG, N3, N-Triples, "
        "N-Quads, YAML, CSV), in bytes.",
    )
    max_input_literal_bytes: int = _setting(
        8388608,
        "Longest literal accepted in an input file (a Turtle or N-Triples string, a JSON-LD "
        "string, an XML text or attribute, a YAML scalar, a quoted CSV field), in bytes.",
    )
    max_input_depth: int = _setting(
        64,
        "Deepest nesting accepted in an input file: JSON-LD arrays and objects, XML "
        "elements, Turtle brackets, collections and triple terms, YAML collections.",
    )

    host: str = _setting("127.0.0.1", "Address the server listens on (loopback by default).")
    port: int = _setting(8000, "Port the server listens on.")
    public_base_url: str = _setting(
        "",
        "The URL where this server is reached from outside, ending in '/' (used for links and "
        "for mapping the permanent IRIs to local URLs); empty = taken from each request.",
    )
    sparql_endpoint: str = _setting(
        "",
        "Forward queries to this remote SPARQL 1.1 endpoint instead of the embedded store.",
    )
    query_timeout: float = _setting(
        10.0, "Seconds a query may run; then it is stopped and the client gets HTTP 503."
    )
    max_rows: int = _setting(
        10000,
        "Most result rows (or triples) returned; more are cut off and the response says so "
        "in the SPARQL-Results-Truncated header.",
    )
    max_query_bytes: int = _setting(
        65536, "Longest accepted query text in bytes; longer queries get HTTP 413."
    )
    workers: int = _setting(
        0,
        "Query worker processes of the embedded store (each can be stopped on timeout); "
        "0 = one per CPU core.",
    )
    require_isolation: str = _setting(
        "auto",
        "Whether the HTTP workers must serve from an empty network namespace: 'on' (refuse "
        "to start unless they can), 'auto' (required where a probe at start-up shows the "
        "kernel allows it; elsewhere the query guard alone, said in one line at start-up) "
        "or 'off' (never isolated: the guard alone).",
    )
    store_mode: str = _setting(
        "auto",
        "How the embedded store holds the data: 'memory' (fastest; each worker holds the "
        "data in RAM), 'lean' (an on-disk store opened read-only: least memory), or 'auto' "
        "(memory when the data fits in half the available RAM, else lean).",
    )
    store_cache: str = _setting(
        "",
        "Folder of the on-disk stores of lean mode, one per content (keyed by sha256) and "
        "reused while the content is unchanged; empty = ~/.cache/smartcity-graph/stores.",
    )
    query_cache: int = _setting(
        256,
        "Query results kept in memory and answered again without running the query (the "
        "data never changes while the server runs); 0 turns the cache off.",
    )
    worker_memory_mb: int = _setting(
        2048,
        "Address space each query worker may use beyond the store it holds, in MB; a "
        "query needing more fails.",
    )
    max_queries: int = _setting(
        16,
        "SPARQL queries one HTTP worker process runs at once; more get HTTP 503 with "
        "Retry-After, before any work on them (the server runs at most this times its "
        "workers); 0 = no limit.",
    )
    max_queries_per_client: int = _setting(
        4,
        "SPARQL queries one client address may run at once in one HTTP worker process; more "
        "get HTTP 429 with Retry-After, before any work on them (at most this times the "
        "workers in the server); 0 = no limit.",
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then environment variables, then explicit *overrides* (not None)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for item in dataclasses.fields(cls):
            raw = environ.get(ENV_PREFIX + item.name.upper())
            if raw is not None:
                values[item.name] = _coerce(item, raw)
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)

    def __post_init__(self) -> None:
        """Refuse settings that cannot work, naming the setting."""
        if self.store_mode not in ("auto", "memory", "lean"):
            raise UsageError(f"store_mode {self.store_mode!r} is not one of auto, memory, lean")
        if self.require_isolation not in ("auto", "on", "off"):
            raise UsageError(
                f"require_isolation {self.require_isolation!r} is not one of auto, on, off"
            )
        for name in (
            "max_input_bytes",
            "max_input_line_bytes",
            "max_input_literal_bytes",
            "max_input_depth",
        ):
            if getattr(self, name) < 1:
                raise UsageError(f"{name} must be at least 1")
        for name in (
            "workers",
            "query_cache",
            "max_rows",
            "max_query_bytes",
            "max_queries",
            "max_queries_per_client",
        ):
            if getattr(self, name) < 0:
                raise UsageError(f"{name} must not be negative")


def _coerce(item: dataclasses.Field[Any], raw: str) -> Any:
    kind: type[Any] = type(item.default)
    try:
        if kind is bool:
            if raw.lower() not in ("1", "0", "true", "false", "yes", "no"):
                raise ValueError(raw)
            return raw.lower() in ("1", "true", "yes")
        if issubclass(kind, Path):
            return Path(raw)
        return kind(raw)
    except ValueError as exc:
        name = ENV_PREFIX + item.name.upper()
        raise UsageError(f"{name}={raw!r} is not a valid {kind.__name__}") from exc


FIELDS: tuple[dataclasses.Field[Any], ...] = dataclasses.fields(Settings)
