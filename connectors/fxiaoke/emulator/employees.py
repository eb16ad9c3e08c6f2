"""Fxiaoke employees (the owners): openUserIds from e-mail, and the address-book endpoints.

`/cgi/user/getByMobile` answers `empList`; `/cgi/user/get/batchByUpdTime` pages by number and
answers `employees` with `totalCount`/`pageCount` (as public clients read it). UNCONFIRMED: the
`status` values ("normal" / "stop") next to `isStop`.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any

from connectors.fxiaoke.emulator.envelope import Code, FxError

__all__ = ["FxEmployee", "batch_by_update_time", "mobile_for", "open_user_id"]


def open_user_id(email: str) -> str:
    """`FSUID_<32 HEX>` derived from the e-mail, so one world's emulators agree on people."""
    return "FSUID_" + hashlib.md5(email.lower().encode()).hexdigest().upper()  # noqa: S324


def mobile_for(email: str) -> str:
    digest = int(hashlib.sha256(f"mobile-{email.lower()}".encode()).hexdigest(), 16)
    return f"1{digest % 3 + 3}{digest % 10**9:09d}"


@dataclass(slots=True)
class FxEmployee:
    open_user_id: str
    name: str
    email: str
    mobile: str
    employee_id: str  # the tenant's internal id ("1000", "1001"…) shown in owner__l
    admin: bool = False  # CRM administrator: sees every record, and the high-seas pool
    stopped: bool = False
    modified: int = 0  # epoch ms

    def as_api(self) -> dict[str, Any]:
        return {
            "openUserId": self.open_user_id,
            "name": self.name,
            "nickName": self.name,
            "mobile": self.mobile,
            "email": self.email,
            "position": "管理员" if self.admin else "客户经理",
            "departmentIds": [1000 if self.admin else 1001],
            "mainDepartmentId": 1000 if self.admin else 1001,
            "isStop": self.stopped,
            "status": "stop" if self.stopped else "normal",
            "employeeNumber": self.employee_id,
            "updateTime": self.modified,
        }

    def ref(self) -> dict[str, Any]:
        return {"id": self.employee_id, "name": self.name, "openUserId": self.open_user_id}

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _int(body: dict[str, Any], key: str, default: int | None) -> int | None:
    value = body.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise FxError(Code.PARAM_INVALID, f"参数 {key} 不合法")
    try:
        return int(value)
    except ValueError:
        raise FxError(Code.PARAM_INVALID, f"参数 {key} 不合法") from None


def batch_by_update_time(employees: list[FxEmployee], body: dict[str, Any]) -> dict[str, Any]:
    size = _int(body, "pageSize", 20) or 20
    number = _int(body, "pageNumber", 1) or 1
    start, end = _int(body, "startTime", None), _int(body, "endTime", None)
    if not 1 <= size <= 1000 or number < 1:
        raise FxError(Code.PARAM_INVALID, "pageSize 取值 1-1000，pageNumber 从 1 开始")
    chosen = sorted(
        (
            e
            for e in employees
            if (start is None or e.modified >= start) and (end is None or e.modified <= end)
        ),
        key=lambda e: (e.modified, e.open_user_id),
    )
    page = chosen[(number - 1) * size : number * size]
    return {
        "pageNumber": number,
        "pageSize": size,
        "pageCount": (len(chosen) + size - 1) // size,
        "totalCount": len(chosen),
        "lastChangedTime": max((e.modified for e in chosen), default=0),
        "employees": [e.as_api() for e in page],
    }
