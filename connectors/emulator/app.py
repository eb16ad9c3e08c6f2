"""The shared emulator base: an ASGI app with the vendor's routes, faults, log and admin API.

An emulator is an ASGI application (`await emulator(scope, receive, send)`): run it with uvicorn
(`connectors.emulator.serve`) or in-process with `httpx.ASGITransport(app=emulator)`. A vendor
subclass declares its `endpoints()` and how it words routing errors and injected faults; the base
dispatches, injects faults, counts in-flight calls, logs every call and serves `/__admin`.
Handlers run synchronously under `emulator.lock`, so in-process callers (tests, the demo) can
read or change the emulator's state from another thread by taking the same lock.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from email.utils import formatdate
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route, compile_path

from connectors.emulator.admin import ADMIN_PREFIX, admin_routes
from connectors.emulator.clock import EmulatorClock
from connectors.emulator.faults import Fault, FaultDice, FaultPlan
from connectors.emulator.http import ApiResponse, Call, Endpoint
from connectors.emulator.requestlog import RequestLog
from connectors.emulator.store import ModuleStore, Row

__all__ = ["Emulator"]

LimitsT = TypeVar("LimitsT", bound=BaseModel)
_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class Emulator(Generic[LimitsT]):
    """Base of the Zoho and Fxiaoke emulators. Subclasses fill in the hooks below."""

    name: ClassVar[str] = "emulator"

    def __init__(
        self,
        modules: Sequence[str],
        limits: LimitsT,
        *,
        faults: FaultPlan | None = None,
        clock: EmulatorClock | None = None,
    ) -> None:
        self.clock = clock or EmulatorClock()
        self.dice = FaultDice(faults or FaultPlan())
        self.log = RequestLog()
        self.lock = threading.RLock()
        self.limits = limits
        self.modules: dict[str, ModuleStore] = {m: ModuleStore(m) for m in modules}
        # record id -> the generated world's truth id, for records seeded from a world (ground
        # truth for checks: two records with one truth id in one CRM are a duplicate)
        self.truth_ids: dict[str, str] = {}
        self._in_flight = 0
        self._routes = [(compile_path(e.path), e) for e in self.endpoints()]
        self._app = Starlette(
            routes=[
                Mount(ADMIN_PREFIX, routes=admin_routes(self)),
                Route("/{path:path}", self._dispatch, methods=_METHODS),
            ]
        )

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self._app(scope, receive, send)
            return

        async def dated(message: Any) -> None:
            # like a CRM, the Date header comes from the clock that stamps modified times
            if message.get("type") == "http.response.start":
                stamp = formatdate(self.clock.now(), usegmt=True).encode()
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"date"]
                message = {**message, "headers": [*headers, (b"date", stamp)]}
            await send(message)

        await self._app(scope, receive, dated)

    # ---- hooks a vendor implements -------------------------------------------------------
    def endpoints(self) -> list[Endpoint]:
        raise NotImplementedError

    def not_found(self, call: Call) -> ApiResponse:
        raise NotImplementedError

    def wrong_method(self, call: Call, endpoint: Endpoint) -> ApiResponse:
        raise NotImplementedError

    def fault_response(self, fault: Fault, call: Call) -> ApiResponse:
        raise NotImplementedError

    def vendor_concurrency_cap(self) -> int | None:
        """The API's own cap on in-flight calls (Zoho has one), or None."""
        return None

    def credentials(self) -> dict[str, Any]:
        raise NotImplementedError

    def render(self, module: str, row: Row) -> dict[str, Any]:
        """A stored row as the API returns it to an administrator (all fields)."""
        raise NotImplementedError

    def automation(
        self, module: str, ids: list[str], changes: dict[str, Any], same_time: bool
    ) -> list[str]:
        """A server-side edit (workflow, high-seas recycle…) that bumps modified times."""
        raise NotImplementedError

    def export_extra(self) -> dict[str, Any]:
        return {}

    def import_extra(self, extra: dict[str, Any]) -> None:
        """Restore vendor state (users, deletions…) from `export_extra`'s form."""

    def reset_limits(self) -> None:
        """Forget spent budgets and call windows."""

    def reset_tokens(self) -> None:
        """Forget issued access tokens."""

    def limits_changed(self) -> None:
        """React to new `limits` (resize windows and budgets)."""

    # ---- faults and limits at run time ---------------------------------------------------
    @property
    def faults(self) -> FaultPlan:
        return self.dice.plan

    def set_faults(self, **changes: Any) -> FaultPlan:
        plan = FaultPlan.model_validate({**self.dice.plan.model_dump(), **changes})
        self.dice.replan(plan)
        return plan

    def set_limits(self, **changes: Any) -> LimitsT:
        with self.lock:
            self.limits = type(self.limits).model_validate({**self.limits.model_dump(), **changes})
            self.limits_changed()
            return self.limits

    # ---- state ---------------------------------------------------------------------------
    def export_state(self) -> dict[str, Any]:
        """Everything needed to rebuild this emulator's data (`import_state`, `--load FILE`)."""
        with self.lock:
            return {
                "emulator": self.name,
                "format": 1,
                "modules": {
                    name: [row.to_json() for row in store.rows.values()]
                    for name, store in self.modules.items()
                },
                **self.export_extra(),
            }

    def import_state(self, state: dict[str, Any]) -> None:
        if state.get("emulator") != self.name:
            raise ValueError(
                f"this state was exported by the {state.get('emulator')!r} emulator, "
                f"not {self.name!r}"
            )
        with self.lock:
            unknown = set(state.get("modules", {})) - set(self.modules)
            if unknown:
                raise ValueError(f"unknown modules in state: {', '.join(sorted(unknown))}")
            self.import_extra(state)
            for name, store in self.modules.items():
                store.load(Row.from_json(r) for r in state.get("modules", {}).get(name, []))

    # ---- dispatch ------------------------------------------------------------------------
    def _match(self, path: str) -> tuple[Endpoint, dict[str, str]] | None:
        for (regex, _, convertors), endpoint in self._routes:
            found = regex.match(path)
            if found:
                params = {k: convertors[k].convert(v) for k, v in found.groupdict().items()}
                return endpoint, params
        return None

    async def _dispatch(self, request: Request) -> Response:
        started = time.perf_counter()
        matched = self._match(request.url.path)
        endpoint = matched[0] if matched else None
        call = Call(
            method=request.method,
            path=request.url.path,
            params=matched[1] if matched else {},
            query=request.query_params,
            headers=request.headers,
            body=b"",
            base_url=str(request.base_url).rstrip("/"),
        )
        fault: Fault | None = None
        if endpoint is None:
            response = self.not_found(call)
        elif request.method not in endpoint.handlers:
            response = self.wrong_method(call, endpoint)
        else:
            response, fault = await self._run(endpoint, call, request)
        self.log.add(
            at_ms=self.clock.now_ms(),
            method=request.method,
            path=request.url.path,
            endpoint=endpoint.label(request.method) if endpoint else "unknown",
            status=response.status_code,
            code=response.code,
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
            fault=fault.value if fault else None,
        )
        return response

    async def _run(
        self, endpoint: Endpoint, call: Call, request: Request
    ) -> tuple[ApiResponse, Fault | None]:
        handler = endpoint.handlers[request.method]
        caps = [c for c in (self.faults.concurrency_cap, self.vendor_concurrency_cap()) if c]
        self._in_flight += 1
        try:
            if endpoint.faults:
                if caps and self._in_flight > min(caps):
                    return self.fault_response(Fault.CONCURRENCY, call), Fault.CONCURRENCY
                delay = self.dice.latency_s()
                if delay:
                    await asyncio.sleep(delay)
                fault = self.dice.call_fault()
                if fault is Fault.TIMEOUT:
                    await asyncio.sleep(self.faults.timeout_hold_s)
                if fault is not None:
                    return self.fault_response(fault, call), fault
            body = await request.body()
            full = Call(
                call.method, call.path, call.params, call.query, call.headers, body, call.base_url
            )
            with self.lock:
                response = handler(full)
            if request.method in endpoint.page_reads and endpoint.faults:
                slow = self.dice.slow_page_s()
                if slow:
                    await asyncio.sleep(slow)
            return response, None
        finally:
            self._in_flight -= 1
