import io
import os
import socket
import socketserver
import struct
import tempfile
import threading
import time

import pytest
import samples

from portfolio.scanning import (
    CLEAN,
    ERROR,
    INFECTED,
    NOT_SCANNED,
    ClamdScanner,
    NoScanner,
    Scanner,
    ScanResult,
    parse_reply,
    scanner_from_settings,
)


class FakeClamd:
    """A FAKE clamd speaking the INSTREAM and PING commands, for tests only.

    It is a fake because ClamAV's signature database cannot be downloaded here, so a real
    clamd could not start. It answers "FOUND" when the stream contains the EICAR test string,
    "OK" otherwise, and can misbehave on purpose (``mode``): "silent" never answers,
    "hangup" closes the connection at once, "garbage" answers nonsense. Streams longer than
    ``max_stream`` get clamd's size-limit ERROR, as with its ``StreamMaxLength``.
    """

    def __init__(self, *, unix_path: str | None = None, mode: str = "normal", max_stream=None):
        self.mode = mode
        self.max_stream = max_stream
        self.unix_path = unix_path
        self.chunk_sizes: list[int] = []
        self.commands: list[bytes] = []
        self._release = threading.Event()
        fake = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                fake._handle(self.request)

        if unix_path:
            server_class = socketserver.ThreadingUnixStreamServer
            address = unix_path
        else:
            server_class = socketserver.ThreadingTCPServer
            address = ("127.0.0.1", 0)
        server_class.daemon_threads = True
        server_class.block_on_close = False
        self.server = server_class(address, Handler)
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._release.set()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    @staticmethod
    def _recv_exactly(conn, size: int) -> bytes:
        data = bytearray()
        while len(data) < size:
            chunk = conn.recv(size - len(data))
            if not chunk:
                raise ConnectionError("client went away")
            data += chunk
        return bytes(data)

    def _handle(self, conn) -> None:
        command = bytearray()
        while not command.endswith((b"\0", b"\n")):
            byte = conn.recv(1)
            if not byte:
                return
            command += byte
        self.commands.append(bytes(command))
        if self.mode == "hangup":
            return
        if command == b"zPING\0":
            conn.sendall(b"PONG\0")
            return
        if command != b"zINSTREAM\0":
            conn.sendall(b"UNKNOWN COMMAND\0")
            return
        stream = bytearray()
        try:
            while True:
                (length,) = struct.unpack(">I", self._recv_exactly(conn, 4))
                if length == 0:
                    break
                self.chunk_sizes.append(length)
                stream += self._recv_exactly(conn, length)
                if self.max_stream is not None and len(stream) > self.max_stream:
                    conn.sendall(b"INSTREAM size limit exceeded. ERROR\0")
                    return
        except ConnectionError:
            return
        if self.mode == "silent":
            self._release.wait(timeout=10)
            return
        if self.mode == "garbage":
            conn.sendall(b"what is this?\0")
            return
        if samples.eicar() in stream:
            conn.sendall(b"stream: Eicar-Test-Signature FOUND\0")
        else:
            conn.sendall(b"stream: OK\0")


@pytest.fixture
def clamd():
    with FakeClamd() as server:
        yield server


def scanner_for(server: FakeClamd, **options) -> ClamdScanner:
    return ClamdScanner("127.0.0.1", server.port, **options)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_clean_file_is_streamed_in_chunks_and_found_clean(clamd):
    data = samples.pdf_minimal() * 400  # about 170 KB

    result = scanner_for(clamd, chunk_size=16 * 1024).scan(io.BytesIO(data))

    assert result == ScanResult(CLEAN, "")
    assert result.is_clean
    assert clamd.commands == [b"zINSTREAM\0"]
    assert sum(clamd.chunk_sizes) == len(data)
    assert len(clamd.chunk_sizes) > 1
    assert max(clamd.chunk_sizes) <= 16 * 1024


def test_eicar_is_found_infected_with_its_signature(clamd):
    result = scanner_for(clamd).scan(io.BytesIO(b"prefix " + samples.eicar() + b" suffix"))

    assert result.status == INFECTED
    assert result.is_infected
    assert result.detail == "Eicar-Test-Signature"


def test_eicar_split_across_chunks_is_still_found(clamd):
    data = bytes(1000) + samples.eicar()

    result = scanner_for(clamd, chunk_size=7).scan(io.BytesIO(data))

    assert result.status == INFECTED


def test_the_whole_file_is_scanned_and_its_position_restored(clamd):
    fileobj = io.BytesIO(samples.eicar() + bytes(100))
    fileobj.seek(50)

    result = scanner_for(clamd).scan(fileobj)

    assert result.status == INFECTED
    assert fileobj.tell() == 50


def test_unix_socket_is_supported():
    directory = tempfile.mkdtemp(prefix="clamd")  # short path: unix socket paths are limited
    path = os.path.join(directory, "clamd.sock")
    try:
        with FakeClamd(unix_path=path):
            scanner = ClamdScanner(socket_path=path, timeout=5)
            assert scanner.scan(io.BytesIO(b"hello")).status == CLEAN
            assert scanner.scan(io.BytesIO(samples.eicar())).status == INFECTED
            assert scanner.ping() is True
    finally:
        if os.path.exists(path):
            os.unlink(path)
        os.rmdir(directory)


def test_nothing_listening_is_an_error():
    result = ClamdScanner("127.0.0.1", free_port(), timeout=2).scan(io.BytesIO(b"data"))

    assert result.status == ERROR
    assert "unreachable" in result.detail


def test_missing_unix_socket_is_an_error(tmp_path):
    result = ClamdScanner(socket_path=str(tmp_path / "none.sock")).scan(io.BytesIO(b"data"))

    assert result.status == ERROR


def test_a_daemon_that_never_answers_times_out_as_an_error():
    with FakeClamd(mode="silent") as server:
        started = time.monotonic()

        result = scanner_for(server, timeout=0.3).scan(io.BytesIO(b"data"))

        assert result.status == ERROR
        assert "timed out" in result.detail
        assert time.monotonic() - started < 3


def test_a_daemon_that_hangs_up_is_an_error():
    with FakeClamd(mode="hangup") as server:
        result = scanner_for(server, timeout=2).scan(io.BytesIO(b"data" * 10))

    assert result.status == ERROR


def test_an_unexpected_answer_is_an_error_never_clean():
    with FakeClamd(mode="garbage") as server:
        result = scanner_for(server, timeout=2).scan(io.BytesIO(b"data"))

    assert result.status == ERROR
    assert "what is this?" in result.detail


def test_stream_over_clamd_size_limit_is_an_error():
    with FakeClamd(max_stream=10_000) as server:
        result = scanner_for(server, chunk_size=4096, timeout=2).scan(io.BytesIO(bytes(200_000)))

    assert result.status == ERROR
    assert "size limit" in result.detail or "connection lost" in result.detail


def test_ping(clamd):
    assert scanner_for(clamd).ping() is True
    assert ClamdScanner("127.0.0.1", free_port(), timeout=1).ping() is False


@pytest.mark.parametrize(
    ("reply", "status", "detail"),
    [
        ("stream: OK", CLEAN, ""),
        ("stream: Eicar-Test-Signature FOUND", INFECTED, "Eicar-Test-Signature"),
        ("stream: Win.Test.EICAR_HDB-1 FOUND", INFECTED, "Win.Test.EICAR_HDB-1"),
        ("INSTREAM size limit exceeded. ERROR", ERROR, "INSTREAM size limit exceeded. ERROR"),
        (
            "stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND",
            ERROR,
            "not scanned, over a clamd limit: Heuristics.Limits.Exceeded.MaxFileSize",
        ),
        (
            "stream: Heuristics.Limits.Exceeded.MaxScanSize FOUND",
            ERROR,
            "not scanned, over a clamd limit: Heuristics.Limits.Exceeded.MaxScanSize",
        ),
        (
            "stream: Heuristics.Limits.Exceeded.MaxRecursion FOUND",
            ERROR,
            "not scanned, over a clamd limit: Heuristics.Limits.Exceeded.MaxRecursion",
        ),
        ("stream: Can't allocate memory ERROR", ERROR, "stream: Can't allocate memory ERROR"),
        ("", ERROR, "no answer"),
        ("stream: OKAY", ERROR, "unexpected clamd answer: 'stream: OKAY'"),
    ],
)
def test_parse_reply(reply, status, detail):
    assert parse_reply(reply) == ScanResult(status, detail)


def test_no_scanner_says_not_scanned_without_reading():
    fileobj = io.BytesIO(samples.eicar())

    result = NoScanner().scan(fileobj)

    assert result.status == NOT_SCANNED
    assert fileobj.tell() == 0


def test_scanners_follow_the_protocol():
    assert isinstance(NoScanner(), Scanner)
    assert isinstance(ClamdScanner("127.0.0.1", 3310), Scanner)


def test_unknown_status_is_rejected():
    with pytest.raises(ValueError, match="Unknown scan status"):
        ScanResult("probably fine")


@pytest.mark.parametrize("config", [None, {}, {"backend": "none"}, {"backend": None}])
def test_no_configuration_gives_no_scanner(config):
    assert isinstance(scanner_from_settings(config), NoScanner)


def test_clamd_configuration_over_tcp():
    scanner = scanner_from_settings(
        {"backend": "clamd", "host": "clamav", "port": "3311", "timeout": 5}
    )

    assert isinstance(scanner, ClamdScanner)
    assert (scanner.host, scanner.port, scanner.timeout) == ("clamav", 3311, 5.0)
    assert scanner.socket_path is None


def test_clamd_configuration_over_a_unix_socket():
    scanner = scanner_from_settings({"backend": "CLAMD", "socket_path": "/run/clamav/clamd.ctl"})

    assert isinstance(scanner, ClamdScanner)
    assert scanner.socket_path == "/run/clamav/clamd.ctl"
    assert scanner.host is None


def test_configured_scanner_scans_through_the_fake(clamd):
    scanner = scanner_from_settings({"backend": "clamd", "host": "127.0.0.1", "port": clamd.port})

    assert scanner.scan(io.BytesIO(samples.eicar())).status == INFECTED


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"backend": "sophos"}, "Unknown virus scanner backend"),
        ({"backend": "clamd", "hots": "x"}, "Unknown clamd option"),
    ],
)
def test_bad_configuration_is_an_error(config, message):
    with pytest.raises(ValueError, match=message):
        scanner_from_settings(config)


def test_clamd_scanner_needs_exactly_one_address():
    with pytest.raises(ValueError):
        ClamdScanner()
    with pytest.raises(ValueError):
        ClamdScanner("127.0.0.1", socket_path="/tmp/clamd.sock")
