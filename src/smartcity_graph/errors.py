"""One exception tree. Each error knows its CLI exit code and HTTP status.

Errors are raised with context in the core and translated only at the
boundaries: :mod:`smartcity_graph.cli` maps ``exit_code``, the web layer maps
``http_status``.
"""

from __future__ import annotations

from dataclasses import dataclass


class SmartCityGraphError(Exception):
    """Base of every error this project raises on purpose."""

    exit_code = 2
    http_status = 500


class UsageError(SmartCityGraphError):
    """Bad command-line usage or configuration."""

    exit_code = 2
    http_status = 400


class IRIError(SmartCityGraphError, ValueError):
    """A string that should be (or become) one of our IRIs is not one."""

    exit_code = 2
    http_status = 404


@dataclass(frozen=True)
class Location:
    """Where a record lives: file, 1-based line, and a human name for the record."""

    file: str
    line: int
    record: str = ""

    def __str__(self) -> str:
        suffix = f" (record {self.record})" if self.record else ""
        return f"{self.file}:{self.line}{suffix}"


class InvalidDataError(SmartCityGraphError):
    """The curated data cannot become a release (exit code 1)."""

    exit_code = 1
    http_status = 422


class SourceDataError(InvalidDataError):
    """A data file is unreadable or a record breaks a rule; names file, line and record."""

    def __init__(self, location: Location, reason: str) -> None:
        self.location = location
        self.reason = reason
        super().__init__(f"{location}: {reason}")


class SourceDataErrors(InvalidDataError):
    """Several :class:`SourceDataError` found in one pass, reported together."""

    def __init__(self, errors: list[SourceDataError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


class ValidationFailed(InvalidDataError):
    """The built graph does not conform to the SHACL shapes; nothing was published."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


class PublishError(SmartCityGraphError):
    """The release could not be written; the previous release is untouched."""

    exit_code = 2
    http_status = 500
