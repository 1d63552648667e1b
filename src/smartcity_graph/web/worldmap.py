"""Server-side SVG maps of places: a world map of markers and a small map around one place.

No network and no script: the outline of the land is Natural Earth's, vendored from the npm
package ``world-atlas`` as TopoJSON (``static/vendor/world-atlas/``), read once through
``importlib.resources`` and decoded here in plain Python. The world map uses the Equal Earth
projection (Šavrič, Patterson and Jenny 2018); the map around one place a local
equirectangular projection, so a latitude/longitude window is a rectangle.

Every label, title and URL is escaped before it reaches the SVG, so a template may insert the
result with ``|safe``; a link that is not relative or http(s) is refused. Each marker of the
world map is an ``<a class="map-marker">`` around one ``<circle>``, with an accessible name
(``aria-label`` and a ``<title>``), reached by the keyboard. The colours are presentation
attributes, so a page's CSS (``.map-sea``, ``.map-land``, ``.map-marker circle``,
``.map-marker:focus circle``) styles hover, focus and size. The SVG carries no ``style``
attribute and no ``<style>`` element: the pages' Content-Security-Policy (``style-src
'self'``) would refuse them; the width and height attributes give the aspect ratio.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Literal

__all__ = [
    "COLOURS",
    "Marker",
    "city_map",
    "decode_polygons",
    "equal_earth",
    "land_polygons",
    "world_map",
    "world_point",
]

Point = tuple[float, float]
"""A position: (longitude, latitude) in degrees, as GeoJSON and TopoJSON order them."""
Ring = tuple[Point, ...]
Polygon = tuple[Ring, ...]
"""An exterior ring followed by its holes."""

Resolution = Literal["110m", "50m"]
"""Natural Earth's scale: 1:110m for the world map; 1:50m for a city map, where 1:110m has
no Shikoku, no Kyushu and few of the Philippines."""

LAND_FOLDER = ("static", "vendor", "world-atlas")
"""Where the land outlines live inside the package (``land-<resolution>.json``)."""

COLOURS: Mapping[str, str] = MappingProxyType(
    {
        "sea": "#d4e4f4",
        "land": "#f3efe4",
        "coast": "#a39a82",
        "marker": "#b3261e",
        "ring": "#ffffff",
        "focus": "#1b1b1b",
        "focus_ring": "#b35900",
    }
)
"""The palette. The marker contrasts 5.0:1 with the sea, 5.7:1 with the land and 6.5:1 with a
white page (WCAG 2.2 non-text contrast asks for 3:1); the white ring keeps touching markers
apart."""

WORLD_NORTH = 84.0
WORLD_SOUTH = -57.0
"""The world map's latitudes: Greenland's north coast to Tierra del Fuego, no Antarctica."""

MARKER_RADIUS = 5.0
"""A marker's radius on a world map 960 units wide (scaled with the width)."""

# -- TopoJSON -------------------------------------------------------------------------------


def _decode_arcs(topology: Mapping[str, Any]) -> list[list[Point]]:
    """Every arc as absolute (longitude, latitude) positions.

    A quantized topology (one with a ``transform``) stores each arc as a first position and
    then differences from the previous one, in integer steps of ``scale`` from ``translate``.
    """
    transform = topology.get("transform")
    arcs: list[list[Point]] = []
    if transform is None:
        for arc in topology["arcs"]:
            arcs.append([(float(p[0]), float(p[1])) for p in arc])
        return arcs
    (kx, ky), (dx, dy) = transform["scale"], transform["translate"]
    for arc in topology["arcs"]:
        x = y = 0
        positions: list[Point] = []
        for p in arc:
            x += p[0]
            y += p[1]
            positions.append((x * kx + dx, y * ky + dy))
        arcs.append(positions)
    return arcs


def _ring(indexes: Iterable[int], arcs: Sequence[Sequence[Point]]) -> Ring:
    """Stitch arcs into one closed ring; ``~i`` (that is ``-i - 1``) is arc ``i`` reversed.

    Consecutive arcs share their end and start position, which is kept once.
    """
    points: list[Point] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return tuple(points)


def _polygons(geometry: Mapping[str, Any], arcs: Sequence[Sequence[Point]]) -> Iterator[Polygon]:
    kind = geometry.get("type")
    if kind == "GeometryCollection":
        for member in geometry["geometries"]:
            yield from _polygons(member, arcs)
    elif kind == "Polygon":
        yield tuple(_ring(ring, arcs) for ring in geometry["arcs"])
    elif kind == "MultiPolygon":
        for polygon in geometry["arcs"]:
            yield tuple(_ring(ring, arcs) for ring in polygon)
    # Points and lines have no area to draw: a land outline has none.


def decode_polygons(topology: Mapping[str, Any], name: str) -> tuple[Polygon, ...]:
    """The polygons of the TopoJSON object ``name``, in (longitude, latitude) degrees."""
    if topology.get("type") != "Topology":
        raise ValueError("not a TopoJSON topology")
    return tuple(_polygons(topology["objects"][name], _decode_arcs(topology)))


@lru_cache(maxsize=2)
def land_polygons(resolution: Resolution = "110m") -> tuple[Polygon, ...]:
    """Natural Earth's land, decoded once per process from the file inside the package."""
    if resolution not in ("110m", "50m"):
        raise ValueError(f"no land outline at {resolution!r}")
    resource = resources.files("smartcity_graph")
    for part in LAND_FOLDER:
        resource = resource.joinpath(part)
    text = resource.joinpath(f"land-{resolution}.json").read_text(encoding="utf-8")
    return decode_polygons(json.loads(text), "land")


# -- Projections ----------------------------------------------------------------------------

_A1, _A2, _A3, _A4 = 1.340264, -0.081106, 0.000893, 0.003796
_M = math.sqrt(3) / 2
_EE_X_MAX = math.pi / (_M * _A1)  # x at the equator on the antimeridian


def equal_earth(lat: float, lon: float) -> Point:
    """Equal Earth projection of degrees, on the unit sphere: x east, y north.

    x runs from about -2.7066 to 2.7066 and y from about -1.3173 to 1.3173.
    """
    lam = math.radians(lon)
    theta = math.asin(_M * math.sin(math.radians(lat)))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (_M * (_A1 + 3 * _A2 * t2 + t6 * (7 * _A3 + 9 * _A4 * t2)))
    y = theta * (_A1 + _A2 * t2 + t6 * (_A3 + _A4 * t2))
    return x, y


@dataclass(frozen=True, slots=True)
class _WorldFrame:
    """Equal Earth scaled into an SVG viewBox ``0 0 width height`` (y grows downwards)."""

    width: int

    @property
    def scale(self) -> float:
        return self.width / (2 * _EE_X_MAX)

    @property
    def top(self) -> float:
        return equal_earth(WORLD_NORTH, 0)[1]

    @property
    def height(self) -> int:
        return math.ceil((self.top - equal_earth(WORLD_SOUTH, 0)[1]) * self.scale)

    def xy(self, lat: float, lon: float) -> Point:
        x, y = equal_earth(lat, lon)
        return (x + _EE_X_MAX) * self.scale, (self.top - y) * self.scale


def world_point(lat: float, lon: float, *, width: int = 960) -> Point:
    """Where (lat, lon) falls on :func:`world_map` of that width, in SVG user units."""
    return _WorldFrame(width).xy(lat, lon)


# -- Geometry -------------------------------------------------------------------------------

_Inside = Callable[[Point], bool]
_Meet = Callable[[Point, Point], Point]


def _clip(ring: Sequence[Point], x0: float, y0: float, x1: float, y1: float) -> list[Point]:
    """Sutherland-Hodgman: the part of a ring inside an axis-aligned rectangle.

    A concave ring may come back with edges running along the rectangle's side; filled, they
    cover no area, so the drawing is right.
    """

    def cut(points: list[Point], inside: _Inside, meet: _Meet) -> list[Point]:
        out: list[Point] = []
        for i, current in enumerate(points):
            previous = points[i - 1]
            if inside(current):
                if not inside(previous):
                    out.append(meet(previous, current))
                out.append(current)
            elif inside(previous):
                out.append(meet(previous, current))
        return out

    def at_x(x: float) -> _Meet:
        return lambda p, q: (x, p[1] + (q[1] - p[1]) * (x - p[0]) / (q[0] - p[0]))

    def at_y(y: float) -> _Meet:
        return lambda p, q: (p[0] + (q[0] - p[0]) * (y - p[1]) / (q[1] - p[1]), y)

    points = list(ring)
    sides: tuple[tuple[_Inside, _Meet], ...] = (
        (lambda p: p[0] >= x0, at_x(x0)),
        (lambda p: p[0] <= x1, at_x(x1)),
        (lambda p: p[1] >= y0, at_y(y0)),
        (lambda p: p[1] <= y1, at_y(y1)),
    )
    for inside, meet in sides:
        if not points:
            break
        points = cut(points, inside, meet)
    return points


def _area(ring: Sequence[Point]) -> float:
    """The ring's area (shoelace formula), whichever way it winds."""
    following = [*ring[1:], ring[0]]
    return abs(sum(p[0] * q[1] - q[0] * p[1] for p, q in zip(ring, following, strict=True))) / 2


def _path(rings: Iterable[Sequence[Point]], digits: int = 1, smallest: float = 0.5) -> str:
    """SVG path data: one closed subpath per ring, repeated positions dropped.

    Rings of less than ``smallest`` square units (islets smaller than a pixel) are left out.
    """
    parts: list[str] = []
    for ring in rings:
        if smallest and _area(ring) < smallest:
            continue
        previous = None
        coords: list[str] = []
        for x, y in ring:
            here = (_num(x, digits), _num(y, digits))
            if here != previous:
                coords.append(f"{here[0]},{here[1]}")
                previous = here
        if len(coords) >= 3:
            parts.append("M" + "L".join(coords) + "Z")
    return "".join(parts)


def _num(value: float, digits: int) -> str:
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


@lru_cache(maxsize=2)
def _planar_land(resolution: Resolution) -> tuple[tuple[Ring, float, float, float, float], ...]:
    """Every land ring made planar, with its bounding box (west, south, east, north).

    TopoJSON rings are spherical: a ring across the antimeridian steps from 179.9 to -180.
    Here longitudes run on without the jump (179.9 to 180), so a ring may reach past 180;
    :func:`_land_in` draws it again 360 degrees over. A ring round a pole (Antarctica) closes
    along that pole.
    """
    out = []
    for polygon in land_polygons(resolution):
        for ring in polygon:
            if not ring:
                continue
            points = [ring[0]]
            for lon, lat in ring[1:]:
                previous = points[-1][0]
                while lon - previous > 180:
                    lon -= 360
                while lon - previous < -180:
                    lon += 360
                points.append((lon, lat))
            turn = points[-1][0] - points[0][0]
            if abs(turn) > 180:  # round a pole: close the ring along it
                pole = -90.0 if sum(p[1] for p in points) < 0 else 90.0
                points += [(points[-1][0], pole), (points[0][0], pole)]
            lons = [p[0] for p in points]
            lats = [p[1] for p in points]
            out.append((tuple(points), min(lons), min(lats), max(lons), max(lats)))
    return tuple(out)


def _land_in(
    resolution: Resolution, west: float, south: float, east: float, north: float
) -> Iterator[list[Point]]:
    """The land rings cut to a longitude/latitude window (which may reach past +-180)."""
    for shift in (-360.0, 0.0, 360.0):
        for ring, r_west, r_south, r_east, r_north in _planar_land(resolution):
            if r_east + shift < west or r_west + shift > east or r_north < south or r_south > north:
                continue
            moved = ring if shift == 0 else [(p[0] + shift, p[1]) for p in ring]
            clipped = _clip(moved, west, south, east, north)
            if clipped:
                yield clipped


# -- Markers and SVG ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Marker:
    """A place on the map: its accessible name, where it is and where its link goes.

    ``href`` is a relative URL or an http(s) URL; any other scheme (``javascript:``, ``data:``)
    is refused.
    """

    label: str
    lat: float
    lon: float
    href: str

    def __post_init__(self) -> None:
        _check_position(self.lat, self.lon)
        _check_href(self.href)


def _check_position(lat: float, lon: float) -> None:
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        raise ValueError(f"latitude {lat!r} is not between -90 and 90")
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        raise ValueError(f"longitude {lon!r} is not between -180 and 180")


def _check_href(href: str) -> None:
    # As a browser reads it: tabs and newlines anywhere and leading controls or spaces are
    # ignored, so "java\tscript:" and " javascript:" are still javascript:.
    cleaned = re.sub(r"[\t\n\r]", "", href).lstrip("".join(map(chr, range(0x21))))
    scheme = _SCHEME.match(cleaned)
    if scheme is not None and scheme.group(1).lower() not in ("http", "https"):
        raise ValueError(f"a map link must be relative or http(s), not {scheme.group(1)!r}")


_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _uid(*parts: object) -> str:
    """A deterministic id prefix, so two maps on one page do not share ids (same input, same
    bytes)."""
    digest = hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:10]
    return f"map-{digest}"


def _svg_open(
    uid: str, width: int, height: int, title: str, description: str, *, links: bool
) -> str:
    """The opening tag, named by its title and described by its desc.

    With links inside, the SVG is a group (``role="img"`` would hide them from assistive
    technology); without, it is one image.
    """
    role = "group" if links else "img"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="smartcity-map" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="{role}" aria-labelledby="{uid}-title" aria-describedby="{uid}-desc">'
        f'<title id="{uid}-title">{_e(title)}</title>'
        f'<desc id="{uid}-desc">{_e(description)}</desc>'
    )


def _dot(x: float, y: float, r: float) -> str:
    """One circle: a page's ``.map-marker circle`` rule styles it; its attributes are the
    defaults (presentation attributes give way to any CSS)."""
    return (
        f'<circle cx="{_num(x, 1)}" cy="{_num(y, 1)}" r="{_num(r, 2)}" '
        f'fill="{COLOURS["marker"]}" stroke="{COLOURS["ring"]}" '
        f'stroke-width="{_num(r * 0.4, 2)}"/>'
    )


@lru_cache(maxsize=8)
def _world_base(width: int) -> tuple[int, str]:
    """The height and the drawing (sea, land) of a world map; computed once per width."""
    frame = _WorldFrame(width)
    height = frame.height
    # The sea is the projected globe between the two latitudes: the meridians at -180 and
    # 180 are its curved sides, the parallels straight lines.
    steps = [WORLD_SOUTH + (WORLD_NORTH - WORLD_SOUTH) * i / 60 for i in range(61)]
    outline = [frame.xy(lat, -180) for lat in steps] + [
        frame.xy(lat, 180) for lat in reversed(steps)
    ]
    rings = [
        [frame.xy(lat, lon) for lon, lat in ring]
        for ring in _land_in("110m", -180, WORLD_SOUTH, 180, WORLD_NORTH)
    ]
    drawing = (
        f'<path class="map-sea" d="{_path([outline], smallest=0)}" fill="{COLOURS["sea"]}"/>'
        f'<path class="map-land" d="{_path(rings)}" fill="{COLOURS["land"]}" '
        f'stroke="{COLOURS["coast"]}" stroke-width="{_num(width / 1600, 2)}" '
        f'stroke-linejoin="round" fill-rule="evenodd"/>'
    )
    return height, drawing


def world_map(
    markers: Sequence[Marker],
    *,
    width: int = 960,
    title: str = "World map",
    description: str | None = None,
) -> str:
    """An SVG world map (Equal Earth) with one link per marker, in the order given.

    ``width`` is the viewBox width (the height follows from the projection); the SVG is as wide
    as its container and keeps its aspect ratio. ``description`` defaults to one sentence that
    counts the markers. Markers near each other overlap: a page should list the same places as
    text links too.
    """
    if width < 100:
        raise ValueError("a world map needs a width of at least 100")
    height, drawing = _world_base(width)
    if description is None:
        count = len(markers)
        description = (
            f"A world map with {count} marked place{'' if count == 1 else 's'}; "
            "each marker is a link."
        )
    uid = _uid("world", width, title, description, tuple(markers))
    radius = MARKER_RADIUS * width / 960
    parts = [
        _svg_open(uid, width, height, title, description, links=True),
        drawing,
        '<g class="map-markers">',
    ]
    for marker in markers:
        x, y = world_point(marker.lat, marker.lon, width=width)
        label = _e(marker.label)
        parts.append(
            f'<a class="map-marker" href="{_e(marker.href)}" aria-label="{label}">'
            f"<title>{label}</title>{_dot(x, y, radius)}</a>"
        )
    parts.append("</g></svg>")
    return "".join(parts)


def _coordinate(value: float) -> str:
    return _num(value, 4)


def city_map(
    lat: float,
    lon: float,
    label: str,
    *,
    span_degrees: float = 12.0,
    width: int = 320,
    height: int = 240,
    href: str | None = None,
) -> str:
    """A small map of the land around one place, with that place marked.

    The window is ``span_degrees`` of latitude high, centred on the place, and as wide as
    ``width``/``height`` asks in a local equirectangular projection (a degree of longitude is
    ``cos(lat)`` of a degree of latitude); coasts are Natural Earth's 1:50m. The map's
    accessible name is "Map showing <label> at <lat>, <lon>" (coordinates to 4 decimals). With
    ``href`` the marker is a link named ``label``; without, the whole SVG is one image.
    """
    return _city_map(lat, lon, label, span_degrees, width, height, href)


@lru_cache(maxsize=128)
def _city_map(
    lat: float,
    lon: float,
    label: str,
    span_degrees: float,
    width: int,
    height: int,
    href: str | None,
) -> str:
    _check_position(lat, lon)
    if href is not None:
        _check_href(href)
    if not (0 < span_degrees <= 90):
        raise ValueError("span_degrees must be more than 0 and at most 90")
    if width < 50 or height < 50:
        raise ValueError("a city map needs a width and height of at least 50")
    squash = max(math.cos(math.radians(lat)), 0.05)
    half_lat = span_degrees / 2
    half_lon = half_lat * (width / height) / squash
    south, north = lat - half_lat, lat + half_lat
    k = height / span_degrees  # user units per degree of latitude

    def xy(p: Point) -> Point:
        return (width / 2 + (p[0] - lon) * squash * k, height / 2 - (p[1] - lat) * k)

    rings = [
        [xy(p) for p in ring]
        for ring in _land_in("50m", lon - half_lon, south, lon + half_lon, north)
    ]

    name = f"Map showing {label} at {_coordinate(lat)}, {_coordinate(lon)}"
    uid = _uid("city", lat, lon, label, span_degrees, width, height, href)
    description = (
        f"Coasts from Natural Earth, {_num(span_degrees, 2)} degrees of latitude from south "
        f"to north, with {label} marked in the centre."
    )
    radius = max(5.0, min(width, height) / 40)
    dot = _dot(width / 2, height / 2, radius)
    if href is None:
        marker = f'<g class="map-place">{dot}</g>'  # the SVG itself is the image
    else:
        escaped = _e(label)
        marker = (
            f'<a class="map-marker" href="{_e(href)}" aria-label="{escaped}">'
            f"<title>{escaped}</title>{dot}</a>"
        )
    return "".join(
        [
            _svg_open(uid, width, height, name, description, links=href is not None),
            f'<rect class="map-sea" width="{width}" height="{height}" fill="{COLOURS["sea"]}"/>',
            f'<path class="map-land" d="{_path(rings)}" fill="{COLOURS["land"]}" '
            f'stroke="{COLOURS["coast"]}" stroke-width="0.75" stroke-linejoin="round" '
            'fill-rule="evenodd"/>',
            f'<rect class="map-frame" width="{width}" height="{height}" fill="none" '
            f'stroke="{COLOURS["coast"]}" '
            'stroke-width="1.5"/>',  # a frame, so land cut at the edge has a border all round
            marker,
            "</svg>",
        ]
    )
