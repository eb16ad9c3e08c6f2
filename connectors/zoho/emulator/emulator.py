"""The Zoho CRM v8 emulator: accounts server + API domain in one ASGI app.

Features: OAuth refresh/authorization-code grants with Zoho's HTTP-200 error quirks and refresh
throttle; `Zoho-oauthtoken` auth (401 INVALID_TOKEN / AUTHENTICATION_FAILURE /
OAUTH_SCOPE_MISMATCH); Accounts, Contacts, Deals: list (fields required, per_page ≤ 200, the
2000-record wall, page_token), get, count, insert/update/upsert/delete ≤ 100 with per-record
results, unique fields, `/deleted`; users; field metadata (`/settings/fields`); rolling
credits and a concurrency cap (429 TOO_MANY_REQUESTS, no Retry-After, X-API-CREDITS-REMAINING
once half is used); routing errors.

UNCONFIRMED choices: an `Authorization` header with another scheme (e.g. `Bearer`) is 401
AUTHENTICATION_FAILURE; a failed call still costs its credit; deletes cost 1 credit whatever
their size; when `limits.api_domain` is set, API calls on another host get 400 INVALID_HOST and
the token endpoint is only served off that host; client credentials are read from the form body
or query string, not from a Basic auth header; Search, COQL, Bulk and notifications are not
emulated. See `listing` and `writes` for theirs.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar
from urllib.parse import urlsplit

from connectors.emulator.app import Emulator
from connectors.emulator.clock import EmulatorClock
from connectors.emulator.faults import Fault, FaultPlan
from connectors.emulator.http import ApiResponse, Call, Endpoint, Handler
from connectors.emulator.limits import RollingBudget
from connectors.emulator.people import ADMIN_EMAIL
from connectors.emulator.store import Row
from connectors.emulator.world import World
from connectors.zoho.emulator.context import Ctx
from connectors.zoho.emulator.deleted import (
    DeletedEntry,
    count_records,
    list_deleted,
    list_users,
)
from connectors.zoho.emulator.envelope import ZohoError, error
from connectors.zoho.emulator.fields import list_fields
from connectors.zoho.emulator.listing import PageTokens, get_record, list_records
from connectors.zoho.emulator.render import Renderer
from connectors.zoho.emulator.schema import MODULES, ModuleSpec
from connectors.zoho.emulator.seed import IdSequence, org_prefix, seed_view
from connectors.zoho.emulator.settings import ZohoCredentials, ZohoLimits
from connectors.zoho.emulator.tokens import AccessToken, TokenIssuer
from connectors.zoho.emulator.uniques import UniqueIndex
from connectors.zoho.emulator.users import ZohoUser, user_id_for
from connectors.zoho.emulator.validate import check_record
from connectors.zoho.emulator.writes import (
    batch_size,
    delete_records,
    insert_records,
    update_records,
    upsert_records,
)

__all__ = ["ADMIN_EMAIL", "ZohoEmulator"]

V = "/crm/v8"


class ZohoEmulator(Emulator[ZohoLimits]):
    name: ClassVar[str] = "zoho"

    def __init__(
        self,
        *,
        seed: int = 7,
        limits: ZohoLimits | None = None,
        faults: FaultPlan | None = None,
        credentials: ZohoCredentials | None = None,
        clock: EmulatorClock | None = None,
    ) -> None:
        self.seed = seed
        self.org = org_prefix(seed)
        self.zoho_credentials = credentials or ZohoCredentials.from_seed(seed)
        self.users: dict[str, ZohoUser] = {}
        self.deleted: dict[str, list[DeletedEntry]] = {m: [] for m in MODULES}
        self.unique = UniqueIndex()
        self.page_tokens = PageTokens()
        self.ids = IdSequence(self.org, seed)
        limits = limits or ZohoLimits()
        super().__init__(list(MODULES), limits, faults=faults, clock=clock)
        admin = ZohoUser(
            user_id_for(ADMIN_EMAIL, self.org), ADMIN_EMAIL, "CRM", "Admin", "active", True
        )
        self.users[admin.id] = admin
        self.api_user_id = admin.id
        self.tokens = TokenIssuer(self.clock, limits, self.zoho_credentials, admin.id)
        self.credits = RollingBudget(self.clock, limits.credits, limits.credits_window_s)
        self.renderer = Renderer(self.modules, self.users, limits.time_zone)
        for module in MODULES:
            self.unique.rebuild(module, [])

    @classmethod
    def from_world(cls, world: World, **options: Any) -> ZohoEmulator:
        """An emulator holding `world.view("zoho")`, its ids derived from the world's seed."""
        emulator = cls(seed=world.spec.seed, **options)
        seed_view(emulator, world.view("zoho"))
        return emulator

    # ---- rows: every change goes through these (indexes, uniques, times) ----------------
    def now_ms(self) -> int:
        return self.clock.now_ms() // 1000 * 1000  # Zoho's times have whole seconds

    def load_rows(self, module: str, rows: list[Row]) -> None:
        with self.lock:
            self.modules[module].load(rows)
            self.unique.rebuild(module, rows)
            self.ids.continue_after([r.id for r in rows])

    def create_row(self, module: str, values: dict[str, Any], user_id: str) -> Row:
        now = self.now_ms()
        fields = {**values, "Created_By": user_id, "Modified_By": user_id}
        fields.setdefault("Owner", user_id)
        if module == "Deals":
            fields.setdefault("Pipeline", "Standard (Standard)")
        row = Row(self.ids(), now, now, fields)
        self._derive(module, row)
        self.modules[module].put(row)
        self.unique.add(module, row)
        return row

    def update_row(
        self, module: str, row: Row, values: dict[str, Any], user_id: str, at: int | None = None
    ) -> None:
        self.unique.discard(module, row)
        row.fields.update(values)
        row.fields["Modified_By"] = user_id
        self._derive(module, row)
        self.unique.add(module, row)
        self.modules[module].touch(row, at if at is not None else self.now_ms())

    def delete_row(self, module: str, row_id: str, user_id: str, *, permanent: bool) -> None:
        row = self.modules[module].remove(row_id)
        self.unique.discard(module, row)
        name = row.fields.get(MODULES[module].name_field)
        entry = DeletedEntry(
            row_id, name, "recycle", self.now_ms(), user_id, row.fields.get("Created_By")
        )
        if permanent:
            entry = DeletedEntry(row_id, None, "permanent", self.now_ms(), None, None)
        self.deleted[module].append(entry)

    @staticmethod
    def _derive(module: str, row: Row) -> None:
        if module == "Contacts":
            parts = (row.fields.get("First_Name"), row.fields.get("Last_Name"))
            row.fields["Full_Name"] = " ".join(p for p in parts if p)

    # ---- the API --------------------------------------------------------------------------
    def endpoints(self) -> list[Endpoint]:
        def api(handler: Any, op: str, module: bool = True, cost: Any = None) -> Handler:
            return lambda call: self._api(call, handler, op, module, cost)

        return [
            Endpoint("oauth.token", "/oauth/v2/token", {"POST": self._token}),
            Endpoint("oauth.revoke", "/oauth/v2/token/revoke", {"POST": self._revoke}),
            Endpoint("users", f"{V}/users", {"GET": api(list_users, "READ", False)}, ("GET",)),
            Endpoint(
                "settings.fields",
                f"{V}/settings/fields",
                {"GET": api(list_fields, "FIELDS", False)},
            ),
            Endpoint("users.one", f"{V}/users/{{id}}", {"GET": api(list_users, "READ", False)}),
            Endpoint(
                "records.deleted",
                f"{V}/{{module}}/deleted",
                {"GET": api(list_deleted, "READ")},
                ("GET",),
            ),
            Endpoint(
                "records.upsert",
                f"{V}/{{module}}/upsert",
                {"POST": api(upsert_records, "UPSERT", cost=batch_size)},
            ),
            Endpoint(
                "records.count",
                f"{V}/{{module}}/actions/count",
                {"GET": api(count_records, "READ")},
            ),
            Endpoint(
                "records.one",
                f"{V}/{{module}}/{{id}}",
                {
                    "GET": api(get_record, "READ"),
                    "PUT": api(update_records, "UPDATE"),
                    "DELETE": api(delete_records, "DELETE"),
                },
            ),
            Endpoint(
                "records",
                f"{V}/{{module}}",
                {
                    "GET": api(list_records, "READ"),
                    "POST": api(insert_records, "CREATE", cost=batch_size),
                    "PUT": api(update_records, "UPDATE", cost=batch_size),
                    "DELETE": api(delete_records, "DELETE"),
                },
                ("GET",),
            ),
        ]

    def _api_host(self) -> str | None:
        domain = self.limits.api_domain
        return urlsplit(domain).netloc if domain else None

    def _token(self, call: Call) -> ApiResponse:
        api_host = self._api_host()
        if api_host is not None and urlsplit(call.base_url).netloc == api_host:
            return self.not_found(call)
        return self.tokens.token_endpoint(call, self.limits.api_domain or call.base_url)

    def _revoke(self, call: Call) -> ApiResponse:
        token = call.query.get("token", "")
        if self.tokens.revoke(token):
            return ApiResponse({"status": "success"}, code="ok")
        return ApiResponse({"error": "invalid_code"}, code="invalid_code")

    def _authenticate(self, call: Call) -> AccessToken:
        header = call.headers.get("authorization")
        scheme, _, value = (header or "").partition(" ")
        if not header or scheme != "Zoho-oauthtoken" or not value.strip():
            raise ZohoError(401, "AUTHENTICATION_FAILURE", "Authentication failed")
        token = self.tokens.lookup(value.strip())
        if token is None:
            raise ZohoError(401, "INVALID_TOKEN", "invalid oauth token")
        return token

    @staticmethod
    def _allowed(token: AccessToken, spec: ModuleSpec | None, op: str) -> bool:
        scopes = {s.lower() for s in token.scopes}
        if op == "FIELDS":
            wanted = {"zohocrm.settings.all", "zohocrm.settings.fields.all"}
            return bool(scopes & (wanted | {"zohocrm.settings.fields.read"}))
        if spec is None:
            return bool(scopes & {"zohocrm.users.all", "zohocrm.users.read"})
        base = f"zohocrm.modules.{spec.scope_name}"

        def grants(one: str) -> bool:
            names = {"zohocrm.modules.all", f"{base}.all", f"{base}.{one.lower()}"}
            if one != "READ":
                names.add(f"{base}.write")
            return bool(scopes & names)

        return all(grants(o) for o in (("CREATE", "UPDATE") if op == "UPSERT" else (op,)))

    def _api(self, call: Call, handler: Any, op: str, with_module: bool, cost: Any) -> ApiResponse:
        try:
            api_host = self._api_host()
            if api_host is not None and urlsplit(call.base_url).netloc != api_host:
                raise ZohoError(400, "INVALID_HOST", "the host is not a valid API domain")
            token = self._authenticate(call)
            spec = None
            if with_module:
                spec = MODULES.get(call.params["module"])
                if spec is None:
                    message = "the module name given seems to be invalid"
                    raise ZohoError(400, "INVALID_MODULE", message, {"resource_path_index": 0})
            if not self._allowed(token, spec, op):
                raise ZohoError(401, "OAUTH_SCOPE_MISMATCH", "Unauthorized")
            credits = 1 if cost is None else math.ceil(cost(call) / self.limits.records_per_credit)
            if not self.credits.try_spend(credits):
                raise ZohoError(429, "TOO_MANY_REQUESTS", "API credits exhausted, try later")
            response: ApiResponse = handler(call, Ctx(self, token, spec))
        except ZohoError as exc:
            response = exc.response()
        used, budget = self.credits.used(), self.limits.credits
        if used * 2 >= budget:
            response.headers["X-API-CREDITS-REMAINING"] = str(max(0, budget - used))
        return response

    # ---- base hooks --------------------------------------------------------------------------
    def not_found(self, call: Call) -> ApiResponse:
        message = "Please check if the URL trying to access is a correct one"
        return error(404, "INVALID_URL_PATTERN", message)

    def wrong_method(self, call: Call, endpoint: Endpoint) -> ApiResponse:
        message = "The http request method type is not a valid one"
        return error(400, "INVALID_REQUEST_METHOD", message)

    def fault_response(self, fault: Fault, call: Call) -> ApiResponse:
        if fault in (Fault.RATE_LIMITED, Fault.CONCURRENCY):
            return error(429, "TOO_MANY_REQUESTS", "too many requests, try again later")
        return error(500, "INTERNAL_ERROR", "Internal Server Error")

    def vendor_concurrency_cap(self) -> int | None:
        return self.limits.concurrency

    def credentials(self) -> dict[str, Any]:
        return {
            **self.zoho_credentials.as_json(),
            "token_path": "/oauth/v2/token",
            "api_domain": self.limits.api_domain,
            "user_email": ADMIN_EMAIL,
            "user_id": self.api_user_id,
        }

    def render(self, module: str, row: Row) -> dict[str, Any]:
        return self.renderer.record(module, row)

    def automation(
        self, module: str, ids: list[str], changes: dict[str, Any], same_time: bool
    ) -> list[str]:
        changes = dict(changes)  # the caller's payload stays as it was
        deleting = changes.pop("$delete", None)
        if deleting not in (None, "recycle", "permanent"):
            raise ValueError("$delete is recycle or permanent")
        values, problem = check_record(
            MODULES[module], changes, 0, creating=False, exists=lambda m, i: True
        )
        if problem is not None:
            raise ValueError(f"cannot apply {changes}: {problem['code']} {problem['details']}")
        done, at = [], self.now_ms()
        for step, row_id in enumerate(ids):
            row = self.modules[module].get(row_id)
            if row is None:
                raise ValueError(f"no record {row_id!r} in {module}")
            if deleting:
                self.delete_row(module, row_id, self.api_user_id, permanent=deleting == "permanent")
            else:
                moment = at if same_time else at + 1000 * step
                self.update_row(module, row, values, self.api_user_id, at=moment)
            done.append(row_id)
        return done

    def export_extra(self) -> dict[str, Any]:
        return {
            "users": [u.to_json() for u in self.users.values()],
            "deleted": {m: [e.to_json() for e in entries] for m, entries in self.deleted.items()},
        }

    def import_extra(self, extra: dict[str, Any]) -> None:
        users = [ZohoUser(**u) for u in extra.get("users", [])]
        if users:
            self.users.clear()
            self.users.update({u.id: u for u in users})
            self.users.setdefault(
                self.api_user_id,
                ZohoUser(self.api_user_id, ADMIN_EMAIL, "CRM", "Admin", "active", True),
            )
        for module in MODULES:
            self.deleted[module] = [
                DeletedEntry(**e) for e in extra.get("deleted", {}).get(module, [])
            ]

    def import_state(self, state: dict[str, Any]) -> None:
        super().import_state(state)
        with self.lock:
            for module, store in self.modules.items():
                self.unique.rebuild(module, store.rows.values())
                self.ids.continue_after(list(store.rows))

    def reset_limits(self) -> None:
        self.credits.reset()
        for grant in self.tokens.grants.values():
            grant.issued.clear()

    def reset_tokens(self) -> None:
        self.tokens.forget_access_tokens()

    def limits_changed(self) -> None:
        limits = self.limits
        self.tokens.limits = limits
        self.credits.budget, self.credits.window_s = limits.credits, limits.credits_window_s
        self.renderer.zone = limits.time_zone
