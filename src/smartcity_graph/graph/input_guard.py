"""The input guard: every file the build or the server parses is checked here first.

A parser is the wrong place to meet a hostile file. Measured with pyoxigraph 0.5.13 and
rdflib 7: pyoxigraph's RDF/XML parser expands internal XML entities in full (a 1 KB
"billion laughs" file became a 100 MB literal) and takes minutes over 100,000 nested
elements; its JSON-LD parser needs memory quadratic in the nesting (1.7 GB at 3,000 levels)
and overflows its stack (a segfault) at 4,000; a triple term nested 100,000 deep in
N-Triples overflows it too; rdflib's Turtle parser (the build's) and PyYAML recurse until
Python's own limit. So the bytes of a file pass :func:`check` before any parser sees them,
and a file is refused with one reason (:class:`~smartcity_graph.errors.UnsafeInput`: the
file, the line where known, the reason; exit code 2):

- every file: more than ``max_input_bytes`` (checked on its size, before it is read:
  :func:`check_size`); bytes that are not UTF-8;
- line-based formats (Turtle, TriG, N3, N-Triples, N-Quads, YAML, CSV): a line over
  ``max_input_line_bytes``;
- every RDF format: content that is not the format its suffix names (Turtle in a ``.rdf``,
  JSON in a ``.ttl``);
- RDF/XML: any DOCTYPE (a DTD is where entities, external entities and parameter entities
  are declared), XML that is not well-formed, an encoding other than UTF-8, elements nested
  over ``max_input_depth``, a text or attribute over ``max_input_literal_bytes``;
- JSON-LD: a ``@context`` that names another document (remote or relative) and any
  ``@import`` (loading either would be a request); nesting over ``max_input_depth``; a
  string over ``max_input_literal_bytes``;
- Turtle, TriG, N3, N-Triples, N-Quads: ``[ ]``, ``( )``, ``{ }`` and ``<< >>`` nested over
  ``max_input_depth``; a literal over ``max_input_literal_bytes``;
- YAML: anchors and aliases (an alias repeats a whole node: YAML's "billion laughs"),
  nesting and scalars over the limits;
- CSV: a quoted field over ``max_input_literal_bytes``.

Every check streams over the bytes, in C where it can (regular expressions, splits,
expat), in memory that does not grow with the file (a mapped file is paged in and out): a
bomb is refused at its declaration, before it has cost anything. Measured against
pyoxigraph's own in-memory load of the same 100k triples (``bench/generate.py``): about
30% of its time for N-Triples and Turtle, 70% for RDF/XML (expat reports each element to
Python, which counts the depth) and 110% for JSON-LD (Python sees each token: strings,
brackets, keys).

The guard reads nothing itself (only ``sources.py`` reads in the build, ``query/stores.py``
in the server): it is given the bytes (a ``bytes`` or a read-only ``mmap``).
"""

from __future__ import annotations

import json
import mmap
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from ..errors import UnsafeInput
from ..settings import Settings

Data = bytes | mmap.mmap
"""The bytes of one file: read into memory, or mapped read-only."""

#: The kinds of file the guard knows, by the suffix their loaders use.
TURTLE_FAMILY = frozenset({"ttl", "trig", "n3"})
LINE_TRIPLES = frozenset({"nt", "nq"})
RDF_KINDS = TURTLE_FAMILY | LINE_TRIPLES | {"jsonld", "rdf"}
KINDS = RDF_KINDS | {"yaml", "csv"}
LINE_BASED = TURTLE_FAMILY | LINE_TRIPLES | {"yaml", "csv"}

_CHUNK = 1 << 20
"""Bytes handled at a time by the streaming checks (1 MiB: a split of a chunk into lines
makes one object per line, so the chunk bounds their memory)."""
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class InputLimits:
    """The limits of the guard; the defaults are the settings' (see ``settings.py``)."""

    max_bytes: int = Settings.max_input_bytes
    max_line_bytes: int = Settings.max_input_line_bytes
    max_literal_bytes: int = Settings.max_input_literal_bytes
    max_depth: int = Settings.max_input_depth

    @classmethod
    def from_settings(cls, settings: Settings) -> InputLimits:
        return cls(
            settings.max_input_bytes,
            settings.max_input_line_bytes,
            settings.max_input_literal_bytes,
            settings.max_input_depth,
        )

    def to_json(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_json(cls, value: dict[str, Any] | None) -> InputLimits:
        return cls(**value) if value else cls()


class _Refused(Exception):
    """Raised inside a check; becomes :class:`UnsafeInput` with the file's name."""

    def __init__(self, reason: str, offset: int | None = None, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.offset = offset
        self.line = line


def refusal(name: str, reason: str, line: int | None = None) -> UnsafeInput:
    """The one-line error for *name*: ``FILE[:LINE]: refused: REASON``."""
    name = " ".join(name.splitlines())  # one line, whatever the file is called
    where = f"{name}:{line}" if line else name
    return UnsafeInput(f"{where}: refused: {' '.join(reason.split())}")


def check_size(size: int, name: str, limits: InputLimits) -> None:
    """Refuse a file of *size* bytes over ``max_input_bytes``, before it is read."""
    if size > limits.max_bytes:
        raise refusal(
            name,
            f"the file is {size:,} bytes, over max_input_bytes ({limits.max_bytes:,})",
        )


def check(data: Data, kind: str, name: str, limits: InputLimits) -> None:
    """Refuse (:class:`UnsafeInput`) the bytes *data* of the file *name* unless they are
    safe to give to the parser of *kind* (one of :data:`KINDS`)."""
    if kind not in KINDS:
        raise ValueError(f"the input guard does not know the kind {kind!r}")
    check_size(len(data), name, limits)
    try:
        # The line check first: it stops at the first chunk with a line too long.
        longest = _lines(data, limits.max_line_bytes) if kind in LINE_BASED else len(data)
        _utf8(data)
        if kind in RDF_KINDS:
            _looks_like(data, kind)
        if kind in LINE_TRIPLES:
            _line_triples(data, limits, longest)
        else:
            _CHECKS[kind](data, limits)
    except _Refused as refused:
        line = refused.line
        if line is None and refused.offset is not None:
            line = _line_at(data, refused.offset)
        raise refusal(name, refused.reason, line) from None


# -- every file ---------------------------------------------------------------------------------


def _line_at(data: Data, offset: int) -> int:
    line = 1
    for start in range(0, offset, _CHUNK):
        line += data[start : min(start + _CHUNK, offset)].count(b"\n")
    return line


def _utf8(data: Data) -> None:
    """Every byte is part of valid UTF-8 (a leading byte-order mark is allowed)."""
    position, size = (3 if data[:3] == _BOM else 0), len(data)
    while position < size:
        end = min(position + _CHUNK, size)
        # Cut before a character's continuation bytes, never inside a character.
        while position < end < size and data[end] & 0xC0 == 0x80:
            end -= 1
        if end == position:
            end = min(position + _CHUNK, size)
        try:
            data[position:end].decode("utf-8")
        except UnicodeDecodeError as exc:
            offset = position + exc.start
            raise _Refused(
                f"the bytes are not UTF-8 (byte 0x{data[offset]:02X} at offset {offset}); "
                "every text format is read as UTF-8",
                offset,
            ) from None
        position = end


def _lines(data: Data, limit: int) -> int:
    """No line is longer than *limit* bytes; the longest line's length."""
    carried, lines_before, longest = 0, 0, 0
    for start in range(0, len(data), _CHUNK):
        lengths = [len(piece) for piece in data[start : start + _CHUNK].split(b"\n")]
        lengths[0] += carried
        chunk_longest = max(lengths)
        if chunk_longest > limit:
            index = next(i for i, length in enumerate(lengths) if length > limit)
            raise _Refused(
                f"a line longer than max_input_line_bytes ({limit:,} bytes)",
                line=lines_before + index + 1,
            )
        lines_before += len(lengths) - 1
        carried = lengths[-1]
        longest = max(longest, chunk_longest)
    return longest


_XML_START = re.compile(rb"<(?:\?xml|!|[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?(?:\s|/?>))")
"""What an XML document may start with (a declaration, a comment, an element)."""
_XML_SURE = re.compile(
    rb"<(?:\?xml|!--|!DOCTYPE|[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?(?:\s+[\w:.-]+\s*=|\s*/>))"
)
"""What only XML starts with: Turtle may start with an IRI such as ``<s>``, never with these."""
_JSON_START = re.compile(rb"(?:\{\s*(?:\"|\})|\[\s*(?:\{|\"|\]))")
_TURTLE_SKIP = re.compile(rb"(?:\s+|#[^\n]*)*")


def _guess(start: bytes) -> str:
    if _JSON_START.match(start):
        return "JSON"
    if _XML_START.match(start):
        return "XML"
    if re.match(rb"(?i:@prefix|@base|prefix|base)\b", start):
        return "Turtle"
    if start[:1] in (b"<", b"_"):
        return "N-Triples or Turtle"
    return "something else"


def _looks_like(data: Data, kind: str) -> None:
    """The first bytes are what the suffix says: never Turtle in a ``.rdf``, JSON in a
    ``.ttl`` or XML in a ``.jsonld``. (The parser would refuse most of them later, with a
    message about a syntax error; this says what the file is.)"""
    head = bytes(data[:4096])
    head = head.removeprefix(_BOM)
    skip = _TURTLE_SKIP.match(head)
    start = head[skip.end() if skip else 0 :]
    if not start:
        return
    expected = {"rdf": "RDF/XML", "jsonld": "JSON-LD", "nt": "N-Triples", "nq": "N-Quads"}.get(
        kind, "Turtle, TriG or N3"
    )
    if kind == "rdf":
        fits = bool(_XML_START.match(start.lstrip()))
    elif kind == "jsonld":
        fits = start[:1] in (b"{", b"[")
    elif kind in LINE_TRIPLES:
        fits = start[:1] in (b"<", b"_") and not _XML_SURE.match(start)
    else:
        fits = not (_JSON_START.match(start) or _XML_SURE.match(start))
    if not fits:
        raise _Refused(
            f"the content is not {expected}, which its suffix '.{kind}' names: it starts like "
            f"{_guess(start)} ({start[:24].decode('utf-8', 'replace')!r})"
        )


# -- Turtle, TriG, N3, N-Triples, N-Quads -------------------------------------------------------

_IRI_CHARS = rb"[^<>\"{}|^`\\\x00-\x20]"
_TURTLE = re.compile(
    rb"(?:"  # what neither opens, closes nor quotes, in one possessive run:
    rb"[^\"'<>#\[\](){}\\]++"  # names, numbers, punctuation, space
    rb"|<(?!<)(?:" + _IRI_CHARS + rb"*+(?:\\[\s\S]" + _IRI_CHARS + rb"*+)*+>)?"  # an IRI
    rb"|#[^\r\n]*+"  # a comment
    rb"|\\[\s\S]?"  # an escape in a prefixed name
    rb"|>(?!>)"  # the end of N3's '=>'
    rb")*+"
    rb"(?:"
    rb"(\"\"\"[^\"\\]*+(?:(?:\\[\s\S]|\"(?!\"\"))[^\"\\]*+)*+\"\"\""
    rb"|'''[^'\\]*+(?:(?:\\[\s\S]|'(?!''))[^'\\]*+)*+'''"
    rb"|\"[^\"\\\r\n]*+(?:\\[\s\S][^\"\\\r\n]*+)*+\""
    rb"|'[^'\\\r\n]*+(?:\\[\s\S][^'\\\r\n]*+)*+')"
    rb"|(<<|[\[({])"
    rb"|(>>|[\])}])"
    rb"|[\"']"  # a quote that opens no string: a syntax error the parser will report
    rb"|\Z)"
)
"""One match per string literal (group 1), opening (2) or closing bracket (3) or stray quote,
with everything between them skipped in C. Possessive throughout, so a match never
backtracks: linear time."""


def _turtle(data: Data, limits: InputLimits) -> None:
    depth, longest, deepest = 0, limits.max_literal_bytes, limits.max_depth
    for match in _TURTLE.finditer(data):
        group = match.lastindex
        if group == 1:
            start, end = match.span(1)
            if end - start > longest:
                raise _Refused(
                    f"a literal longer than max_input_literal_bytes ({longest:,} bytes)", start
                )
        elif group == 2:
            depth += 1
            if depth > deepest:
                raise _Refused(
                    "brackets, collections or triple terms nested deeper than "
                    f"max_input_depth ({deepest})",
                    match.start(2),
                )
        elif group == 3 and depth:
            depth -= 1


def _line_triples(data: Data, limits: InputLimits, longest: int) -> None:
    """N-Triples and N-Quads: one statement per line, and nothing nests but RDF 1.2 triple
    terms. With no ``<<`` in the file and no line (the *longest* is given) over the literal
    limit, nothing can be over a limit; otherwise the Turtle scan decides."""
    if longest > limits.max_literal_bytes or data.find(b"<<") >= 0:
        _turtle(data, limits)


# -- JSON-LD ------------------------------------------------------------------------------------

_JSON = re.compile(
    rb"[^\"\[\]{}]*+"
    rb"(?:(\"[^\"\\]*+(?:\\[\s\S][^\"\\]*+)*+\")(\s*:\s*)?"
    rb"|([\[{])"
    rb"|([\]}])"
    rb"|\""  # an unterminated string: the parser will report it
    rb"|\Z)"
)
"""One match per string (group 1, and 2 when it is a key), opening (3) or closing bracket
(4), linear like :data:`_TURTLE`."""
_KEYWORDS = (b'"@context"', b'"@import"')


def _json_text(token: bytes) -> str:
    try:
        value = json.loads(token)
    except ValueError:
        return ""
    return value if isinstance(value, str) else ""


def _jsonld(data: Data, limits: InputLimits) -> None:
    depth, longest, deepest = 0, limits.max_literal_bytes, limits.max_depth
    context_array = 0
    """The depth of the ``@context`` array being read (0: none)."""
    for match in _JSON.finditer(data):
        group = match.lastindex
        if group == 1 or group == 2:
            start, end = match.span(1)
            if end - start > longest:
                raise _Refused(
                    f"a string longer than max_input_literal_bytes ({longest:,} bytes)", start
                )
            if group == 1:
                if context_array and depth == context_array:
                    _external_context(data[start:end], start)
                continue
            token = data[start:end]
            if token in _KEYWORDS or b"\\" in token:
                context_array = _keyword(data, match, depth) or context_array
        elif group == 3:
            depth += 1
            if depth > deepest:
                raise _Refused(
                    f"JSON nested deeper than max_input_depth ({deepest})", match.start(3)
                )
        elif group == 4 and depth:
            if depth == context_array:
                context_array = 0
            depth -= 1


def _keyword(data: Data, match: re.Match[bytes], depth: int) -> int:
    """Refuse ``@import`` and a ``@context`` that is a reference; for a ``@context`` array,
    the depth its items are at (their strings are references), else 0."""
    start = match.start(1)
    keyword = _json_text(data[start : match.end(1)])
    if keyword == "@import":
        raise _Refused(
            "a JSON-LD @import (it loads another document: a request); put the imported "
            "context inline",
            start,
        )
    if keyword == "@context":
        value = match.end(2)
        if data[value : value + 1] == b'"':
            following = _JSON.match(data, value)
            end = following.end(1) if following else -1
            _external_context(data[value : max(end, value + 1)], value)
        if data[value : value + 1] == b"[":
            return depth + 1
    return 0


def _external_context(token: bytes, offset: int) -> None:
    reference = _json_text(token)[:80]
    remote = re.match(r"(?i)[a-z][a-z0-9+.-]*:", reference)
    raise _Refused(
        f"a JSON-LD @context that refers to {'a remote' if remote else 'another'} document "
        f"({reference!r}); it is never loaded (that would be a request): put the context "
        "inline",
        offset,
    )


# -- RDF/XML ------------------------------------------------------------------------------------


def _rdfxml(data: Data, limits: InputLimits) -> None:
    _xml_runs(data, limits.max_literal_bytes)
    _xml_structure(data, limits.max_depth)


def _xml_runs(data: Data, limit: int) -> None:
    """No text or attribute value is longer than *limit*: neither can hold a ``<``, so the
    longest run of bytes between two ``<`` bounds both (counted in C)."""
    carried = 0
    for start in range(0, len(data), _CHUNK):
        lengths = [len(run) for run in data[start : start + _CHUNK].split(b"<")]
        lengths[0] += carried
        if max(lengths) > limit:
            index = next(i for i, length in enumerate(lengths) if length > limit)
            # Where the run starts: after the previous runs of this chunk and their '<'s.
            offset = start - carried + sum(lengths[:index]) + index
            what = "an XML text or attribute longer than max_input_literal_bytes"
            raise _Refused(f"{what} ({limit:,} bytes)", offset)
        carried = lengths[-1]


def _xml_structure(data: Data, max_depth: int) -> None:
    """Well-formed XML with no DOCTYPE, UTF-8, nested at most *max_depth* deep.

    expat (the C parser in Python's standard library) reads the bytes and reports each
    element; a DOCTYPE is refused when it starts, before any declaration in it is read (as
    ``defusedxml`` does with ``forbid_dtd``), so no entity is ever declared, let alone
    expanded, and no external DTD or entity is ever named to anyone.
    """
    from xml.parsers import expat

    parser = expat.ParserCreate("UTF-8")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    depth = 0

    def doctype(name: str, system_id: str | None, public_id: str | None, internal: bool) -> None:
        raise _Refused(
            f"an XML DOCTYPE (<!DOCTYPE {name}>): a DTD declares entities, which can expand "
            "without limit or name other files and URLs; RDF/XML needs none",
            line=parser.CurrentLineNumber,
        )

    def declared(version: str, encoding: str | None, standalone: int) -> None:
        if encoding is not None and encoding.upper() not in ("UTF-8", "UTF8", "US-ASCII"):
            raise _Refused(
                f"the XML declares the encoding {encoding!r}; only UTF-8 is read",
                line=parser.CurrentLineNumber,
            )

    def opened(name: str, attributes: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth > max_depth:
            raise _Refused(
                f"XML elements nested deeper than max_input_depth ({max_depth})",
                line=parser.CurrentLineNumber,
            )

    def closed(name: str) -> None:
        nonlocal depth
        depth -= 1

    def entity(*arguments: object) -> None:
        raise _Refused("an XML entity declaration", line=parser.CurrentLineNumber)

    parser.StartDoctypeDeclHandler = doctype
    parser.XmlDeclHandler = declared
    parser.StartElementHandler = opened
    parser.EndElementHandler = closed
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    try:
        for start in range(0, len(data), 1 << 20):
            parser.Parse(data[start : start + (1 << 20)], False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise _Refused(
            f"not well-formed XML ({expat.ErrorString(exc.code)}, column {exc.offset + 1})",
            line=exc.lineno,
        ) from None


# -- YAML and CSV (the build's data files) ------------------------------------------------------


def _yaml(data: Data, limits: InputLimits) -> None:
    """No anchor or alias (the curated data needs none, and an alias repeats a whole node: a
    few lines can stand for billions of nodes), nesting and scalars within the limits. A
    syntax error ends the scan: the reader reports it with its line."""
    import yaml

    # The reader's own scanner (pure Python), not libyaml's: libyaml stops at 1,000 levels
    # with a syntax error of its own, while the reader's composer would recurse on.
    loader = yaml.SafeLoader
    opening = (
        yaml.BlockMappingStartToken,
        yaml.BlockSequenceStartToken,
        yaml.FlowMappingStartToken,
        yaml.FlowSequenceStartToken,
    )
    closing = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)
    depth, longest = 0, limits.max_literal_bytes
    try:
        for token in yaml.scan(bytes(data), Loader=loader):
            line = token.start_mark.line + 1
            if isinstance(token, yaml.AnchorToken | yaml.AliasToken):
                raise _Refused(
                    "a YAML anchor or alias (&name, *name): an alias repeats a whole node, "
                    "so a few lines can stand for billions; write each value out",
                    line=line,
                )
            if isinstance(token, opening):
                depth += 1
                if depth > limits.max_depth:
                    raise _Refused(
                        f"YAML nested deeper than max_input_depth ({limits.max_depth})",
                        line=line,
                    )
            elif isinstance(token, closing):
                depth -= 1
            elif isinstance(token, yaml.ScalarToken) and len(token.value) > longest:
                raise _Refused(
                    f"a YAML value longer than max_input_literal_bytes ({longest:,} bytes)",
                    line=line,
                )
    except yaml.YAMLError:
        return


_CSV_QUOTED = re.compile(rb'"[^"]*+(?:""[^"]*+)*+"?')


def _csv(data: Data, limits: InputLimits) -> None:
    """No quoted field (the only kind that can span lines) over the literal limit."""
    for match in _CSV_QUOTED.finditer(data):
        if match.end() - match.start() > limits.max_literal_bytes:
            raise _Refused(
                "a CSV field longer than max_input_literal_bytes "
                f"({limits.max_literal_bytes:,} bytes)",
                match.start(),
            )


_CHECKS: dict[str, Callable[[Data, InputLimits], None]] = {
    "ttl": _turtle,
    "trig": _turtle,
    "n3": _turtle,
    "jsonld": _jsonld,
    "rdf": _rdfxml,
    "yaml": _yaml,
    "csv": _csv,
}
