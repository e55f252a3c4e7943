"""A mail server small enough to read: it speaks the part of SMTP that Django's SMTP backend
uses (greeting, EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and keeps what it receives.

The standard library's ``smtpd`` is deprecated (and gone in Python 3.12), and aiosmtpd is
not a dependency; the tests need only to see a message arrive, or a recipient refused.
"""

from __future__ import annotations

import contextlib
import email
import email.message
import socketserver
import threading
from collections.abc import Iterator


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, port: int, *, refuse: str):
        super().__init__(("127.0.0.1", port), _Session)
        self.refuse = refuse
        self.received: list[email.message.Message] = []
        self.lock = threading.Lock()


class _Session(socketserver.StreamRequestHandler):
    server: _Server

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 tiny ESMTP")
        for raw in self.rfile:
            verb = raw.decode(errors="replace").strip()[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 tiny")
            elif verb == "RCPT" and self.server.refuse:
                self.reply(self.server.refuse)
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                self.receive()
                self.reply("250 OK: queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")

    def receive(self) -> None:
        lines = []
        for raw in self.rfile:
            if raw in (b".\r\n", b".\n"):
                break
            # A line that began with a dot was sent with a second one (RFC 5321, 4.5.2).
            lines.append(raw[1:] if raw.startswith(b"..") else raw)
        with self.server.lock:
            self.server.received.append(email.message_from_bytes(b"".join(lines)))


@contextlib.contextmanager
def mail_server(port: int, *, refuse: str = "") -> Iterator[_Server]:
    """A server on ``port`` until the block ends; ``refuse`` (say "550 5.1.1 No such user")
    is its answer to every recipient."""
    server = _Server(port, refuse=refuse)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
