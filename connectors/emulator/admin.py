"""The admin API under `/__admin` (a prefix no real CRM uses): read and steer an emulator.

- `GET /__admin/`: the emulator's name, credentials, faults, limits and module sizes
- `GET /__admin/credentials`: the credentials a client should use
- `GET|POST /__admin/faults`: read / change the fault plan (POST a partial `FaultPlan`)
- `GET|POST /__admin/limits`: read / change the API's own limits (POST a partial object)
- `GET /__admin/requests?since=SEQ&limit=N`: logged calls after `since`, plus the counts
- `GET /__admin/counts`: calls since the last reset: total, per endpoint, per
  (endpoint, status, code)
- `POST /__admin/reset`: `{"requests": true, "limits": true, "tokens": false}` (the defaults)
- `GET|POST /__admin/clock`: read / advance the emulated time: `{"advance_s": 3600}`
- `GET /__admin/records/{module}?ids=a,b&limit=N`: records as the API renders them to an admin
- `GET /__admin/records/{module}/{id}`: one record (404 if absent)
- `POST /__admin/automation`: a server-side edit that bumps modified times:
  `{"module": "...", "ids": [...], "changes": {...}, "same_time": true}`
- `GET|POST /__admin/state`: export / import the whole data set (the `--load FILE` format)

Errors are HTTP 4xx with `{"error": "..."}`; a bad payload names the field and the reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

if TYPE_CHECKING:
    from connectors.emulator.app import Emulator

__all__ = ["ADMIN_PREFIX", "admin_routes"]

ADMIN_PREFIX = "/__admin"


def _error(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status)


def _validation(exc: ValidationError) -> JSONResponse:
    reasons = [f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors()]
    return _error("; ".join(reasons), 422)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = await request.json()
    except ValueError as exc:
        raise _PayloadError(f"the body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise _PayloadError("the body must be a JSON object")
    return data


class _PayloadError(ValueError):
    pass


def admin_routes(emulator: Emulator[Any]) -> list[Route]:
    async def index(request: Request) -> Response:
        with emulator.lock:
            sizes = {name: len(store) for name, store in emulator.modules.items()}
        return JSONResponse(
            {
                "emulator": emulator.name,
                "credentials": emulator.credentials(),
                "faults": emulator.faults.model_dump(),
                "limits": emulator.limits.model_dump(mode="json"),
                "modules": sizes,
                "clock_offset_s": emulator.clock.offset_s,
            }
        )

    async def credentials(request: Request) -> Response:
        return JSONResponse(emulator.credentials())

    async def faults(request: Request) -> Response:
        if request.method == "POST":
            try:
                emulator.set_faults(**await _body(request))
            except _PayloadError as exc:
                return _error(str(exc))
            except ValidationError as exc:
                return _validation(exc)
        return JSONResponse(emulator.faults.model_dump())

    async def limits(request: Request) -> Response:
        if request.method == "POST":
            try:
                emulator.set_limits(**await _body(request))
            except _PayloadError as exc:
                return _error(str(exc))
            except ValidationError as exc:
                return _validation(exc)
        return JSONResponse(emulator.limits.model_dump(mode="json"))

    async def requests(request: Request) -> Response:
        try:
            since = int(request.query_params.get("since", "0"))
            limit = int(request.query_params.get("limit", "1000"))
        except ValueError:
            return _error("since and limit are integers")
        return JSONResponse(emulator.log.as_json(since, limit))

    async def counts(request: Request) -> Response:
        return JSONResponse(emulator.log.counts())

    async def reset(request: Request) -> Response:
        try:
            body = await _body(request)
        except _PayloadError as exc:
            return _error(str(exc))
        done = []
        with emulator.lock:
            if body.get("requests", True):
                emulator.log.reset()
                done.append("requests")
            if body.get("limits", True):
                emulator.reset_limits()
                done.append("limits")
            if body.get("tokens", False):
                emulator.reset_tokens()
                done.append("tokens")
        return JSONResponse({"reset": done})

    async def clock(request: Request) -> Response:
        if request.method == "POST":
            try:
                body = await _body(request)
                emulator.clock.advance(float(body.get("advance_s", 0)))
            except (_PayloadError, TypeError, ValueError) as exc:
                return _error(str(exc))
        return JSONResponse(
            {"now_ms": emulator.clock.now_ms(), "offset_s": emulator.clock.offset_s}
        )

    async def records(request: Request) -> Response:
        module = request.path_params["module"]
        store = emulator.modules.get(module)
        if store is None:
            return _error(f"unknown module {module!r} (known: {', '.join(emulator.modules)})", 404)
        ids_param = request.query_params.get("ids")
        try:
            limit = int(request.query_params.get("limit", "1000"))
        except ValueError:
            return _error("limit is an integer")
        with emulator.lock:
            if ids_param:
                rows = [r for i in ids_param.split(",") if (r := store.get(i)) is not None]
            else:
                rows = list(store.rows.values())[:limit]
            data = [emulator.render(module, r) for r in rows]
            total = len(store)
        return JSONResponse({"data": data, "count": len(data), "total": total})

    async def record(request: Request) -> Response:
        module, row_id = request.path_params["module"], request.path_params["id"]
        store = emulator.modules.get(module)
        with emulator.lock:
            row = store.get(row_id) if store is not None else None
            if row is None:
                return _error(f"no record {row_id!r} in {module!r}", 404)
            return JSONResponse(emulator.render(module, row))

    async def automation(request: Request) -> Response:
        try:
            body = await _body(request)
            module, ids = body["module"], body.get("ids")
            changes = body.get("changes") or {}
            if not isinstance(ids, list) or not isinstance(changes, dict):
                raise _PayloadError("ids is a list of record ids, changes an object")
            with emulator.lock:
                if module not in emulator.modules:
                    raise _PayloadError(f"unknown module {module!r}")
                changed = emulator.automation(
                    module, [str(i) for i in ids], changes, bool(body.get("same_time", True))
                )
        except KeyError as exc:
            return _error(f"missing {exc.args[0]!r}")
        except (_PayloadError, ValueError) as exc:
            return _error(str(exc))
        return JSONResponse({"modified": changed})

    async def state(request: Request) -> Response:
        if request.method == "POST":
            try:
                emulator.import_state(await _body(request))
            except (_PayloadError, ValueError, KeyError, TypeError) as exc:
                return _error(f"cannot load this state: {exc}")
        return JSONResponse(emulator.export_state())

    return [
        Route("/", index),
        Route("/credentials", credentials),
        Route("/faults", faults, methods=["GET", "POST"]),
        Route("/limits", limits, methods=["GET", "POST"]),
        Route("/requests", requests),
        Route("/counts", counts),
        Route("/reset", reset, methods=["POST"]),
        Route("/clock", clock, methods=["GET", "POST"]),
        Route("/records/{module}", records),
        Route("/records/{module}/{id}", record),
        Route("/automation", automation, methods=["POST"]),
        Route("/state", state, methods=["GET", "POST"]),
    ]
