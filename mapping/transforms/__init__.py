"""Value transforms: one canonical form per kind of value, shared by every connector.

Each function is pure and raises :class:`TransformError` (never a bare ``ValueError``) with a
reason an operator can act on. No network at runtime.
"""

from __future__ import annotations

from ._text import unreadable_text
from .companies import clean_company_name, company_brand_key, company_key, company_place
from .countries import country_name, region_name, to_country_code, to_region_code
from .datetimes import date_to_epoch_ms, to_date, to_epoch_ms, to_iso_offset, to_utc_datetime
from .domains import is_free_mail_domain, registrable_domain
from .emails import email_domain, normalize_email
from .errors import TransformError
from .money import canonical_amount, format_amount, to_currency, to_decimal
from .names import (
    contains_cjk,
    fold_width,
    given_name_forms,
    join_person_name,
    split_person_name,
)
from .phones import is_e164, landline_cities, normalize_phone, phone_region, same_digits
from .pinyin import fold_pinyin, person_name_forms, to_pinyin
from .scalars import to_bool, to_int, to_str

__all__ = [
    "TransformError",
    "canonical_amount",
    "clean_company_name",
    "company_brand_key",
    "company_key",
    "company_place",
    "contains_cjk",
    "country_name",
    "date_to_epoch_ms",
    "email_domain",
    "fold_pinyin",
    "fold_width",
    "format_amount",
    "given_name_forms",
    "is_e164",
    "is_free_mail_domain",
    "join_person_name",
    "landline_cities",
    "normalize_email",
    "normalize_phone",
    "person_name_forms",
    "phone_region",
    "region_name",
    "registrable_domain",
    "same_digits",
    "split_person_name",
    "to_bool",
    "to_country_code",
    "to_currency",
    "to_date",
    "to_decimal",
    "to_epoch_ms",
    "to_int",
    "to_iso_offset",
    "to_pinyin",
    "to_region_code",
    "to_str",
    "to_utc_datetime",
    "unreadable_text",
]
