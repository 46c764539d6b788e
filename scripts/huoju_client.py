"""The daemon's NDJSON protocol over its Unix socket, for the scripts (docs/protocol.md)."""
from __future__ import annotations

import json
import socket


class Connection:
    """One connection: requests out as JSON lines, replies read back in order."""

    def __init__(self, path, timeout=120):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buffer = b""

    def send(self, request):
        self.sock.sendall(json.dumps(request, ensure_ascii=False).encode() + b"\n")

    def read(self):
        while b"\n" not in self.buffer:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError("closed by the daemon")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def ask(self, request):
        try:
            self.send(request)
        except (BrokenPipeError, ConnectionResetError):
            pass  # a refused connection: the daemon wrote why before it closed
        return self.read()

    def close(self):
        self.sock.close()
