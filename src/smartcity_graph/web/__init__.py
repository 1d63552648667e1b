"""The web layer: serves what was published, never builds it."""

from .app import create_app

__all__ = ["create_app"]
