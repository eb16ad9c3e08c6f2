"""The package surface: what other modules import, and the error contract."""

from __future__ import annotations

import importlib
import inspect

import pytest

import mapping.transforms as transforms
from mapping.transforms import TransformError

_MODULES = ["companies", "countries", "datetimes", "domains", "emails", "money", "names",
            "phones", "pinyin", "scalars"]  # fmt: skip


def test_package_exports_every_public_function() -> None:
    expected = {
        "TransformError", "normalize_phone", "is_e164", "phone_region", "normalize_email",
        "email_domain", "registrable_domain", "is_free_mail_domain", "contains_cjk",
        "join_person_name", "split_person_name", "fold_width", "clean_company_name",
        "company_key", "to_country_code", "to_region_code", "country_name", "to_decimal",
        "to_currency", "format_amount", "to_utc_datetime", "to_epoch_ms", "to_iso_offset",
        "to_date", "date_to_epoch_ms", "to_bool", "to_int", "to_str", "canonical_amount",
        "region_name", "company_brand_key", "given_name_forms", "to_pinyin", "fold_pinyin",
        "person_name_forms", "unreadable_text", "company_place", "landline_cities", "same_digits",
    }  # fmt: skip
    assert set(transforms.__all__) == expected
    for name in expected:
        assert getattr(transforms, name) is not None


@pytest.mark.parametrize("module_name", _MODULES)
def test_modules_declare_all_and_document_public_functions(module_name: str) -> None:
    module = importlib.import_module(f"mapping.transforms.{module_name}")
    assert module.__all__
    for name in module.__all__:
        member = getattr(module, name)
        if inspect.isfunction(member):
            assert member.__doc__, f"{module_name}.{name} has no docstring"


def test_transform_error_is_a_value_error_with_reason_and_value() -> None:
    with pytest.raises(ValueError, match="empty phone number") as caught:
        transforms.normalize_phone("", "CN")
    assert isinstance(caught.value, TransformError)
    assert caught.value.reason == "empty phone number"
    assert caught.value.value == ""
