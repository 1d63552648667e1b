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


class UnsafeInput(SmartCityGraphError):
    """An input file refused before any parser reads it (:mod:`.graph.input_guard`): a
    construct that could cost without bound (XML entities, deep nesting) or reach out (a
    DTD, a remote JSON-LD context), a limit passed, bytes that are not UTF-8, or content
    that is not the format its suffix names. Exit code 2: the program was pointed at a file
    it will not read, whether it is the build's data or the server's."""

    exit_code = 2
    http_status = 422


class PublishError(SmartCityGraphError):
    """The release could not be written; the previous release is untouched."""

    exit_code = 2
    http_status = 500


# -- Query errors: what a SPARQL client did wrong (4xx) or what failed on our side (5xx) ----------


class QueryRefused(SmartCityGraphError):
    """A well-formed request this endpoint refuses on principle (HTTP 403)."""

    http_status = 403


class BadQuery(SmartCityGraphError):
    """A malformed query or request (HTTP 400)."""

    http_status = 400


class QueryTooLarge(SmartCityGraphError):
    """The query or the request body is longer than the configured maximum (HTTP 413)."""

    http_status = 413


class NotAcceptable(SmartCityGraphError):
    """No result format the client accepts (HTTP 406)."""

    http_status = 406


class UnsupportedMediaType(SmartCityGraphError):
    """A POST body in a media type or charset the protocol does not allow (HTTP 415)."""

    http_status = 415


class QueryTimeout(SmartCityGraphError):
    """The query ran past the time limit and was stopped (HTTP 503)."""

    http_status = 503


class EngineBusy(SmartCityGraphError):
    """Every query worker stayed busy for the whole wait (HTTP 503)."""

    http_status = 503


class EngineError(SmartCityGraphError):
    """The engine failed on a query it had accepted: a worker crashed, the store could not be
    read (HTTP 500). Never the client's fault, so never a 400."""

    http_status = 500


class EngineUnavailable(SmartCityGraphError):
    """The engine cannot answer at all right now: the store cannot be opened or no worker
    could be started (HTTP 503)."""

    http_status = 503


class RemoteEngineError(EngineError):
    """The remote SPARQL endpoint is unreachable or answered with an error (HTTP 502)."""

    http_status = 502


class TooManyQueries(SmartCityGraphError):
    """The server is already running as many SPARQL queries as it may (HTTP 503); load
    shedding, answered before any work on the query."""

    http_status = 503
    retry_after = 1


class TooManyQueriesFromClient(SmartCityGraphError):
    """This client address already has as many SPARQL queries running as it may (HTTP 429);
    answered before any work on the query."""

    http_status = 429
    retry_after = 1
