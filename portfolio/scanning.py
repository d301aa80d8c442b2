"""Virus scanning of uploaded files, behind a small interface.

``NoScanner`` is the default (nothing configured). ``ClamdScanner`` talks to a ClamAV daemon
over TCP or a unix socket with the INSTREAM command, streaming the file in chunks. Fail closed:
anything other than a clear "OK" or "FOUND" answer (and a FOUND that is only clamd saying it
stopped at one of its limits) is an ``error``, and the caller must hold the
file as "en attente d'analyse". Pure Python (no Django).
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol, runtime_checkable

CLEAN = "clean"
INFECTED = "infected"
ERROR = "error"
NOT_SCANNED = "not_scanned"
STATUSES = (CLEAN, INFECTED, ERROR, NOT_SCANNED)

DEFAULT_CHUNK_SIZE = 64 * 1024
DEFAULT_TIMEOUT = 30.0
_MAX_REPLY = 4096
# clamd's alerts for a file it stopped scanning at one of its limits (MaxFileSize, MaxScanSize,
# MaxRecursion, MaxFiles, ...), with ``AlertExceedsMax yes``: the file was not scanned.
LIMIT_ALERT_PREFIX = "Heuristics.Limits."


@dataclass(frozen=True)
class ScanResult:
    """The outcome of a scan; ``detail`` is the signature name or the error, for the logs."""

    status: str
    detail: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"Unknown scan status: {self.status!r}")

    @property
    def is_clean(self) -> bool:
        return self.status == CLEAN

    @property
    def is_infected(self) -> bool:
        return self.status == INFECTED


@runtime_checkable
class Scanner(Protocol):
    def scan(self, fileobj: BinaryIO) -> ScanResult: ...


class NoScanner:
    """The scanner used when none is configured: it reads nothing and says so."""

    def scan(self, fileobj: BinaryIO) -> ScanResult:
        return ScanResult(NOT_SCANNED, "no scanner configured")


class ClamdScanner:
    """Scan with a ClamAV daemon (``clamd``) through its INSTREAM command.

    clamd refuses streams longer than its ``StreamMaxLength`` (25 MB by default) with an
    ERROR answer, and by default answers "OK" for a file it skipped past ``MaxFileSize`` or
    ``MaxScanSize`` (fail open): clamd.conf must raise all three to at least the largest accepted
    upload and set ``AlertExceedsMax yes``, so that a skipped file is reported (as a
    ``Heuristics.Limits.Exceeded...`` alert, which :func:`parse_reply` turns into an error).
    """

    def __init__(
        self,
        host: str | None = None,
        port: int = 3310,
        *,
        socket_path: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ):
        if bool(host) == bool(socket_path):
            raise ValueError("ClamdScanner needs either a host (and port) or a socket_path.")
        if chunk_size <= 0:
            raise ValueError("chunk_size must be positive.")
        self.host = host
        self.port = int(port)
        self.socket_path = socket_path
        self.timeout = float(timeout)
        self.chunk_size = int(chunk_size)

    def __repr__(self) -> str:
        where = self.socket_path or f"{self.host}:{self.port}"
        return f"ClamdScanner({where})"

    def _connect(self) -> socket.socket:
        if self.socket_path:
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            conn.settimeout(self.timeout)
            try:
                conn.connect(self.socket_path)
            except BaseException:
                conn.close()
                raise
            return conn
        return socket.create_connection((self.host, self.port), timeout=self.timeout)

    def ping(self) -> bool:
        """Return whether clamd answers PONG."""
        try:
            with self._connect() as conn:
                conn.sendall(b"zPING\0")
                return _read_reply(conn) == "PONG"
        except OSError:
            return False

    def scan(self, fileobj: BinaryIO) -> ScanResult:
        """Stream the whole file (from its start) to clamd and return its verdict."""
        start = _rewind(fileobj)
        try:
            with self._connect() as conn:
                try:
                    conn.sendall(b"zINSTREAM\0")
                    while chunk := fileobj.read(self.chunk_size):
                        conn.sendall(struct.pack(">I", len(chunk)) + chunk)
                    conn.sendall(struct.pack(">I", 0))
                except (BrokenPipeError, ConnectionResetError) as error:
                    # clamd closes early past StreamMaxLength; its answer may still be readable.
                    reply = _try_read_reply(conn)
                    if reply:
                        return parse_reply(reply)
                    return ScanResult(ERROR, f"connection lost while sending: {error}")
                return parse_reply(_read_reply(conn))
        except TimeoutError:
            return ScanResult(ERROR, f"clamd timed out after {self.timeout:g} s")
        except OSError as error:
            return ScanResult(ERROR, f"clamd unreachable ({self!r}): {error}")
        finally:
            if start is not None:
                fileobj.seek(start)


def _rewind(fileobj: BinaryIO) -> int | None:
    try:
        position = fileobj.tell()
        fileobj.seek(0)
    except (AttributeError, OSError, ValueError):
        return None
    return position


def _read_reply(conn: socket.socket) -> str:
    data = bytearray()
    while b"\0" not in data and len(data) < _MAX_REPLY:
        chunk = conn.recv(1024)
        if not chunk:
            break
        data += chunk
    return data.split(b"\0", 1)[0].decode("utf-8", "replace").strip()


def _try_read_reply(conn: socket.socket) -> str:
    try:
        return _read_reply(conn)
    except OSError:
        return ""


def parse_reply(reply: str) -> ScanResult:
    """Return the result of a clamd INSTREAM answer; anything unexpected is an error.

    A limit alert (``Heuristics.Limits.Exceeded.MaxFileSize FOUND``) means clamd stopped
    before the end of the file: not scanned, so an error (held), neither infected nor clean.
    """
    if reply.endswith(" FOUND"):
        _, _, signature = reply[: -len(" FOUND")].rpartition(": ")
        if signature.startswith(LIMIT_ALERT_PREFIX):
            return ScanResult(ERROR, f"not scanned, over a clamd limit: {signature}")
        return ScanResult(INFECTED, signature or reply)
    if reply == "stream: OK":
        return ScanResult(CLEAN, "")
    if reply.endswith("ERROR"):
        return ScanResult(ERROR, reply)
    return ScanResult(ERROR, f"unexpected clamd answer: {reply!r}" if reply else "no answer")


def scanner_from_settings(config: Mapping[str, Any] | None) -> Scanner:
    """Return the scanner a settings mapping describes.

    ``None``, ``{}`` or ``{"backend": "none"}`` give :class:`NoScanner`. ``{"backend": "clamd",
    "host": "127.0.0.1", "port": 3310, "timeout": 30}`` or ``{"backend": "clamd",
    "socket_path": "/run/clamav/clamd.ctl"}`` give :class:`ClamdScanner`.
    """
    if not config:
        return NoScanner()
    options = dict(config)
    backend = str(options.pop("backend", "none") or "none").lower()
    if backend == "none":
        return NoScanner()
    if backend != "clamd":
        raise ValueError(f"Unknown virus scanner backend: {backend!r}")
    socket_path = options.pop("socket_path", None)
    socket_path = options.pop("socket", None) or socket_path
    host = options.pop("host", None)
    port = int(options.pop("port", 3310) or 3310)
    timeout = float(options.pop("timeout", DEFAULT_TIMEOUT) or DEFAULT_TIMEOUT)
    chunk_size = int(options.pop("chunk_size", DEFAULT_CHUNK_SIZE) or DEFAULT_CHUNK_SIZE)
    if options:
        raise ValueError(f"Unknown clamd option(s): {', '.join(sorted(options))}")
    if socket_path:
        return ClamdScanner(socket_path=socket_path, timeout=timeout, chunk_size=chunk_size)
    return ClamdScanner(host or "127.0.0.1", port, timeout=timeout, chunk_size=chunk_size)


def scanner_from_url(value: str | None) -> Scanner:
    """Return the scanner a URL setting names: "" (none), ``clamd://host:port``, ``clamd:///sock``.

    Raise ``ValueError`` for anything else, so a typo in the configuration fails loudly instead
    of silently disabling the scan.
    """
    from urllib.parse import urlsplit

    value = (value or "").strip()
    if not value or value.lower() == "none":
        return NoScanner()
    parts = urlsplit(value)
    if parts.scheme.lower() != "clamd":
        raise ValueError(f"Unknown virus scanner URL: {value!r}")
    if parts.hostname:
        return scanner_from_settings(
            {"backend": "clamd", "host": parts.hostname, "port": parts.port or 3310}
        )
    if parts.path:
        return scanner_from_settings({"backend": "clamd", "socket_path": parts.path})
    raise ValueError(f"Incomplete clamd URL: {value!r}")
