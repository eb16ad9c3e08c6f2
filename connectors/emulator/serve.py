"""Run an emulator over real HTTP: in a background thread for tests, in the foreground for the CLI.

    with running(emulator) as base_url:          # uvicorn on 127.0.0.1, an ephemeral port
        httpx.get(f"{base_url}/crm/v8/users", ...)

`running` binds the socket itself (port 0 = a free port, known before the server starts), waits
until uvicorn is serving, and on exit stops it, joins the thread and closes the socket, so
nothing leaks into later tests. Requests still held by an injected timeout are cancelled after
`grace_s`.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import uvicorn

__all__ = ["base_url", "bind", "running", "serve_forever"]


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening TCP socket (port 0 picks a free one; read it with `getsockname()`)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # small responses go out as uvicorn writes them (headers, then body) without Nagle delays
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def base_url(sock: socket.socket) -> str:
    """`http://host:port` of a bound socket."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _config(app: Any, grace_s: float) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        # the emulator sends its own Date header, on its clock (the one it stamps records with)
        date_header=False,
        timeout_graceful_shutdown=max(1, round(grace_s)),
    )


@contextlib.contextmanager
def running(
    app: Any, *, host: str = "127.0.0.1", port: int = 0, grace_s: float = 1.0
) -> Iterator[str]:
    """Serve `app` with uvicorn in a background thread; yields the base URL (no trailing /)."""
    sock = bind(host, port)
    server = uvicorn.Server(_config(app, grace_s))
    thread = threading.Thread(
        target=server.run,
        kwargs={"sockets": [sock]},
        name=f"emulator-{base_url(sock)}",
        daemon=True,
    )
    try:
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the emulator did not start on {base_url(sock)}")
            time.sleep(0.005)
        yield base_url(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=grace_s + 10)
        sock.close()


class _Server(uvicorn.Server):
    """uvicorn's server, telling its caller once it serves (and has its signal handlers)."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None] | None) -> None:
        super().__init__(config)
        self._on_started = on_started

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # uvicorn re-raises the signal after its graceful shutdown, so the process would die
        # "killed by SIGTERM"; for an emulator a signal is the normal way to stop: exit 0.
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        stops = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in stops}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self._on_started is not None and not self.should_exit:
            self._on_started()


def serve_forever(
    app: Any, sock: socket.socket, on_started: Callable[[], None] | None = None
) -> None:
    """Serve on a bound socket (see `bind`) in the foreground until SIGINT/SIGTERM.

    uvicorn handles both signals: it stops accepting, finishes or cancels what is in flight and
    returns; the socket is closed here. `on_started` runs once requests are being served.
    """
    try:
        _Server(_config(app, 1.0), on_started).run(sockets=[sock])
    finally:
        sock.close()
