"""At most as many requests at a time as the database pool has connections for them.

A request holds a pooled connection from its first query until its session ends, and between
those it may wait for a thread (FastAPI runs synchronous dependencies, routes and response
validation on the request threads, each a separate wait). With more requests in flight than
connections, requests holding connections wait for threads while the threads wait for
connections: the pool runs dry and requests fail after the pool's timeout. :class:`DatabaseSlots`
lets at most ``request_threads`` requests past it at a time; the others wait before their first
query, holding nothing, first come first served. A request gives its slot back when its answer
starts (its session has ended by then: :data:`api.deps.SessionDep` ends with the route).
Anonymous ``/health`` needs no slot: liveness never waits behind the crowd.
"""

from __future__ import annotations

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _needs_database(scope: Scope) -> bool:
    if scope["path"] != "/health":
        return True
    return any(name in (b"authorization", b"cookie") for name, _value in scope.get("headers", ()))


class DatabaseSlots:
    """ASGI middleware: at most ``settings.request_threads`` requests at a time use the database."""

    def __init__(self, app: ASGIApp):
        self.app = app
        self._slots: anyio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _needs_database(scope):
            await self.app(scope, receive, send)
            return
        if self._slots is None:
            self._slots = anyio.Semaphore(scope["app"].state.settings.request_threads)
        slots = self._slots
        await slots.acquire()
        held = True

        async def answer(message: Message) -> None:
            nonlocal held
            if held and message["type"] == "http.response.start":
                held = False
                slots.release()
            await send(message)

        try:
            await self.app(scope, receive, answer)
        finally:
            if held:
                slots.release()
