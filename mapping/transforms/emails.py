"""E-mail addresses in one comparable form: trimmed, half-width, lower-case, valid syntax."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

from ._text import fold_width
from .errors import TransformError

__all__ = ["email_domain", "normalize_email"]

_MAILTO = re.compile(r"^mailto:", re.IGNORECASE)
# Chinese input methods type the ideographic full stop where a dot was meant; IDNA also
# treats it as a label separator, so folding it cannot change what a valid address means.
_DOTS = str.maketrans({"。": ".", "｡": "."})


def normalize_email(raw: str) -> str:
    """Return ``raw`` as a valid, lower-case e-mail address.

    Trims, drops a ``mailto:`` prefix (and any ``?subject=…``) and surrounding ``<…>``, folds
    full-width characters (``＠``, ``．``) and the ideographic full stop ``。`` to ASCII, and
    lower-cases the whole address: CRMs treat addresses case-insensitively, so the local part
    is folded too. Internationalized domains and local parts are accepted; the domain comes
    back in Unicode form. Deliverability is not checked (no DNS). Raises TransformError.
    """
    text = fold_width(raw).translate(_DOTS).strip()
    if _MAILTO.match(text):
        text = _MAILTO.sub("", text).split("?", 1)[0].strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    if not text:
        raise TransformError("empty e-mail address", raw)
    if "@" not in text:
        raise TransformError("e-mail address has no @", raw)
    if any(ch.isspace() for ch in text):
        raise TransformError("e-mail address contains spaces", raw)
    try:
        result = validate_email(text.lower(), check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError as exc:
        raise TransformError(f"invalid e-mail address: {exc}", raw) from exc
    return str(result.normalized)


def email_domain(email: str) -> str:
    """Return the domain of ``email`` after normalize_email (``zhang@QQ.com`` → ``qq.com``)."""
    return normalize_email(email).rpartition("@")[2]
