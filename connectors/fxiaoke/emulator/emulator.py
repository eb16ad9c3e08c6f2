"""The Fxiaoke (纷享销客) Open API emulator: corp tokens, the v2 object data API, employees.

Features: `/cgi/corpAccessToken/get/V2` (10006/20006/20015, same token until near expiry,
10 calls/min); every call HTTP 200 with `errorCode`; `corpAccessToken`/`corpId`/
`currentOpenUserId` checks (20016, 20017, 10010, 11008, 20012); visibility by acting user
(admin sees all, a rep their own rows, the high-seas pool only its admin); AccountObj,
ContactObj, NewOpportunityObj under `/cgi/crm/v2/data/*` (and `findOne` under the custom path);
query with filters, orders, projection, limit cap, offset rules, offset window, `total`;
create/update/invalid/recover/delete/changeOwner; `/cgi/crm/v2/object/describe`;
`/cgi/user/getByMobile`, `/cgi/user/get`, `/cgi/user/get/batchByUpdTime`; 100 calls / 20 s per
endpoint (14001), daily quota (30002), no quota (30003); faults as -1 / 50009 / 14001.

UNCONFIRMED choices are listed in `envelope`, `query`, `data` and `employees`; here: other HTTP
methods than POST and unknown paths are 10006; a stopped employee as acting user is 20012.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, ClassVar

from connectors.emulator.app import Emulator
from connectors.emulator.clock import EmulatorClock
from connectors.emulator.faults import Fault, FaultPlan
from connectors.emulator.http import ApiResponse, BadJsonError, Call, Endpoint
from connectors.emulator.limits import SlidingWindows
from connectors.emulator.people import ADMIN_EMAIL
from connectors.emulator.store import Row
from connectors.emulator.world import World
from connectors.fxiaoke.emulator.data import VERBS
from connectors.fxiaoke.emulator.describe import describe
from connectors.fxiaoke.emulator.employees import FxEmployee, batch_by_update_time, open_user_id
from connectors.fxiaoke.emulator.envelope import Code, Envelope, FxError
from connectors.fxiaoke.emulator.objects import OBJECTS
from connectors.fxiaoke.emulator.render import Renderer
from connectors.fxiaoke.emulator.seed import ObjectIds, seed_view
from connectors.fxiaoke.emulator.settings import FxiaokeCredentials, FxiaokeLimits
from connectors.fxiaoke.emulator.tokens import CorpTokens

__all__ = ["ADMIN_EMAIL", "FxiaokeEmulator"]

_FSUID = "FSUID_"


class FxiaokeEmulator(Emulator[FxiaokeLimits]):
    name: ClassVar[str] = "fxiaoke"

    def __init__(
        self,
        *,
        seed: int = 7,
        limits: FxiaokeLimits | None = None,
        faults: FaultPlan | None = None,
        credentials: FxiaokeCredentials | None = None,
        clock: EmulatorClock | None = None,
    ) -> None:
        self.seed = seed
        self.fx_credentials = credentials or FxiaokeCredentials.from_seed(seed)
        self.employees: dict[str, FxEmployee] = {}
        self.tenant_id = str(
            700_000 + int(hashlib.sha256(str(seed).encode()).hexdigest(), 16) % 99_999
        )
        limits = limits or FxiaokeLimits()
        super().__init__(list(OBJECTS), limits, faults=faults, clock=clock)
        self.envelope = Envelope(seed, f"fs{self.tenant_id}")
        self.tokens = CorpTokens(self.clock, limits, self.fx_credentials)
        self.windows = SlidingWindows(self.clock, limits.endpoint_calls, limits.endpoint_window_s)
        self.daily: dict[int, int] = {}
        self.ids = ObjectIds(seed + 1)
        self.renderer = Renderer(self.modules, self.employees, self.tenant_id)
        self.admin = self.add_employee("系统管理员", ADMIN_EMAIL, "13800000000", admin=True)

    @classmethod
    def from_world(cls, world: World, **options: Any) -> FxiaokeEmulator:
        """An emulator holding `world.view("fxiaoke")`, its ids derived from the world's seed."""
        emulator = cls(seed=world.spec.seed, **options)
        seed_view(emulator, world.view("fxiaoke"))
        return emulator

    # ---- people and visibility --------------------------------------------------------
    def add_employee(
        self, name: str, email: str, mobile: str, *, admin: bool = False
    ) -> FxEmployee:
        found = self.employees.get(open_user_id(email))
        if found is not None:
            return found
        employee = FxEmployee(
            open_user_id(email),
            name,
            email,
            mobile,
            str(1000 + len(self.employees)),
            admin,
            modified=self.clock.now_ms(),
        )
        self.employees[employee.open_user_id] = employee
        return employee

    def active_employee(self, open_id: Any) -> bool:
        found = self.employees.get(open_id) if isinstance(open_id, str) else None
        return found is not None and not found.stopped

    def visibility(self, user: str) -> Callable[[Row], bool] | None:
        """What `user` may see: None (everything) for an admin, else rows they own."""
        if self.employees[user].admin:
            return None
        return lambda row: user in (row.fields.get("owner") or [])

    def can_see(self, user: str, row: Row) -> bool:
        visible = self.visibility(user)
        return visible is None or visible(row)

    def duplicates(self, api_name: str, values: dict[str, Any]) -> list[Row]:
        fields = self.limits.duplicate_rules.get(api_name, [])
        wanted = {f: str(values[f]).strip().casefold() for f in fields if values.get(f)}
        return [
            row
            for row in self.modules[api_name].rows.values()
            if row.fields.get("life_status") != "invalid"
            and any(str(row.fields.get(f) or "").strip().casefold() == v for f, v in wanted.items())
        ][:10]

    # ---- rows ------------------------------------------------------------------------------
    def create_row(self, api_name: str, values: dict[str, Any], user: str) -> Row:
        now = self.clock.now_ms()
        fields: dict[str, Any] = dict.fromkeys(
            (
                n
                for n in OBJECTS[api_name].fields
                if n not in ("_id", "create_time", "last_modified_time", "invalid_time")
            ),
            None,
        )
        fields |= {
            "created_by": [user],
            "last_modified_by": [user],
            "life_status": "normal",
            "is_deleted": False,
            "lock_status": "0",
            "version": 1,
            "record_type": "default__c",
        }
        fields |= values
        if api_name == "NewOpportunityObj" and values.get("sales_status") is None:
            fields["sales_status"] = {"5": "2", "6": "3"}.get(values.get("sales_stage", ""), "1")
        row = Row(self.ids(now), now, now, fields)
        self.modules[api_name].put(row)
        return row

    def update_row(
        self, api_name: str, row: Row, values: dict[str, Any], user: str, at: int | None = None
    ) -> None:
        row.fields.update(values)
        row.fields["last_modified_by"] = [user]
        row.fields["version"] = int(row.fields.get("version") or 0) + 1
        self.modules[api_name].touch(row, at if at is not None else self.clock.now_ms())

    # ---- the API ---------------------------------------------------------------------------
    def endpoints(self) -> list[Endpoint]:
        def post(name: str, path: str, handler: Any, pages: bool = False) -> Endpoint:
            return Endpoint(name, path, {"POST": handler}, ("POST",) if pages else ())

        routes = [
            post("token", "/cgi/corpAccessToken/get/V2", self._token),
            post("user.getByMobile", "/cgi/user/getByMobile", self._by_mobile),
            post("user.get", "/cgi/user/get", self._user_get),
            post("user.batchByUpdTime", "/cgi/user/get/batchByUpdTime", self._batch_users, True),
            post("object.describe", "/cgi/crm/v2/object/describe", self._describe),
        ]
        for verb in VERBS:
            routes.append(
                post(
                    f"data.{verb}",
                    f"/cgi/crm/v2/data/{verb}",
                    self._crm(verb, False),
                    verb == "query",
                )
            )
            routes.append(
                post(
                    f"custom.{verb}",
                    f"/cgi/crm/custom/v2/data/{verb}",
                    self._crm(verb, True),
                    verb == "query",
                )
            )
        return routes

    def _guard(self, call: Call, run: Callable[[dict[str, Any]], dict[str, Any]]) -> ApiResponse:
        """Quotas, the per-endpoint window, the body, then the verb; every answer HTTP 200."""
        limits = self.limits
        try:
            if not limits.quota_purchased:
                raise FxError(Code.NO_QUOTA, "企业未购买开放平台接口调用资源")
            day = (self.clock.now_ms() // 1000 + 8 * 3600) // 86_400
            if limits.daily_quota is not None:
                if self.daily.get(day, 0) >= limits.daily_quota:
                    raise FxError(Code.DAILY_QUOTA, "当日接口调用次数已用完")
                self.daily = {day: self.daily.get(day, 0) + 1}
            if not self.windows.try_call(call.path):
                raise FxError(limits.rate_limit_code, "接口调用超过限制")
            try:
                body = call.json()
            except BadJsonError as exc:
                raise FxError(
                    Code.PARAM_ERROR, f"com.fasterxml.jackson.core.JsonParseException: {exc}"
                ) from None
            if not isinstance(body, dict):
                raise FxError(Code.PARAM_ERROR, "java.lang.ClassCastException")
            return self.envelope.ok(**run(body))
        except FxError as exc:
            return self.envelope.error(exc)

    def _token(self, call: Call) -> ApiResponse:
        return self._guard(call, self.tokens.issue)

    def _acting_user(self, body: dict[str, Any]) -> str:
        user = body.get("currentOpenUserId")
        if not user:
            raise FxError(Code.OPEN_USER_MISSING, "currentOpenUserId为必填项")
        if not isinstance(user, str) or not user.startswith(_FSUID) or len(user) != 38:
            raise FxError(Code.OPEN_USER_INVALID, "currentOpenUserId不合法")
        if not self.active_employee(user):
            raise FxError(Code.OPEN_USER_NOT_FOUND, "openUserId不存在")
        return user

    def _crm(self, verb: str, custom: bool) -> Callable[[Call], ApiResponse]:
        def run(body: dict[str, Any]) -> dict[str, Any]:
            self.tokens.check(body)
            return VERBS[verb](self, body, self._acting_user(body), custom)

        return lambda call: self._guard(call, run)

    def _describe(self, call: Call) -> ApiResponse:
        def run(body: dict[str, Any]) -> dict[str, Any]:
            self.tokens.check(body)
            self._acting_user(body)
            return describe(body)

        return self._guard(call, run)

    def _by_mobile(self, call: Call) -> ApiResponse:
        def run(body: dict[str, Any]) -> dict[str, Any]:
            self.tokens.check(body)
            mobile = str(body.get("mobile") or "")
            found = [e.as_api() for e in self.employees.values() if e.mobile == mobile]
            return {"empList": found}

        return self._guard(call, run)

    def _user_get(self, call: Call) -> ApiResponse:
        def run(body: dict[str, Any]) -> dict[str, Any]:
            self.tokens.check(body)
            found = self.employees.get(str(body.get("openUserId")))
            if found is None:
                raise FxError(Code.EMPLOYEE_NOT_FOUND, "员工不存在")
            return found.as_api()

        return self._guard(call, run)

    def _batch_users(self, call: Call) -> ApiResponse:
        def run(body: dict[str, Any]) -> dict[str, Any]:
            self.tokens.check(body)
            return batch_by_update_time(list(self.employees.values()), body)

        return self._guard(call, run)

    # ---- base hooks ------------------------------------------------------------------------
    def not_found(self, call: Call) -> ApiResponse:
        return self.envelope.fail(Code.PARAM_MISSING, "api not exist")

    def wrong_method(self, call: Call, endpoint: Endpoint) -> ApiResponse:
        return self.envelope.fail(Code.PARAM_MISSING, f"request method {call.method} not supported")

    def fault_response(self, fault: Fault, call: Call) -> ApiResponse:
        if fault in (Fault.RATE_LIMITED, Fault.CONCURRENCY):
            return self.envelope.fail(self.limits.rate_limit_code)
        return self.envelope.fail(Code.BUSY if self.dice.pick(["a", "b"]) == "a" else Code.SERVICE)

    def credentials(self) -> dict[str, Any]:
        return {
            **self.fx_credentials.as_json(),
            "currentOpenUserId": self.admin.open_user_id,
            "adminEmail": ADMIN_EMAIL,
            "token_path": "/cgi/corpAccessToken/get/V2",
        }

    def render(self, module: str, row: Row) -> dict[str, Any]:
        return self.renderer.record(module, row)

    def automation(
        self, module: str, ids: list[str], changes: dict[str, Any], same_time: bool
    ) -> list[str]:
        """Server-side edits. `{"$high_seas": true}` moves accounts to the pool (no owner)."""
        changes = dict(changes)
        if changes.pop("$high_seas", False):
            changes |= {"owner": [], "high_seas_id": "pool-default", "biz_status": "unallocated"}
        unknown = set(changes) - set(OBJECTS[module].fields)
        if unknown:
            raise ValueError(f"unknown fields for {module}: {', '.join(sorted(unknown))}")
        done, at = [], self.clock.now_ms()
        for step, row_id in enumerate(ids):
            row = self.modules[module].get(row_id)
            if row is None:
                raise ValueError(f"no record {row_id!r} in {module}")
            self.update_row(
                module, row, changes, self.admin.open_user_id, at if same_time else at + step
            )
            done.append(row_id)
        return done

    def export_extra(self) -> dict[str, Any]:
        return {"employees": [e.to_json() for e in self.employees.values()]}

    def import_extra(self, extra: dict[str, Any]) -> None:
        employees = [FxEmployee(**e) for e in extra.get("employees", [])]
        if employees:
            self.employees.clear()
            self.employees.update({e.open_user_id: e for e in employees})
            self.employees.setdefault(self.admin.open_user_id, self.admin)

    def reset_limits(self) -> None:
        self.windows.reset()
        self.tokens.calls.reset()
        self.daily.clear()

    def reset_tokens(self) -> None:
        self.tokens.forget()

    def limits_changed(self) -> None:
        limits = self.limits
        self.tokens.limits = limits
        self.tokens.calls.limit = limits.token_calls_per_min
        self.windows.limit, self.windows.window_s = limits.endpoint_calls, limits.endpoint_window_s
