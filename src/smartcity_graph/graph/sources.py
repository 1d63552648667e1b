"""The only reader of ``data/``, ``ontology/`` and ``shapes/``.

Every problem found is a :class:`SourceDataError` naming the file, the line
and the record, collected over the whole pass so a curator sees every
mistake at once rather than one per run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar, cast

import yaml
from rdflib import Graph
from rdflib.plugins.parsers.notation3 import BadSyntax

from .. import iris
from ..errors import IRIError, Location, SourceDataError, SourceDataErrors, UsageError
from .input_guard import InputLimits, check, check_size
from .model import (
    CONFIRMATION_VALUES,
    FIDELITY_VALUES,
    KINDS,
    ORGANISATION_KINDS,
    SOURCE_KINDS,
    City,
    Commitment,
    Concept,
    ConceptScheme,
    Confirmation,
    Continent,
    Country,
    DatasetInfo,
    Event,
    FactSources,
    Fidelity,
    Name,
    Organisation,
    Person,
    Place,
    Quote,
    Records,
    Roadmap,
    Source,
    WikidataLink,
    records_of,
)

#: The data files, in the order they are read: the dataset's own record, then one per kind.
DATA_FILES = ("dataset.yaml", *(kind.file for kind in KINDS))

#: Keys that would carry personal contact details. They are refused outright.
CONTACT_KEYS = frozenset({"email", "e-mail", "mail", "phone", "telephone", "mobile", "fax"})
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"\+\d[\d ()-]{7,}\d")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")

T = TypeVar("T")


@dataclass
class _Field:
    """Reads one record's fields, remembering every error against its location."""

    data: Mapping[str, Any]
    where: Location
    errors: list[SourceDataError]

    def fail(self, reason: str) -> None:
        self.errors.append(SourceDataError(self.where, reason))

    def raw(self, key: str) -> Any:
        return self.data.get(key)

    def text(self, key: str, *, required: bool = True, default: str = "") -> str:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                self.fail(f"missing required field {key!r}")
            return default
        if not isinstance(value, str):
            self.fail(f"field {key!r} must be text, got {type(value).__name__}")
            return default
        if value != value.strip():
            self.fail(f"field {key!r} has leading or trailing whitespace")
        return value

    def optional_text(self, key: str) -> str | None:
        value = self.text(key, required=False)
        return value or None

    def slug(self, key: str, *, required: bool = True) -> str:
        value = self.text(key, required=required)
        if value and not iris.is_slug(value):
            self.fail(f"field {key!r}: {value!r} is not a slug (lowercase words joined by '-')")
        return value

    def optional_slug(self, key: str) -> str | None:
        return self.slug(key, required=False) or None

    def url(self, key: str, *, required: bool = False) -> str | None:
        value = self.text(key, required=required)
        if value and not _URL.match(value):
            self.fail(f"field {key!r}: {value!r} is not an http(s) URL")
        return value or None

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.text(key)
        if value and value not in allowed:
            self.fail(f"field {key!r}: {value!r} is not one of {', '.join(allowed)}")
        return value

    def date(self, key: str, *, required: bool = True) -> dt.date | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(f"missing required field {key!r}")
            return None
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            try:
                return dt.date.fromisoformat(str(value))
            except ValueError:
                self.fail(f"field {key!r}: {value!r} is not a date (YYYY-MM-DD)")
                return None
        return value

    def decimal(self, key: str, low: int, high: int) -> Decimal:
        value = self.data.get(key)
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            self.fail(f"field {key!r}: {value!r} is not a decimal number")
            return Decimal(0)
        if not number.is_finite() or not low <= number <= high:
            self.fail(f"field {key!r}: {value} is outside [{low}, {high}]")
        return number

    def integer(self, key: str) -> int:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            try:
                return int(str(value))
            except ValueError:
                self.fail(f"field {key!r}: {value!r} is not an integer")
                return 0
        return value

    def texts(self, key: str, *, required: bool = False, slugs: bool = False) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(f"missing required field {key!r}")
            return ()
        if isinstance(value, str):
            value = value.split()
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.fail(f"field {key!r} must be a list of text")
            return ()
        if required and not value:
            self.fail(f"field {key!r} must not be empty")
        if len(set(value)) != len(value):
            self.fail(f"field {key!r} lists an entry twice")
        if slugs:
            for item in value:
                if not iris.is_slug(item):
                    self.fail(f"field {key!r}: {item!r} is not a slug")
        return tuple(value)

    def names(self, key: str) -> tuple[Name, ...]:
        """A list of names: each a string, or ``{name: ..., language: <BCP 47>, sources:
        [...]}`` (language and sources optional) for a name whose language or source is
        known."""
        value = self.data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.fail(f"field {key!r} must be a list of names")
            return ()
        names: list[Name] = []
        for item in value:
            if isinstance(item, str):
                names.append(Name(item))
            elif isinstance(item, Mapping) and {"name"} <= set(item) <= {
                "name",
                "language",
                "sources",
            }:
                text, language = item["name"], item.get("language", "")
                sources = _Field(item, self.where, self.errors).texts("sources", slugs=True)
                if not isinstance(text, str) or not text.strip():
                    self.fail(f"field {key!r}: a name must be text")
                elif not isinstance(language, str) or (language and not _LANGUAGE.match(language)):
                    self.fail(f"field {key!r}: {language!r} is not a BCP 47 language tag")
                else:
                    names.append(Name(text, language, sources))
            else:
                self.fail(
                    f"field {key!r}: each entry is a name or {{name: ..., language: ..., "
                    "sources: [...]}"
                )
        if len({(n.text, n.language) for n in names}) != len(names):
            self.fail(f"field {key!r} lists a name twice")
        return tuple(names)

    def fact_sources(self, allowed: set[str]) -> FactSources:
        """``fact_sources``: which of the record's facts a source backs (field -> ids)."""
        value = self.data.get("fact_sources")
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.fail("field 'fact_sources' must map a field name to a list of source ids")
            return {}
        found: FactSources = {}
        for key in value:
            if key not in allowed:
                self.fail(f"fact_sources: {key!r} is not a field whose source can be given")
                continue
            ids = _Field(value, self.where, self.errors).texts(key, required=True, slugs=True)
            found[str(key)] = ids
        return found

    def wikidata(self) -> WikidataLink | None:
        value = self.data.get("wikidata")
        if value is None:
            return None
        if not isinstance(value, Mapping):
            self.fail("field 'wikidata' must be a mapping with qid, status and source")
            return None
        sub = _Field(value, self.where, self.errors)
        sub.only({"qid", "status", "source", "note"}, prefix="wikidata.")
        qid = sub.text("qid")
        if qid and not iris.is_qid(qid):
            self.fail(f"wikidata.qid: {qid!r} is not a Wikidata item id (Q followed by digits)")
        status = sub.choice("status", ("verified", "unverified"))
        source = sub.optional_slug("source")
        if status == "verified" and not source:
            self.fail("wikidata: a verified link needs the source where the QID was seen")
        return WikidataLink(
            qid=qid,
            status=cast("Any", status),
            source=source,
            note=sub.text("note", required=False),
        )

    def only(self, allowed: set[str], *, prefix: str = "") -> None:
        for key in self.data:
            if str(key).lower() in CONTACT_KEYS:
                self.fail(f"field {prefix}{key!r}: personal contact details are never published")
            elif key not in allowed:
                self.fail(f"unknown field {prefix}{key!r}; allowed: {', '.join(sorted(allowed))}")


def _yaml_records(
    content: bytes, relative: str, errors: list[SourceDataError]
) -> Iterator[tuple[Mapping[str, Any], Location]]:
    """Each mapping of a YAML list, with the line it starts on."""
    try:
        loader = yaml.SafeLoader(content.decode("utf-8"))
        try:
            root = loader.get_single_node()
            if root is None:
                return
            if not isinstance(root, yaml.SequenceNode):
                errors.append(
                    SourceDataError(
                        Location(relative, root.start_mark.line + 1), "expected a list of records"
                    )
                )
                return
            for node in root.value:
                where = Location(relative, node.start_mark.line + 1)
                errors.extend(_split_names(node, relative))
                value = loader.construct_object(node, deep=True)
                if not isinstance(value, Mapping):
                    errors.append(SourceDataError(where, "each record must be a mapping"))
                    continue
                record_id = value.get("id")
                yield value, Location(relative, where.line, str(record_id or "?"))
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        errors.append(SourceDataError(Location(relative, line), f"YAML syntax: {exc.problem}"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        errors.append(SourceDataError(Location(relative, 1), f"unreadable: {exc}"))


#: Fields that list names, where a comma inside a name must not split it.
NAME_LISTS = frozenset({"alternate_names"})


def _split_names(node: yaml.Node, relative: str) -> Iterator[SourceDataError]:
    """Names in a ``[...]`` list that YAML may have split at a comma.

    In a flow list, ``[Secretaria de Ciência, Tecnologia e Inovação do Distrito Federal]``
    is two names, not one: a plain (unquoted) item with a space in a list of several is
    refused, so every such name is written in quotes and read as one.
    """
    if not isinstance(node, yaml.MappingNode):
        return
    for key, value in node.value:
        if not (isinstance(key, yaml.ScalarNode) and key.value in NAME_LISTS):
            continue
        if not (isinstance(value, yaml.SequenceNode) and value.flow_style and len(value.value) > 1):
            continue
        for item in value.value:
            if isinstance(item, yaml.ScalarNode) and item.style is None and " " in item.value:
                yield SourceDataError(
                    Location(relative, item.start_mark.line + 1),
                    f"{key.value}: {item.value!r} is unquoted in a [...] list, where a comma "
                    "would split one name into two; quote each name that has a space",
                )


def _yaml_mapping(
    content: bytes, relative: str, errors: list[SourceDataError]
) -> tuple[Mapping[str, Any], Location]:
    try:
        value = yaml.safe_load(content.decode("utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else 1
        errors.append(SourceDataError(Location(relative, line), f"YAML syntax: {exc.problem}"))
        return {}, Location(relative, 1)
    if not isinstance(value, Mapping):
        errors.append(SourceDataError(Location(relative, 1), "expected a mapping"))
        return {}, Location(relative, 1)
    return value, Location(relative, 1, "dataset")


def _csv_records(
    content: bytes, relative: str, errors: list[SourceDataError]
) -> Iterator[tuple[Mapping[str, Any], Location]]:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        errors.append(SourceDataError(Location(relative, 1), f"unreadable: {exc}"))
        return
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            line = reader.line_num
            if None in row or any(value is None for value in row.values()):
                errors.append(SourceDataError(Location(relative, line), "wrong number of columns"))
                continue
            cleaned = {key: value for key, value in row.items() if value != ""}
            yield cleaned, Location(relative, line, row.get("id") or "?")
    except csv.Error as exc:  # a field over the csv module's own limit, a stray NUL
        errors.append(SourceDataError(Location(relative, reader.line_num), f"CSV: {exc}"))


def _common(field: _Field) -> tuple[str, tuple[str, ...]]:
    return field.slug("id"), field.texts("sources", required=True, slugs=True)


def _source(f: _Field) -> Source:
    f.only(
        {
            "id",
            "kind",
            "title",
            "url",
            "publisher",
            "date",
            "place",
            "language",
            "note",
            "archived_url",
        }
    )
    return Source(
        id=f.slug("id"),
        kind=f.choice("kind", SOURCE_KINDS),
        title=f.text("title"),
        url=f.url("url"),
        publisher=f.text("publisher"),
        date=f.date("date", required=False),
        place=f.optional_slug("place"),
        language=f.text("language", required=False, default="en"),
        note=f.text("note", required=False),
        archived_url=f.url("archived_url"),
        where=f.where,
    )


def _place(f: _Field) -> Place:
    f.only({"id", "name", "sources", "wikidata"})
    slug, sources = _common(f)
    return Place(slug, f.text("name"), sources, f.where, f.wikidata())


def _continent(f: _Field) -> Continent:
    f.only({"id", "name", "sources", "wikidata"})
    slug, sources = _common(f)
    return Continent(slug, f.text("name"), sources, f.where, f.wikidata())


def _country(f: _Field) -> Country:
    f.only({"id", "name", "name_in_release", "iso2", "iso3", "sources", "wikidata"})
    slug, sources = _common(f)
    iso2, iso3 = f.text("iso2"), f.text("iso3")
    if iso2 and not re.fullmatch(r"[A-Z]{2}", iso2):
        f.fail(f"field 'iso2': {iso2!r} is not an ISO 3166-1 alpha-2 code")
    if iso3 and not re.fullmatch(r"[A-Z]{3}", iso3):
        f.fail(f"field 'iso3': {iso3!r} is not an ISO 3166-1 alpha-3 code")
    return Country(
        id=slug,
        name=f.text("name"),
        iso2=iso2,
        iso3=iso3,
        sources=sources,
        where=f.where,
        name_in_release=f.text("name_in_release", required=False),
        wikidata=f.wikidata(),
    )


def _city(f: _Field) -> City:
    f.only(
        {
            "id",
            "name",
            "name_in_release",
            "alternate_names",
            "country",
            "continent",
            "latitude",
            "longitude",
            "geonames_id",
            "confirmation",
            "sources",
            "location_source",
            "wikidata",
            "note",
            "fact_sources",
        }
    )
    slug, sources = _common(f)
    return City(
        id=slug,
        name=f.text("name"),
        name_in_release=f.text("name_in_release"),
        alternate_names=f.names("alternate_names"),
        fact_sources=f.fact_sources({"name", "alternate_names", "name_in_release"}),
        country=f.slug("country"),
        continent=f.slug("continent"),
        latitude=f.decimal("latitude", -90, 90),
        longitude=f.decimal("longitude", -180, 180),
        geonames_id=f.integer("geonames_id"),
        confirmation=cast("Confirmation", f.choice("confirmation", CONFIRMATION_VALUES)),
        sources=sources,
        location_source=f.slug("location_source"),
        wikidata=f.wikidata(),
        note=f.text("note", required=False),
        where=f.where,
    )


def _organisation(f: _Field) -> Organisation:
    f.only(
        {
            "id",
            "name",
            "alternate_names",
            "kind",
            "url",
            "area_served",
            "parent",
            "hosted_by",
            "sources",
            "wikidata",
            "note",
            "fact_sources",
        }
    )
    slug, sources = _common(f)
    return Organisation(
        id=slug,
        name=f.text("name"),
        kind=f.choice("kind", ORGANISATION_KINDS),
        sources=sources,
        where=f.where,
        alternate_names=f.names("alternate_names"),
        fact_sources=f.fact_sources({"name", "alternate_names"}),
        url=f.url("url"),
        area_served=f.optional_slug("area_served"),
        parent=f.optional_slug("parent"),
        hosted_by=f.optional_slug("hosted_by"),
        wikidata=f.wikidata(),
        note=f.text("note", required=False),
    )


def _person(f: _Field) -> Person:
    f.only(
        {
            "id",
            "name",
            "name_in_release",
            "honorific",
            "role_as_written",
            "affiliation",
            "sources",
            "wikidata",
            "fact_sources",
        }
    )
    slug, sources = _common(f)
    person = Person(
        id=slug,
        name=f.text("name"),
        name_in_release=f.text("name_in_release", required=False),
        fact_sources=f.fact_sources({"name"}),
        honorific=f.text("honorific", required=False),
        role_as_written=f.text("role_as_written"),
        affiliation=f.slug("affiliation"),
        sources=sources,
        where=f.where,
        wikidata=f.wikidata(),
    )
    for text in (person.name, person.role_as_written):
        if _EMAIL.search(text) or _PHONE.search(text):
            f.fail("personal contact details (e-mail address or phone number) are never published")
    return person


def _quote(f: _Field) -> Quote:
    f.only(
        {
            "id",
            "speaker",
            "text",
            "fidelity",
            "date",
            "position",
            "sources",
            "repair_sources",
            "seed_defects",
            "note",
        }
    )
    slug, sources = _common(f)
    fidelity = cast("Fidelity", f.choice("fidelity", FIDELITY_VALUES))
    repair_sources = f.texts("repair_sources", slugs=True)
    if fidelity == "repaired-from-other-copy" and not repair_sources:
        f.fail("a quote repaired from another copy must name that copy in 'repair_sources'")
    if fidelity == "verbatim" and repair_sources:
        f.fail("a verbatim quote has no 'repair_sources'; use fidelity repaired-from-other-copy")
    text = f.text("text")
    if text and text != " ".join(text.split()):
        f.fail("field 'text' must be one paragraph with single spaces (no line breaks)")
    return Quote(
        id=slug,
        speaker=f.slug("speaker"),
        text=text,
        fidelity=fidelity,
        date=f.date("date") or dt.date.min,
        position=f.integer("position"),
        sources=sources,
        where=f.where,
        repair_sources=repair_sources,
        seed_defects=f.texts("seed_defects"),
        note=f.text("note", required=False),
    )


def _concept(f: _Field) -> Concept:
    f.only({"id", "label", "definition", "notation", "wording_in_release"})
    return Concept(
        id=f.slug("id"),
        label=f.text("label"),
        definition=f.text("definition"),
        notation=f.text("notation", required=False),
        wording_in_release=f.text("wording_in_release", required=False),
        where=f.where,
    )


def _concept_scheme(f: _Field) -> ConceptScheme:
    f.only({"id", "kind", "title", "description", "concepts", "sources"})
    slug, sources = _common(f)
    kind = f.choice("kind", ("policy-area", "text-fidelity", "confirmation-status"))
    concepts = []
    raw = f.raw("concepts")
    if not isinstance(raw, list) or not raw:
        f.fail("field 'concepts' must be a non-empty list")
        raw = []
    for item in raw:
        if isinstance(item, Mapping):
            where = Location(f.where.file, f.where.line, f"{slug}/{item.get('id', '?')}")
            concepts.append(_concept(_Field(item, where, f.errors)))
        else:
            f.fail("each concept must be a mapping")
    return ConceptScheme(
        slug, kind, f.text("title"), f.text("description"), tuple(concepts), sources, f.where
    )


def _roadmap(f: _Field) -> Roadmap:
    f.only({"id", "name", "description", "author", "policy_areas", "url", "sources"})
    slug, sources = _common(f)
    return Roadmap(
        id=slug,
        name=f.text("name"),
        description=f.text("description"),
        author=f.slug("author"),
        policy_areas=f.texts("policy_areas", required=True, slugs=True),
        sources=sources,
        where=f.where,
        url=f.url("url"),
    )


def _event(f: _Field) -> Event:
    f.only(
        {
            "id",
            "name",
            "description",
            "start_date",
            "end_date",
            "organiser",
            "url",
            "super_event",
            "sources",
        }
    )
    slug, sources = _common(f)
    return Event(
        id=slug,
        name=f.text("name"),
        start_date=f.date("start_date") or dt.date.min,
        end_date=f.date("end_date", required=False),
        description=f.text("description", required=False),
        organiser=f.optional_slug("organiser"),
        url=f.url("url"),
        super_event=f.optional_slug("super_event"),
        sources=sources,
        where=f.where,
    )


def _commitment(f: _Field) -> Commitment:
    f.only(
        {"id", "city", "roadmap", "policy_areas", "announced", "event", "confirmation", "sources"}
    )
    slug, sources = _common(f)
    return Commitment(
        id=slug,
        city=f.slug("city"),
        roadmap=f.slug("roadmap"),
        policy_areas=f.texts("policy_areas", required=True, slugs=True),
        announced=f.date("announced") or dt.date.min,
        event=f.optional_slug("event"),
        confirmation=cast("Confirmation", f.choice("confirmation", CONFIRMATION_VALUES)),
        sources=sources,
        where=f.where,
    )


def _dataset(f: _Field) -> DatasetInfo:
    f.only(
        {
            "title",
            "description",
            "licence",
            "licence_name",
            "publisher",
            "version",
            "issued",
            "modified",
            "keywords",
            "example_resources",
            "homepage",
            "press_release",
        }
    )
    return DatasetInfo(
        press_release=f.slug("press_release"),
        title=f.text("title"),
        description=f.text("description"),
        licence=f.url("licence", required=True) or "",
        licence_name=f.text("licence_name"),
        publisher=f.text("publisher"),
        version=f.text("version"),
        issued=f.date("issued") or dt.date.min,
        modified=f.date("modified") or dt.date.min,
        keywords=f.texts("keywords", required=True),
        example_resources=f.texts("example_resources", required=True),
        homepage=f.text("homepage", required=False),
        where=f.where,
    )


#: The reader of each kind of record (``model.KINDS``), by its field of ``Records``.
READERS: dict[str, Callable[[_Field], Any]] = {
    "sources": _source,
    "places": _place,
    "continents": _continent,
    "countries": _country,
    "cities": _city,
    "organisations": _organisation,
    "people": _person,
    "quotes": _quote,
    "concept_schemes": _concept_scheme,
    "roadmaps": _roadmap,
    "events": _event,
    "commitments": _commitment,
}
_READER_BY_FILE = {kind.file: READERS[kind.field] for kind in KINDS}


def _read_checked(path: Path, kind: str, limits: InputLimits) -> bytes:
    """The bytes of *path*, once the input guard has passed them (:class:`UnsafeInput`
    otherwise: refused before any parser reads them)."""
    check_size(path.stat().st_size, str(path), limits)
    content = path.read_bytes()
    check(content, kind, str(path), limits)
    return content


def read_records(data_dir: Path, limits: InputLimits | None = None) -> Records:
    """Read and cross-check every data file; :class:`SourceDataErrors` lists all problems.
    Each file passes the input guard under *limits* (default: the settings') first."""
    limits = limits or InputLimits()
    if not data_dir.is_dir():
        raise UsageError(f"data directory {data_dir} does not exist")
    errors: list[SourceDataError] = []
    files: dict[str, bytes] = {}
    loaded: dict[str, list[Any]] = {}
    dataset: DatasetInfo | None = None
    for name in DATA_FILES:
        path = data_dir / name
        if not path.is_file():
            errors.append(SourceDataError(Location(name, 0), f"missing data file {path}"))
            continue
        content = files[name] = _read_checked(path, name.rsplit(".", 1)[1], limits)
        if name == "dataset.yaml":
            mapping, where = _yaml_mapping(content, name, errors)
            dataset = _dataset(_Field(mapping, where, errors)) if mapping else None
            continue
        rows = (
            _csv_records(content, name, errors)
            if name.endswith(".csv")
            else _yaml_records(content, name, errors)
        )
        loaded[name] = [_READER_BY_FILE[name](_Field(row, where, errors)) for row, where in rows]
    if dataset is None or len(loaded) != len(DATA_FILES) - 1:
        raise SourceDataErrors(errors or [SourceDataError(Location("dataset.yaml", 1), "empty")])
    records = Records(
        dataset=dataset,
        files=files,
        **{kind.field: tuple(loaded[kind.file]) for kind in KINDS},
    )
    errors.extend(cross_check(records))
    if errors:
        raise SourceDataErrors(errors)
    return records


def cross_check(records: Records) -> list[SourceDataError]:
    """Every reference points at an existing record; ids are unique per kind."""
    errors: list[SourceDataError] = []

    def index(items: tuple[Any, ...], kind: str) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for item in items:
            if item.id in seen:
                errors.append(
                    SourceDataError(
                        item.where,
                        f"duplicate {kind} id {item.id!r} "
                        f"(first at line {seen[item.id].where.line})",
                    )
                )
            seen.setdefault(item.id, item)
        return seen

    tables = {kind.field: index(records_of(records, kind), kind.words) for kind in KINDS}
    sources, places = tables["sources"], tables["places"]
    continents, countries, cities = tables["continents"], tables["countries"], tables["cities"]
    organisations, people = tables["organisations"], tables["people"]
    schemes, roadmaps, events = tables["concept_schemes"], tables["roadmaps"], tables["events"]
    policy_areas = {
        concept.id
        for scheme in schemes.values()
        if scheme.kind == "policy-area"
        for concept in scheme.concepts
    }
    for scheme in schemes.values():
        index(scheme.concepts, f"concept in {scheme.id}")

    def ref(item: Any, value: str | None, table: Mapping[str, Any], what: str) -> None:
        if value and value not in table:
            errors.append(SourceDataError(item.where, f"unknown {what} {value!r}"))

    everything = (
        item for kind in KINDS if kind.field != "sources" for item in records_of(records, kind)
    )
    for item in everything:
        for source in item.sources:
            ref(item, source, sources, "source")
        link = getattr(item, "wikidata", None)
        if link is not None:
            ref(item, link.source, sources, "source")
        for ids in getattr(item, "fact_sources", {}).values():
            for source in ids:
                ref(item, source, sources, "source")
        for name in getattr(item, "alternate_names", ()):
            for source in name.sources:
                ref(item, source, sources, "source")
    release = sources.get(records.dataset.press_release)
    if release is None or release.kind != "press-release":
        errors.append(
            SourceDataError(
                records.dataset.where,
                f"press_release: {records.dataset.press_release!r} is not a press-release source",
            )
        )
    named: dict[str, str] = {}
    for record in records.sources:
        ref(record, record.place, places, "place")
        if record.publisher in organisations:
            continue
        try:
            slug = iris.slugify(record.publisher)
        except IRIError as exc:
            errors.append(SourceDataError(record.where, f"publisher: {exc}"))
            continue
        if slug in organisations:
            errors.append(
                SourceDataError(
                    record.where,
                    f"publisher {record.publisher!r} is the organisation {slug!r}: write its id",
                )
            )
        elif named.setdefault(slug, record.publisher) != record.publisher:
            errors.append(
                SourceDataError(
                    record.where,
                    f"publishers {named[slug]!r} and {record.publisher!r} would share the "
                    f"IRI organisation/{slug}",
                )
            )
    for city in records.cities:
        ref(city, city.country, countries, "country")
        ref(city, city.continent, continents, "continent")
        ref(city, city.location_source, sources, "source")
    for org in records.organisations:
        ref(org, org.parent, organisations, "organisation")
        ref(org, org.hosted_by, organisations, "organisation")
        if org.area_served and org.area_served not in cities and org.area_served not in countries:
            errors.append(
                SourceDataError(org.where, f"unknown city or country {org.area_served!r}")
            )
    for person in records.people:
        ref(person, person.affiliation, organisations, "organisation")
    for quote in records.quotes:
        ref(quote, quote.speaker, people, "person")
        for source in quote.repair_sources:
            ref(quote, source, sources, "source")
    for roadmap in records.roadmaps:
        ref(roadmap, roadmap.author, organisations, "organisation")
        for area in roadmap.policy_areas:
            ref(roadmap, area, {a: a for a in policy_areas}, "policy area")
    for event in records.events:
        ref(event, event.organiser, organisations, "organisation")
        ref(event, event.super_event, events, "event")
    for commitment in records.commitments:
        ref(commitment, commitment.city, cities, "city")
        ref(commitment, commitment.roadmap, roadmaps, "roadmap")
        ref(commitment, commitment.event, events, "event")
        for area in commitment.policy_areas:
            ref(commitment, area, {a: a for a in policy_areas}, "policy area")
    return errors


def read_rdf(path: Path, relative: str, content: bytes | None = None) -> Graph:
    """Parse one Turtle file (ontology or shapes), or its *content* already read and checked
    by the input guard; syntax errors name file and line."""
    graph = Graph()
    try:
        if content is None:
            graph.parse(path, format="turtle")
        else:
            graph.parse(data=content, format="turtle", publicID=path.absolute().as_uri())
    except BadSyntax as exc:
        raise SourceDataErrors(
            [SourceDataError(Location(relative, exc.lines + 1), f"Turtle syntax: {exc._why}")]
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceDataErrors([SourceDataError(Location(relative, 0), str(exc))]) from exc
    return graph


def read_turtle_dir(
    directory: Path, label: str, limits: InputLimits | None = None
) -> tuple[Graph, dict[str, bytes]]:
    """Every ``*.ttl`` file of *directory* merged into one graph, with the raw bytes of each;
    each file passes the input guard under *limits* (default: the settings') first."""
    limits = limits or InputLimits()
    graph = Graph()
    files: dict[str, bytes] = {}
    paths = sorted(directory.glob("*.ttl"))
    if not paths:
        raise SourceDataErrors(
            [SourceDataError(Location(label, 0), f"no Turtle files in {directory}")]
        )
    for path in paths:
        relative = f"{label}/{path.name}"
        files[relative] = _read_checked(path, "ttl", limits)
        graph += read_rdf(path, relative, files[relative])
    return graph, files


def read_release_graph(release_dir: Path, limits: InputLimits | None = None) -> Graph:
    """The data graph of a published release (``graph.nt``), checked by the input guard."""
    path = release_dir / "graph.nt"
    if not path.is_file():
        raise UsageError(f"{path} not found; run 'smartcity-graph build' first")
    return Graph().parse(data=_read_checked(path, "nt", limits or InputLimits()), format="nt")


def read_entity_documents(directory: Path | None, qids: list[str]) -> dict[str, Any]:
    """Recorded ``Special:EntityData`` JSON files ``{QID}.json`` found in *directory*."""
    documents: dict[str, Any] = {}
    if directory is None:
        return documents
    for qid in qids:
        path = directory / f"{qid}.json"
        if path.is_file():
            try:
                documents[qid] = json.loads(path.read_text(encoding="utf-8"))
            except ValueError as exc:
                raise SourceDataErrors(
                    [SourceDataError(Location(str(path), 1), f"not JSON: {exc}")]
                ) from exc
    return documents
