"""The registration of our permanent namespace at w3id.org.

The w3id.org service is a folder per namespace in the ``perma-id/w3id.org`` repository,
each with an ``.htaccess`` (Apache mod_rewrite rules) and a ``README.md`` (what the
namespace is and who to contact). :func:`write` produces both for ``https://w3id.org/
smartcity-graph/``, redirecting to the server that answers for the release (*target*).

What the rules do, in order:

1. A document named with a format suffix (``id/city/milan.ttl``, ``def.jsonld``) and every
   release file (``release/graph.ttl``) go straight through: ``302 Found`` to the same path.
2. A thing (``id/{kind}/{slug}``, the ontology ``def`` and its terms ``def/{Term}``) gets
   ``303 See Other`` to the document about it: the suffix of the format when ``Accept``
   names one RDF media type alone, ``.html`` when it asks for HTML and names no RDF type
   (every browser), and otherwise the same path without a suffix, where the server
   negotiates with the full RFC 9110 rules (weights, several types, ``*/*``, no header).
3. Everything else (the landing page, ``sparql``, ``reconcile``...) goes to the same path
   with ``307 Temporary Redirect``, which keeps the method, so a SPARQL POST stays a POST.

Query strings (``?_profile=…``) are kept by every rule. Every answer says ``Vary: Accept``
and ``Access-Control-Allow-Origin: *`` (a script in a page can follow the redirect). The
patterns come from :mod:`..iris` and the suffixes from :mod:`..formats`, so a new kind or
format needs no new rule. The committed copy (in the repository's ``w3id.org/`` folder) targets the
server ``make run`` starts; a test checks it matches what this module writes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from .. import formats, iris
from ..errors import UsageError
from ..namespaces import BASE

#: The folder name in the w3id.org repository: our namespace's first path segment.
FOLDER: Final = urlsplit(BASE).path.strip("/")
#: Where the committed copy points: the server the README's main command starts.
DEFAULT_TARGET: Final = "http://127.0.0.1:8000/"

_TERM = r"[A-Za-z][A-Za-z0-9]*"
#: Every thing with an IRI that has documents about it (a slug pattern, not a list of
#: kinds, so that a kind added later resolves without a new registration).
THING: Final = rf"id/{iris.SLUG_PATTERN}/{iris.SLUG_PATTERN}|def(?:/{_TERM})?"
#: Media types that, named anywhere in Accept, mean the client is not a plain browser.
_RDF_WORDS: Final = r"turtle|ld\+json|n-triples|rdf\+xml|n-quads|trig"


def check_target(target: str) -> str:
    """*target* if it is an absolute http(s) URL ending in ``/`` that is safe to write into
    a rewrite rule; :class:`UsageError` otherwise."""
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"--target must be an absolute http(s) URL, not {target!r}")
    if not target.endswith("/") or parts.query or parts.fragment:
        raise UsageError(f"--target must end with '/' and have no query or fragment: {target!r}")
    if re.search(r"[\s$%\\\"']", target):
        raise UsageError(f"--target may not contain spaces, quotes, '$', '%' or '\\': {target!r}")
    return target


def _lone(fmt: formats.Format) -> str:
    """A condition: Accept is one of *fmt*'s media types alone (parameters allowed)."""
    types = "|".join(re.escape(media) for media in (fmt.media_type, *fmt.aliases))
    return rf"^\s*(?:{types})\s*(?:;[^,]*)?$"


def htaccess(target: str) -> str:
    """The ``.htaccess`` redirecting our namespace to *target*."""
    target = check_target(target)
    suffixes = "|".join(re.escape(fmt.extension) for fmt in (*formats.RDF_FORMATS, formats.HTML))
    lines = [
        f"# {BASE}: smartcity-graph, the knowledge graph of the G20 Global",
        "# Smart Cities Alliance's pioneer cities. Contact and details: README.md here.",
        f"# Written by `smartcity-graph w3id --target {target}`; edit that, not this file.",
        "",
        "Options -MultiViews",
        "RewriteEngine on",
        "<IfModule mod_headers.c>",
        "  # The redirect depends on Accept; scripts on any site may follow it.",
        '  Header always set Vary "Accept"',
        '  Header always set Access-Control-Allow-Origin "*"',
        "</IfModule>",
        "",
        "# 1. Documents named with a format suffix, and the release's files: straight through.",
        f"RewriteRule ^((?:{THING})\\.(?:{suffixes}))$ {target}$1 [R=302,L]",
        f"RewriteRule ^(release/.*)$ {target}$1 [R=302,L]",
        "",
        "# 2. Things (resources, the ontology, its terms): 303 See Other to a document.",
        "# One RDF media type alone in Accept: the document in that format.",
    ]
    for fmt in formats.RDF_FORMATS:
        lines += [
            f"RewriteCond %{{HTTP_ACCEPT}} {_lone(fmt)} [NC]",
            f"RewriteRule ^({THING})$ {target}$1.{fmt.extension} [R=303,L]",
        ]
    lines += [
        "# A browser (HTML asked for, no RDF media type named): the HTML page.",
        r"RewriteCond %{HTTP_ACCEPT} (?:text/html|application/xhtml\+xml) [NC]",
        f"RewriteCond %{{HTTP_ACCEPT}} !(?:{_RDF_WORDS}) [NC]",
        f"RewriteRule ^({THING})$ {target}$1.html [R=303,L]",
        "# Anything else (weights, several types, */*, no Accept): the server negotiates.",
        f"RewriteRule ^({THING})$ {target}$1 [R=303,L]",
        "",
        "# 3. Everything else (landing page, SPARQL endpoint, reconciliation service): the",
        "# same path; 307 keeps the method, so a SPARQL POST stays a POST.",
        f"RewriteRule ^(.*)$ {target}$1 [R=307,L]",
    ]
    return "\n".join(lines) + "\n"


def readme(target: str) -> str:
    """The ``README.md`` of the w3id.org folder: what the IRIs are, where they go, who to ask."""
    target = check_target(target)
    rdf = ", ".join(
        f"`{fmt.media_type}` → `.{fmt.extension}`" for fmt in formats.RDF_FORMATS if not fmt.quads
    )
    return f"""# smartcity-graph

Permanent identifiers of **smartcity-graph**, a linked-open-data knowledge graph of record of
the World Economic Forum press release of 17 November 2020: the 36 pioneer cities adopting
the G20 Global Smart Cities Alliance's policy roadmap, their countries, the organisations
and people quoted, every quote, the policy areas and each city's commitment, with the
source of every fact.

## Identifiers

| IRI | what it names |
|---|---|
| `{BASE}id/{{kind}}/{{slug}}` | a thing: city, country, organisation, person, quote, \
commitment, policy area, source, the dataset… |
| `{BASE}def` | the ontology |
| `{BASE}def/{{Term}}` | a class or property of the ontology |
| `{BASE}release/{{file}}` | a file of the current release (`graph.ttl`, `graph.jsonld`, \
`cities.csv`, `manifest.json`…) |
| `{BASE}sparql` | the SPARQL 1.1 endpoint |

Examples: <{BASE}id/city/milan>, <{BASE}id/dataset/smartcity-graph>, <{BASE}def>,
<{BASE}release/graph.ttl>.

## Redirects

All go to `{target}` with the same path and query string.

- A document named with a suffix (`.ttl`, `.jsonld`, `.nt`, `.rdf`, `.nq`, `.trig`,
  `.html`) and every `release/` file: `302` to the same path.
- A thing (`id/…`, `def`, `def/…`): `303 See Other` to its document. One RDF media type
  alone in `Accept` picks the suffix ({rdf}, and N-Quads/TriG); a browser gets `.html`;
  anything else goes to the path without a suffix, where the server negotiates.
- Everything else: `307` to the same path (a POST stays a POST).
- Every answer carries `Vary: Accept` and `Access-Control-Allow-Origin: *`.

## Contact

The smartcity-graph maintainers, through the issue tracker of the repository that publishes
this folder (its `w3id.org/` directory is where this copy is written and tested).
"""


def write(folder: Path, target: str) -> list[Path]:
    """Write ``.htaccess`` and ``README.md`` for *target* into *folder*; the paths written."""
    files = {".htaccess": htaccess(target), "README.md": readme(target)}
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
