import pytest
from django.core.exceptions import ValidationError

from registry.demo import synthetic_uscc
from registry.validators import validate_uscc


def test_known_valid_code():
    validate_uscc("914403001922038216")  # a published company code


@pytest.mark.parametrize(
    "value, code",
    [
        ("914403001922038217", "uscc_check"),
        ("91440300192203821", "uscc_length"),
        ("9144030019220382I6", "uscc_charset"),
        ("91AB03001922038216", "uscc_division"),
    ],
)
def test_invalid_codes(value, code):
    with pytest.raises(ValidationError) as info:
        validate_uscc(value)
    assert info.value.code == code


def test_synthetic_demo_codes_validate():
    for serial in range(1, 40):
        validate_uscc(synthetic_uscc(serial))
