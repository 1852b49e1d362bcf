"""A TCP listener on 127.0.0.1 at a free port that records every connection made to it: the tests of
"file readers never reach the network" point files at it and check that it heard nothing.

It records at accept, before reading anything, so a client that connects and sends nothing counts too;
it answers nothing and closes, so a reader that does connect fails at once instead of waiting."""

from __future__ import annotations

import select
import socket
import threading
import time


class Listener:
    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self._connections: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, name="network-listener", daemon=True)
        self._thread.start()

    def url(self, path: str = "x") -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def _serve(self) -> None:
        while True:
            try:
                connection, _address = self._socket.accept()
            except OSError:  # closed
                return
            index = len(self._connections)
            self._connections.append(b"")
            with connection:
                connection.settimeout(0.5)
                try:
                    self._connections[index] = connection.recv(4096)
                except OSError:
                    pass

    def connections(self) -> list[bytes]:
        """Every connection so far (the first bytes each sent), once the pending ones are accepted."""
        for _ in range(40):  # a connection still waiting in the backlog makes the socket readable
            readable, _w, _x = select.select([self._socket], [], [], 0.05)
            if not readable:
                break
            time.sleep(0.05)
        return list(self._connections)

    def close(self) -> None:
        try:
            self._socket.shutdown(socket.SHUT_RDWR)  # wakes the accept() of the thread
        except OSError:
            pass
        self._socket.close()
