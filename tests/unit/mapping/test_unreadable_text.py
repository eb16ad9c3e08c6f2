"""`unreadable_text`: the text a database cannot take, found anywhere inside a value."""

from __future__ import annotations

import pytest

from mapping.transforms import unreadable_text


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("ab\x00c", "contains a NUL character (U+0000) at character 3"),
        ("华\ud800为", "is not valid Unicode: a lone surrogate U+D800 at character 2"),
        (b"ok \xff".decode("utf-8", "surrogateescape"), "is not valid UTF-8: the byte 0xFF at"),
        ({"name": ["fine", "bad\x00"]}, "NUL"),
        ({"key\udcfe": "value"}, "the byte 0xFE"),
    ],
)
def test_unreadable_text_says_why_and_where(raw: object, reason: str) -> None:
    found = unreadable_text(raw)
    assert found is not None
    assert reason in found


@pytest.mark.parametrize("raw", ["深圳市腾华科技有限公司", "Ωmega 🚀", 42, None, ["a", {"b": "c"}]])
def test_readable_values_pass(raw: object) -> None:
    assert unreadable_text(raw) is None
