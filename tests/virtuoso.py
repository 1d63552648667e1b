"""Start a private Virtuoso (Debian's virtuoso-opensource) on loopback for the remote-store tests.

The instance lives in a temporary folder with its own ``virtuoso.ini``: SQL and HTTP ports
on 127.0.0.1 only, file access limited to that folder, no outbound HTTP proxy. The release
is loaded into one named graph with ``DB.DBA.TTLP_MT``; Virtuoso's ``/sparql`` queries all
graphs when a query names none, like the default graph of our own store.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import httpx

from conftest import free_port, stop_process

INI = """[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 0
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
AllowOSCalls = 0
DirsAllowed = {folder}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
MaxClientConnections = 10
ServerThreads = 10
EnabledDavVSP = 0
HTTPProxyEnabled = 0
Charset = UTF-8

[Client]
SQL_PREFETCH_ROWS = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT = 0
SQL_TXN_TIMEOUT = 0

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 60
"""


def _isql(sql_port: int, statement: str) -> subprocess.CompletedProcess[str]:
    isql = shutil.which("isql-vt") or "isql-vt"
    return subprocess.run(
        [isql, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={statement}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def start_virtuoso(
    folder: Path, data_file: Path, graph_iri: str, timeout: float = 120
) -> tuple[str, subprocess.Popen[bytes]]:
    """Start Virtuoso in *folder*, load *data_file* into *graph_iri*: (sparql URL, process)."""
    sql_port, http_port = free_port(), free_port()
    (folder / "virtuoso.ini").write_text(
        INI.format(folder=folder, sql_port=sql_port, http_port=http_port)
    )
    data = folder / data_file.name
    shutil.copyfile(data_file, data)
    binary = shutil.which("virtuoso-t") or "virtuoso-t"
    with (folder / "stdout.log").open("wb") as log:  # the child keeps its own descriptor
        process = subprocess.Popen(
            [binary, "+foreground", "+configfile", "virtuoso.ini"],
            cwd=folder,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + timeout
    try:
        while _isql(sql_port, "status();").returncode != 0:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Virtuoso did not start: " + (folder / "stdout.log").read_text())
            time.sleep(0.5)
        loaded = _isql(
            sql_port,
            f"DB.DBA.TTLP_MT(file_to_string_output('{data}'), '', '{graph_iri}', 0); checkpoint;",
        )
        if loaded.returncode != 0 or "Error" in loaded.stdout:
            raise RuntimeError(f"Virtuoso could not load {data}: {loaded.stdout}{loaded.stderr}")
        url = f"http://127.0.0.1:{http_port}/sparql"
        while True:
            try:
                if httpx.get(url, params={"query": "ASK {}"}, timeout=5).status_code == 200:
                    return url, process
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("Virtuoso's /sparql did not answer")
            time.sleep(0.5)
    except BaseException:
        stop_virtuoso(process)
        raise


def stop_virtuoso(process: subprocess.Popen[bytes]) -> None:
    stop_process(process, 60)
