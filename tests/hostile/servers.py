"""Misbehaving servers on 127.0.0.1 for what werkzeug cannot do: drip, stall, reset, never end, bad TLS.

Each `RawServer` accepts connections in a thread and hands every connection to a *behaviour*
function (socket, stop event) in its own daemon thread. Behaviours stop when the client goes away
or the test ends (the stop event), so a test never leaves a thread spinning.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable

Behaviour = Callable[[socket.socket, threading.Event], None]

HTML_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nConnection: close\r\n"


def read_request(conn: socket.socket, limit: int = 65536) -> bytes:
    """Read one request head (up to the blank line); the client must have sent it before we misbehave."""
    data = b""
    conn.settimeout(5)
    with contextlib.suppress(OSError):
        while b"\r\n\r\n" not in data and len(data) < limit:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
            if data[:1] == b"\x16":  # a TLS ClientHello, not HTTP: answer in plain text at once
                break
    return data


def _send_slowly(conn: socket.socket, stop: threading.Event, data: bytes, every: float) -> None:
    for i in range(len(data)):
        if stop.wait(every if i else 0):
            return
        conn.sendall(data[i : i + 1])


def drip_body(conn: socket.socket, stop: threading.Event) -> None:
    """Valid headers, then an endless body at one byte a second: only a total deadline ends it."""
    read_request(conn)
    conn.sendall(HTML_HEAD + b"\r\n")
    _send_slowly(conn, stop, b"<html><body>" + b"x" * 100_000, 1.0)


def drip_headers(conn: socket.socket, stop: threading.Event) -> None:
    """The status line and headers themselves at one byte a second, never finishing the head."""
    read_request(conn)
    _send_slowly(conn, stop, HTML_HEAD + b"X-Slow: " + b"y" * 100_000, 1.0)


def never_answer(conn: socket.socket, stop: threading.Event) -> None:
    """Accept, read the request, and say nothing until the test ends."""
    read_request(conn)
    stop.wait(120)


def reset(conn: socket.socket, stop: threading.Event) -> None:
    """Read the request, then close with RST (SO_LINGER 0): the client sees 'connection reset by peer'."""
    read_request(conn)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def reset_mid_body(conn: socket.socket, stop: threading.Event) -> None:
    """Promise 100,000 bytes, send a few, then reset the connection."""
    read_request(conn)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<html><body>")
    time.sleep(0.05)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def endless_body(conn: socket.socket, stop: threading.Event) -> None:
    """No Content-Length, no chunking: HTML for ever, as fast as the client reads."""
    read_request(conn)
    conn.sendall(HTML_HEAD + b"\r\n<html><body>")
    chunk = b"<p>all work and no play</p>" * 2400
    with contextlib.suppress(OSError):
        while not stop.is_set():
            conn.sendall(chunk)


class RawServer:
    """A TCP (optionally TLS) server on 127.0.0.1 running one behaviour per connection."""

    def __init__(self, behaviour: Behaviour, tls: ssl.SSLContext | None = None) -> None:
        self.behaviour = behaviour
        self.tls = tls
        self.stop = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def url(self, path: str = "/", scheme: str | None = None) -> str:
        """The URL of this server (https when it speaks TLS, unless told otherwise)."""
        scheme = scheme or ("https" if self.tls else "http")
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            if self.tls is not None:
                conn.settimeout(5)
                conn = self.tls.wrap_socket(conn, server_side=True)
            self.behaviour(conn, self.stop)
        except (OSError, ssl.SSLError):
            pass  # the client hung up or refused our certificate: that is the point
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def close(self) -> None:
        """Stop accepting, end every behaviour, free the port."""
        self.stop.set()
        self._thread.join(2)
        self.sock.close()

    def __enter__(self) -> RawServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve_page(html: bytes, content_type: str = "text/html; charset=utf-8") -> Behaviour:
    """A well-behaved behaviour (for the TLS and proxy cases): one page per connection."""

    def behaviour(conn: socket.socket, stop: threading.Event) -> None:
        read_request(conn)
        head = f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(html)}\r\n"
        conn.sendall(head.encode() + b"Connection: close\r\n\r\n" + html)

    return behaviour


class RecordingProxy(RawServer):
    """An HTTP proxy stand-in: records each request line and answers with one page, never resolving hosts."""

    def __init__(self, html: bytes) -> None:
        self.request_lines: list[str] = []

        def behaviour(conn: socket.socket, stop: threading.Event) -> None:
            head = read_request(conn)
            self.request_lines.append(head.split(b"\r\n", 1)[0].decode("latin-1"))
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
                + str(len(html)).encode()
                + b"\r\nConnection: close\r\n\r\n"
                + html
            )

        super().__init__(behaviour)
