from __future__ import annotations

import httpx
import pytest

from connectors.http import (
    DEFAULT_TABLE,
    Action,
    AuthError,
    ConfigError,
    FailureKind,
    RateLimitedError,
    RemoteError,
    Rule,
    TransientError,
)
from connectors.http.errors import error_for


@pytest.mark.parametrize(
    ("status", "action", "kind"),
    [
        (200, Action.IGNORE, FailureKind.SYSTEM),
        (204, Action.IGNORE, FailureKind.SYSTEM),
        (207, Action.IGNORE, FailureKind.SYSTEM),
        (304, Action.IGNORE, FailureKind.SYSTEM),
        (400, Action.FAIL, FailureKind.SYSTEM),
        (401, Action.REFRESH_TOKEN, FailureKind.CONFIG),
        (403, Action.FAIL, FailureKind.CONFIG),
        (429, Action.RATE_LIMITED, FailureKind.TRANSIENT),
        (500, Action.RETRY, FailureKind.TRANSIENT),
        (503, Action.RETRY, FailureKind.TRANSIENT),
        (599, Action.RETRY, FailureKind.TRANSIENT),  # by class
        (418, Action.FAIL, FailureKind.SYSTEM),  # by class
    ],
)
def test_statuses_map_to_actions(status: int, action: Action, kind: FailureKind) -> None:
    rule = DEFAULT_TABLE.for_response(status)
    assert (rule.action, rule.kind) == (action, kind)


def test_a_vendor_code_wins_over_the_status_and_unknown_codes_use_the_fallback() -> None:
    table = DEFAULT_TABLE.with_codes({"BUSY": Rule(Action.RETRY, FailureKind.TRANSIENT)})
    assert table.for_response(200, "BUSY").action is Action.RETRY
    assert table.for_response(200, "OTHER").action is Action.IGNORE  # no fallback: the status
    strict = table.__class__(
        table.statuses, table.exceptions, table.codes, table.classes,
        unknown_code=Rule(Action.FAIL, FailureKind.SYSTEM),
    )  # fmt: skip
    assert strict.for_response(200, "OTHER").action is Action.FAIL


@pytest.mark.parametrize(
    ("exc", "action"),
    [
        (httpx.ReadTimeout("slow"), Action.RETRY),
        (httpx.ConnectError("refused"), Action.RETRY),
        (httpx.RemoteProtocolError("dropped"), Action.RETRY),
        (httpx.UnsupportedProtocol("ftp"), Action.FAIL),
        (ValueError("?"), Action.FAIL),
    ],
)
def test_exceptions_map_by_their_class(exc: Exception, action: Action) -> None:
    assert DEFAULT_TABLE.for_exception(exc).action is action


@pytest.mark.parametrize(
    ("rule", "error"),
    [
        (Rule(Action.RATE_LIMITED, FailureKind.TRANSIENT), RateLimitedError),
        (Rule(Action.REFRESH_TOKEN, FailureKind.CONFIG), AuthError),
        (Rule(Action.FAIL, FailureKind.CONFIG), ConfigError),
        (Rule(Action.RETRY, FailureKind.TRANSIENT), TransientError),
        (Rule(Action.FAIL, FailureKind.TRANSIENT), TransientError),
        (Rule(Action.FAIL, FailureKind.SYSTEM), RemoteError),
    ],
)
def test_each_rule_raises_its_branch_of_the_tree(rule: Rule, error: type[Exception]) -> None:
    assert error_for(rule) is error
