"""Jinja2 templates -> HTML. Autoescaped; no web-framework imports."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from ..namespaces import BASE


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("smartcity_graph", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["permanent_base"] = BASE
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
