"""The server-side SVG maps: decoding TopoJSON, the projection, escaping, accessibility, size."""

from __future__ import annotations

import ast
import builtins
import io
import itertools
import math
import re
import socket
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import smartcity_graph
from smartcity_graph.web import worldmap
from smartcity_graph.web.worldmap import (
    COLOURS,
    Marker,
    city_map,
    decode_polygons,
    equal_earth,
    land_polygons,
    world_map,
    world_point,
)

SVG = "{http://www.w3.org/2000/svg}"
PACKAGE = Path(smartcity_graph.__file__).resolve().parent
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")

KAMPALA = Marker("Kampala", 0.31628, 32.58219, "/id/city/kampala")
BOGOTA = Marker("Bogotá", 4.60971, -74.08175, "/id/city/bogota")
MELBOURNE = Marker("Melbourne", -37.814, 144.96332, "/id/city/melbourne")
LONDON = Marker("London", 51.50853, -0.12574, "/id/city/london")
MILAN = (45.46427, 9.18951)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def view_box(root: ET.Element) -> tuple[float, float]:
    x0, y0, width, height = (float(v) for v in root.attrib["viewBox"].split())
    assert (x0, y0) == (0, 0)
    return width, height


def land_points(root: ET.Element) -> list[tuple[float, float]]:
    paths = [p for p in root.iter(f"{SVG}path") if p.get("class") == "map-land"]
    assert len(paths) == 1
    numbers = [float(n) for n in NUMBER.findall(paths[0].attrib["d"])]
    return list(zip(numbers[::2], numbers[1::2], strict=True))


def subpaths(root: ET.Element) -> list[list[tuple[float, float]]]:
    land = next(p for p in root.iter(f"{SVG}path") if p.get("class") == "map-land")
    out = []
    for part in land.attrib["d"].split("M")[1:]:
        numbers = [float(n) for n in NUMBER.findall(part)]
        out.append(list(zip(numbers[::2], numbers[1::2], strict=True)))
    return out


def by_id(root: ET.Element, ident: str) -> ET.Element:
    found = [e for e in root.iter() if e.get("id") == ident]
    assert len(found) == 1, ident
    return found[0]


@pytest.fixture(scope="module")
def pioneer_markers(root: Path) -> list[Marker]:
    cities = yaml.safe_load((root / "data" / "cities.yaml").read_text(encoding="utf-8"))
    return [Marker(c["name"], c["latitude"], c["longitude"], f"/id/city/{c['id']}") for c in cities]


# -- TopoJSON -------------------------------------------------------------------------------


def test_a_tiny_quantized_topology_with_a_reversed_arc_decodes_to_its_coordinates() -> None:
    topology = {
        "type": "Topology",
        "transform": {"scale": [0.5, 0.25], "translate": [10, 20]},
        "arcs": [
            [[0, 0], [2, 0], [0, 4]],  # (10, 20) -> (11, 20) -> (11, 21), delta-encoded
            [[0, 0], [2, 4]],  # (10, 20) -> (11, 21)
        ],
        "objects": {
            "shapes": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0, ~1]]},  # ~1: arc 1 backwards
                    {"type": "MultiPolygon", "arcs": [[[1, ~0]]]},
                    {"type": "Point", "coordinates": [1, 1]},
                ],
            }
        },
    }
    triangle, backwards = decode_polygons(topology, "shapes")
    assert triangle == (((10, 20), (11, 20), (11, 21), (10, 20)),)
    assert backwards == (((10, 20), (11, 21), (11, 20), (10, 20)),)


def test_a_topology_without_a_transform_has_absolute_positions() -> None:
    topology = {
        "type": "Topology",
        "arcs": [[[1.5, 2.5], [3.0, 2.5], [3.0, 4.0], [1.5, 2.5]]],
        "objects": {"square": {"type": "Polygon", "arcs": [[~0]]}},
    }
    (square,) = decode_polygons(topology, "square")
    assert square == (((1.5, 2.5), (3.0, 4.0), (3.0, 2.5), (1.5, 2.5)),)


def test_something_that_is_not_a_topology_is_refused() -> None:
    with pytest.raises(ValueError, match="not a TopoJSON"):
        decode_polygons({"type": "FeatureCollection", "features": []}, "land")


@pytest.mark.parametrize("resolution", ["110m", "50m"])
def test_the_vendored_land_decodes_to_closed_rings_on_the_globe(resolution: Any) -> None:
    polygons = land_polygons(resolution)
    rings = [ring for polygon in polygons for ring in polygon]
    assert len(polygons) > 100
    assert all(ring[0] == ring[-1] for ring in rings)
    assert all(-180 <= lon <= 180 and -90 <= lat <= 90 for ring in rings for lon, lat in ring)


def test_the_land_is_decoded_once_per_process() -> None:
    assert land_polygons() is land_polygons()


# -- Projection -----------------------------------------------------------------------------


def test_the_projection_puts_places_in_the_right_half_and_quadrant() -> None:
    width = 960
    bogota, kampala = world_point(BOGOTA.lat, BOGOTA.lon), world_point(KAMPALA.lat, KAMPALA.lon)
    melbourne, london = (
        world_point(MELBOURNE.lat, MELBOURNE.lon),
        world_point(LONDON.lat, LONDON.lon),
    )
    _, equator = world_point(0, 0)
    assert bogota[0] < width / 2 < kampala[0]  # west and east of Greenwich
    assert melbourne[1] > equator > london[1]  # SVG y grows southwards
    assert melbourne[0] > kampala[0] > london[0] > bogota[0]
    assert world_point(0, 0) == pytest.approx((width / 2, equator))


def test_equal_earth_keeps_areas_equal() -> None:
    """A 1-degree cell at 60 degrees north covers sin(60.5)-sin(59.5) of what one at the
    equator covers (sin(0.5)-sin(-0.5)) on the sphere, and so on the map."""

    def cell_area(lat: float) -> float:
        corners = [
            equal_earth(lat + dy, dx) for dx, dy in ((0, -0.5), (1, -0.5), (1, 0.5), (0, 0.5))
        ]
        return 0.5 * abs(
            sum(
                x0 * y1 - x1 * y0
                for (x0, y0), (x1, y1) in zip(corners, corners[1:] + corners[:1], strict=True)
            )
        )

    sphere = (math.sin(math.radians(60.5)) - math.sin(math.radians(59.5))) / (
        2 * math.sin(math.radians(0.5))
    )
    assert cell_area(60) / cell_area(0) == pytest.approx(sphere, rel=1e-3)


# -- The world map --------------------------------------------------------------------------


def test_the_world_map_is_xml_with_one_named_focusable_link_per_marker() -> None:
    markers = [BOGOTA, KAMPALA, MELBOURNE, LONDON]
    svg = parse(world_map(markers))
    links = list(svg.iter(f"{SVG}a"))
    assert [a.get("href") for a in links] == [m.href for m in markers]
    for link, marker in zip(links, markers, strict=True):
        assert link.get("aria-label") == marker.label
        assert link.findtext(f"{SVG}title") == marker.label
        assert link.get("class") == "map-marker"
        assert link.get("tabindex") is None  # an <a href> is in the tab order as it is
        assert len(link.findall(f"{SVG}circle")) == 1


def test_the_world_map_is_a_group_named_by_its_title_and_described_by_its_desc() -> None:
    svg = parse(world_map([KAMPALA], title="Pioneer cities", description="Dots are cities."))
    assert svg.get("role") == "group"  # role="img" would hide the links inside
    assert by_id(svg, svg.attrib["aria-labelledby"]).text == "Pioneer cities"
    assert by_id(svg, svg.attrib["aria-describedby"]).text == "Dots are cities."
    width, height = view_box(svg)
    assert (svg.get("width"), svg.get("height")) == (str(int(width)), str(int(height)))
    # The pages forbid inline styles (CSP style-src 'self'): the page's stylesheet sizes it.
    assert "style" not in svg.attrib
    assert not svg.findall(f".//{SVG}style")


def test_a_hostile_label_and_link_are_escaped() -> None:
    label = "</title><script>alert(\"x\")</script><a href='//evil'>&amp;"
    href = '/id/city/x?a=1&b="><script>alert(1)</script>'
    svg = world_map([Marker(label, 1, 2, href)], title="<script>", description="</desc><script>")
    assert "<script" not in svg.lower()
    link = next(parse(svg).iter(f"{SVG}a"))  # still well-formed, and the text comes back whole
    assert link.get("aria-label") == label
    assert link.findtext(f"{SVG}title") == label
    assert link.get("href") == href


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "\x01javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
    ],
)
def test_a_link_that_could_run_code_is_refused(href: str) -> None:
    with pytest.raises(ValueError, match="relative or http"):
        Marker("x", 0, 0, href)
    with pytest.raises(ValueError, match="relative or http"):
        city_map(0, 0, "x", href=href)


@pytest.mark.parametrize(
    "href", ["/id/city/milan", "milan.html", "?page=2", "https://example.org/a:b", "http://x/"]
)
def test_relative_and_web_links_are_accepted(href: str) -> None:
    assert Marker("x", 0, 0, href).href == href


@pytest.mark.parametrize(("lat", "lon"), [(91, 0), (-90.5, 0), (0, 181), (math.nan, 0)])
def test_a_position_off_the_globe_is_refused(lat: float, lon: float) -> None:
    with pytest.raises(ValueError, match="between"):
        Marker("x", lat, lon, "/x")


def test_the_land_is_drawn_inside_the_view_box() -> None:
    svg = parse(world_map([]))
    width, height = view_box(svg)
    points = land_points(svg)
    assert len(subpaths(svg)) > 50
    assert all(0 <= x <= width and 0 <= y <= height for x, y in points)


def test_no_land_is_drawn_across_the_map_at_the_antimeridian() -> None:
    """Rings that cross 180 degrees (Chukotka, Fiji) are cut there, not joined by a line
    across the whole world."""
    svg = parse(world_map([]))
    width, _ = view_box(svg)
    longest = max(math.dist(p, q) for ring in subpaths(svg) for p, q in itertools.pairwise(ring))
    assert longest < width / 4


def test_land_and_sea_are_where_they_belong() -> None:
    """The middle of the Sahara is under land; the middle of the Pacific is not."""
    svg = parse(world_map([]))

    def on_land(lat: float, lon: float) -> bool:
        x, y = world_point(lat, lon)
        inside = False
        for ring in subpaths(svg):
            for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
                if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
                    inside = not inside
        return inside

    assert on_land(23, 10)  # Sahara
    assert on_land(60, 100)  # Siberia
    assert on_land(-25, 134)  # Australia
    assert not on_land(0, -140)  # Pacific
    assert not on_land(-30, -20)  # South Atlantic
    assert not on_land(42, 51)  # the Caspian Sea, a hole in the land


def test_the_36_pioneer_cities_make_a_small_map_without_script(
    pioneer_markers: list[Marker],
) -> None:
    svg = world_map(pioneer_markers, title="The 36 pioneer cities")
    size = len(svg.encode("utf-8"))
    assert len(pioneer_markers) == 36
    assert size < 250_000, size
    assert "<script" not in svg
    assert not re.search(r"\son[a-z]+\s*=", svg)  # no event handler attributes
    assert "url(" not in svg
    assert re.findall(r"https?://[^\"' ]+", svg) == ["http://www.w3.org/2000/svg"]
    assert len(list(parse(svg).iter(f"{SVG}a"))) == 36


def test_the_same_markers_give_the_same_bytes_and_other_maps_other_ids(
    pioneer_markers: list[Marker],
) -> None:
    assert world_map(pioneer_markers) == world_map(list(pioneer_markers))
    ids = [
        parse(svg).attrib["aria-labelledby"]
        for svg in (world_map(pioneer_markers), world_map([KAMPALA]), city_map(*MILAN, "Milan"))
    ]
    assert len(set(ids)) == 3


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("background", ["sea", "land", "ring"])
def test_markers_contrast_three_to_one_with_what_is_around_them(background: str) -> None:
    assert _contrast(COLOURS["marker"], COLOURS[background]) >= 3


# -- The city map ---------------------------------------------------------------------------


def test_the_city_map_of_milan_marks_milan_inside_a_window_with_land() -> None:
    svg = parse(city_map(*MILAN, "Milan"))
    width, height = view_box(svg)
    assert svg.get("role") == "img"  # no link inside: one image
    assert by_id(svg, svg.attrib["aria-labelledby"]).text == "Map showing Milan at 45.4643, 9.1895"
    (dot,) = svg.iter(f"{SVG}circle")
    assert 0 < float(dot.attrib["cx"]) < width
    assert 0 < float(dot.attrib["cy"]) < height
    points = land_points(svg)
    assert len(points) > 100
    assert all(0 <= x <= width and 0 <= y <= height for x, y in points)
    assert list(svg.iter(f"{SVG}a")) == []


def test_a_city_map_with_a_link_is_a_group_with_a_named_link() -> None:
    svg = parse(city_map(-37.814, 144.96332, "Melbourne <&>", href="/id/city/melbourne"))
    assert svg.get("role") == "group"
    assert by_id(svg, svg.attrib["aria-labelledby"]).text == (
        "Map showing Melbourne <&> at -37.814, 144.9633"
    )
    (link,) = svg.iter(f"{SVG}a")
    assert (link.get("href"), link.get("aria-label")) == ("/id/city/melbourne", "Melbourne <&>")


def test_a_city_map_across_the_antimeridian_draws_land_on_both_sides() -> None:
    """Chukotka reaches from 178 degrees east to 170 west."""
    svg = parse(city_map(66.0, 178.0, "Chukotka"))
    width, _ = view_box(svg)
    xs = [x for x, _ in land_points(svg)]
    assert min(xs) < width / 3
    assert max(xs) > 2 * width / 3


def test_a_city_map_of_open_sea_has_no_land() -> None:
    svg = parse(city_map(-40.0, -130.0, "South Pacific", span_degrees=4))
    assert land_points(svg) == []


@pytest.mark.parametrize(
    "kwargs", [{"span_degrees": 0}, {"span_degrees": 120}, {"width": 10}, {"height": 10}]
)
def test_a_city_map_refuses_a_window_it_cannot_draw(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"must be|at least"):
        city_map(*MILAN, "Milan", **kwargs)


# -- Nothing outside the package ------------------------------------------------------------


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """Every file opened while the test runs; any network connection fails."""
    paths: list[Path] = []
    real_open = io.open

    def spy(file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, str | Path):
            paths.append(Path(file).resolve())
        return real_open(file, *args, **kwargs)

    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the maps must not touch the network")

    monkeypatch.setattr(io, "open", spy)
    monkeypatch.setattr(builtins, "open", spy)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    caches = [worldmap.land_polygons, worldmap._planar_land, worldmap._world_base]
    caches.append(worldmap._city_map)
    for cache in caches:
        cache.cache_clear()
    yield paths
    for cache in caches:
        cache.cache_clear()


def test_the_maps_read_only_the_outlines_inside_the_package(opened: list[Path]) -> None:
    world_map([KAMPALA])
    city_map(*MILAN, "Milan")
    vendor = PACKAGE / "static" / "vendor" / "world-atlas"
    assert sorted(opened) == [vendor / "land-110m.json", vendor / "land-50m.json"]


def test_the_module_imports_only_the_standard_library() -> None:
    """No web framework, no HTTP client, nothing that reads files by path."""
    tree = ast.parse(Path(worldmap.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    allowed = {
        "__future__",
        "collections",
        "dataclasses",
        "functools",
        "hashlib",
        "html",
        "importlib",
        "json",
        "math",
        "re",
        "types",
        "typing",
    }
    assert imported <= allowed, imported - allowed
    calls = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not calls & {"open", "Path", "urlopen", "__import__", "eval", "exec"}
