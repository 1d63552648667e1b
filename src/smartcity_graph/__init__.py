"""smartcity-graph: the G20 Global Smart Cities Alliance pioneer cities as linked open data."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("smartcity-graph")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
