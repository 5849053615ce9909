"""Validators shared by every registry."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: the 31 characters a unified social credit code may use (no I, O, S, V, Z),
# and the weight of each of the first 17 positions (3^i mod 31).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_character(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a code."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    """Raise ``ValidationError`` unless ``value`` is a well-formed unified social credit code."""
    if len(value) != 18:
        raise ValidationError(_("统一社会信用代码应为18位。"), code="uscc_length")
    bad = [c for c in value if c not in USCC_ALPHABET]
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s。"),
            code="uscc_charset",
            params={"chars": "".join(bad)},
        )
    if not value[2:8].isdigit():
        raise ValidationError(_("统一社会信用代码第3至8位应为行政区划码。"), code="uscc_division")
    if uscc_check_character(value[:17]) != value[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确。"), code="uscc_check")


# C0 controls other than tab, line feed and carriage return; DEL; the C1 controls. They mean
# nothing in a record's text (and PostgreSQL cannot even store NUL).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def refuse_control_characters(value: str) -> None:
    """Raise ``ValidationError`` if ``value`` holds a control character without meaning in
    text; tabs and line breaks are text."""
    found = CONTROL_CHARACTERS.search(value)
    if found:
        raise ValidationError(
            _("不得包含控制字符（U+%(code)s）。"),
            code="control_character",
            params={"code": f"{ord(found.group()):04X}"},
        )


def text_errors(value, path=""):
    """``{path: error}`` of every string in a JSON value (keys included) with a control
    character; ``path`` names the place (``entity_pool[1].name``)."""
    errors = {}
    if isinstance(value, str):
        try:
            refuse_control_characters(value)
        except ValidationError as error:
            errors[path] = error
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            errors.update(text_errors(key, inner) or text_errors(item, inner))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            errors.update(text_errors(item, f"{path}[{index}]"))
    return errors
