"""The landing page (``/``) and search (``/search``): what a person sees first.

Everything on the page is computed from the served graph: the headline numbers, the cities
by continent and country (the map's text alternative), the charts and their tables, the
downloads grouped by what they are, and the citation. Rendered once per release and root.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from .. import iris
from ..integrate.reconcile import normalise
from ..namespaces import sparql_prologue
from .common import AppState, root_url, select
from .reconcile import cached_entities
from .render import render
from .worldmap import Marker, world_map

#: The headline numbers: (label, class) in the order shown.
HEADLINES: tuple[tuple[str, str], ...] = (
    ("cities", "schema:City"),
    ("countries", "schema:Country"),
    ("continents", "schema:Continent"),
    ("organisations", "schema:Organization"),
    ("people", "schema:Person"),
    ("quotes", "schema:Quotation"),
    ("commitments", "scg:RoadmapCommitment"),
)
COUNTS_QUERY = (
    sparql_prologue("schema", "scg")
    + "SELECT ?what (COUNT(DISTINCT ?x) AS ?n) WHERE {\n"
    + "\n  UNION\n".join(f'  {{ ?x a {cls} BIND("{label}" AS ?what) }}' for label, cls in HEADLINES)
    + "\n} GROUP BY ?what"
)
CITIES_QUERY = (
    sparql_prologue("schema", "scg", "geo")
    + """SELECT ?city ?name ?country ?countryName ?continent ?continentName ?lat ?long WHERE {
  ?city a schema:City ; schema:name ?name ; schema:containedInPlace ?country ;
        scg:continent ?continent ; geo:lat ?lat ; geo:long ?long .
  ?country schema:name ?countryName .
  ?continent schema:name ?continentName .
} ORDER BY ?continentName ?countryName ?name"""
)
POLICY_QUERY = (
    sparql_prologue("scg", "skos")
    + """SELECT ?area ?label (COUNT(DISTINCT ?commitment) AS ?n) WHERE {
  ?area skos:inScheme ?scheme ; skos:prefLabel ?label .
  ?commitment a scg:RoadmapCommitment ; scg:policyArea ?area .
  FILTER(LANG(?label) = "en")
} GROUP BY ?area ?label ORDER BY DESC(?n) ?label"""
)
DATASET_QUERY = (
    sparql_prologue("dcterms", "owl", "rdfs")
    + f"""SELECT ?title ?version ?issued ?modified ?publisherName WHERE {{
  GRAPH ?g {{
    <{iris.DATASET}> dcterms:title ?title .
    OPTIONAL {{ <{iris.DATASET}> owl:versionInfo ?version }}
    OPTIONAL {{ <{iris.DATASET}> dcterms:issued ?issued }}
    OPTIONAL {{ <{iris.DATASET}> dcterms:modified ?modified }}
    OPTIONAL {{ <{iris.DATASET}> dcterms:publisher/rdfs:label ?publisherName }}
  }}
}} LIMIT 1"""
)


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: its label, value and where it links."""

    label: str
    value: int
    href: str


def bar_chart(title: str, bars: list[Bar], *, unit: str) -> str:
    """A horizontal bar chart as SVG: role ``img`` with a title; the same figures are in a
    table beside it (its text alternative). No script, no inline style.

    Each label sits above its bar, so the drawing is narrow (360 units) and its 14-unit text
    stays readable when a phone shows it at its own width."""
    from html import escape

    width, row, bar_room = 360, 46, 270
    scale = bar_room / max((b.value for b in bars), default=1)
    height = row * len(bars) + 4
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, bar in enumerate(bars):
        y = index * row
        length = max(bar.value * scale, 1)
        parts.append(
            f'<text x="0" y="{y + 16}" class="chart-label">{escape(bar.label)}</text>'
            f'<rect x="0" y="{y + 22}" width="{length:.1f}" height="16" class="chart-bar"/>'
            f'<text x="{length + 6:.1f}" y="{y + 35}" class="chart-value">'
            f"{bar.value} {escape(unit)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def group_downloads(files: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The release's files in the groups a reader chooses between: the whole graph, tables,
    per-city files and metadata (everything else)."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in files:
        path = str(entry["path"])
        if path.startswith("graph."):
            key = "graph"
        elif path.endswith((".csv", ".geojson")):
            key = "tables"
        elif path.startswith("city-") and path != "city-frame.jsonld":
            key = "cities"
        else:
            key = "metadata"
        groups[key].append(entry | {"size": human_size(int(entry["bytes"]))})
    titles = {
        "graph": ("The whole graph", "Every triple, in the format your tools read."),
        "tables": ("Tables", "One row per thing, with IRIs and short codes, for spreadsheets."),
        "cities": ("Per-city files", "One JSON-LD file per pioneer city."),
        "metadata": (
            "Metadata",
            "The manifest, the dataset description, the ontology, the shapes, the validation "
            "report and the JSON-LD context.",
        ),
    }
    return [
        {"key": key, "title": titles[key][0], "about": titles[key][1], "files": groups[key]}
        for key in ("graph", "tables", "cities", "metadata")
        if groups[key]
    ]


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def citation(dataset: dict[str, str]) -> dict[str, str]:
    """The citation as text and as BibTeX, from the dataset description."""
    title = dataset.get("title", "smartcity-graph")
    publisher = dataset.get("publisherName", "smartcity-graph project")
    version = dataset.get("version", "")
    date = dataset.get("modified") or dataset.get("issued") or ""
    year = date[:4]
    url = str(iris.DATASET)
    text = (
        f"{publisher} ({year}). {title}"
        + (f" (version {version})" if version else "")
        + f" [Data set]. {url}"
    )
    bibtex = "\n".join(
        [
            "@misc{smartcity_graph" + (f"_{year}" if year else "") + ",",
            f"  author    = {{{{{publisher}}}}},",
            f"  title     = {{{title}}},",
            *([f"  version   = {{{version}}},"] if version else []),
            *([f"  year      = {{{year}}},"] if year else []),
            *([f"  date      = {{{date}}},"] if date else []),
            f"  url       = {{{url}}},",
            "  note      = {Linked open data; every fact cites its source},",
            "}",
        ]
    )
    return {"text": text, "bibtex": bibtex}


async def landing_context(state: AppState, root: str) -> dict[str, Any]:
    """Everything the landing page shows, from the graph."""
    counts = {
        row["what"]["value"]: int(row["n"]["value"]) for row in await select(state, COUNTS_QUERY)
    }
    headlines = [{"label": label, "value": counts.get(label, 0)} for label, _ in HEADLINES]
    cities = await select(state, CITIES_QUERY)

    def local(row: dict[str, Any], key: str) -> str:
        return iris.to_local(row[key]["value"], root)

    continents: dict[str, dict[str, Any]] = {}
    markers = []
    for row in cities:
        continent = continents.setdefault(
            row["continent"]["value"],
            {
                "name": row["continentName"]["value"],
                "href": local(row, "continent"),
                "countries": {},
            },
        )
        country = continent["countries"].setdefault(
            row["country"]["value"],
            {"name": row["countryName"]["value"], "href": local(row, "country"), "cities": []},
        )
        country["cities"].append({"name": row["name"]["value"], "href": local(row, "city")})
        markers.append(
            Marker(
                label=f"{row['name']['value']}, {row['countryName']['value']}",
                lat=float(row["lat"]["value"]),
                lon=float(row["long"]["value"]),
                href=local(row, "city"),
            )
        )
    by_continent = [
        {
            **c,
            "countries": list(c["countries"].values()),
            "count": sum(len(k["cities"]) for k in c["countries"].values()),
        }
        for c in continents.values()
    ]
    continent_bars = sorted(
        (Bar(c["name"], c["count"], c["href"]) for c in by_continent),
        key=lambda b: (-b.value, b.label),
    )
    policy_bars = [
        Bar(
            row["label"]["value"], int(row["n"]["value"]), iris.to_local(row["area"]["value"], root)
        )
        for row in await select(state, POLICY_QUERY)
    ]
    rows = await select(state, DATASET_QUERY) if state.served.description_graph else []
    dataset = {key: value["value"] for key, value in (rows[0] if rows else {}).items()}
    files = list(state.served.manifest.get("files", []))
    return {
        "headlines": headlines,
        "continents": by_continent,
        "city_count": len(markers),
        "country_count": len({row["country"]["value"] for row in cities}),
        "map": world_map(
            markers,
            title=f"Map of the {len(markers)} pioneer cities",
            description="Each dot is a pioneer city and links to its page. The same cities "
            "are listed by continent and country beside the map.",
        )
        if markers
        else "",
        "charts": [
            {
                "id": "per-continent",
                "title": "Pioneer cities per continent",
                "svg": bar_chart("Pioneer cities per continent", continent_bars, unit="cities"),
                "bars": continent_bars,
                "unit": "cities",
            },
            {
                "id": "per-policy-area",
                "title": "Cities committed to each policy area",
                "svg": bar_chart(
                    "Cities committed to each policy area", policy_bars, unit="cities"
                ),
                "bars": policy_bars,
                "unit": "cities",
            },
        ]
        if markers
        else [],
        "downloads": group_downloads(files),
        "dataset": dataset,
        "citation": citation(dataset),
        "reconcile": root + "reconcile",
    }


@dataclass(frozen=True)
class Hit:
    name: str
    kind: str
    description: str
    href: str


async def search(state: AppState, text: str, root: str, limit: int = 50) -> list[Hit]:
    """Cities, countries, organisations and people one of whose names contains *text*,
    compared without case or diacritics ("Medellin" finds Medellín, "Imamoglu" İmamoğlu);
    names that start with it come first."""
    wanted = normalise(text)
    if not wanted:
        return []
    ranked: list[tuple[int, str, Hit]] = []
    for entity in await cached_entities(state):
        names = entity.normalised
        if wanted in names:
            rank = 0
        elif any(name.startswith(wanted) for name in names):
            rank = 1
        elif any(f" {wanted}" in f" {name}" for name in names):
            rank = 2
        elif any(wanted in name for name in names):
            rank = 3
        else:
            continue
        hit = Hit(
            entity.name,
            KIND_NAMES[entity.type],
            entity.description,
            iris.to_local(entity.iri, root),
        )
        ranked.append((rank, entity.name, hit))
    return [hit for _, _, hit in sorted(ranked, key=lambda r: (r[0], r[1]))[:limit]]


KIND_NAMES = {
    "City": "City",
    "Country": "Country",
    "Organization": "Organisation",
    "Person": "Person",
}


def routes(app: FastAPI, state: AppState) -> None:
    @app.api_route("/", methods=["GET", "HEAD"])
    async def landing(request: Request) -> Response:
        root = root_url(state, request)
        return await state.documents.answer(request, ("landing", root), lambda: _landing(root))

    async def _landing(root: str) -> Response:
        context = await landing_context(state, root) if state.served.manifest else {}
        page = render("landing.html", root=root, has_release=bool(state.served.manifest), **context)
        return HTMLResponse(page, headers={"Link": f'<{root}.well-known/void>; rel="describedby"'})

    @app.get("/search")
    async def search_page(request: Request, q: str = "") -> Response:
        root = root_url(state, request)
        text = q.strip()[:200]
        hits = await search(state, text, root) if text else []
        if "application/json" in (request.headers.get("accept") or "") and "text/html" not in (
            request.headers.get("accept") or ""
        ):
            return JSONResponse([hit.__dict__ for hit in hits])
        page = render("search.html", root=root, q=text, hits=hits, quote=quote)
        return HTMLResponse(page, headers={"Vary": "Accept"})
