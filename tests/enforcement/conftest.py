import pytest

from tests.enforcement import builders


@pytest.fixture
def body(departments, users):
    return builders.body(departments["fgw"], users["editor"], publisher=users["publisher"])


@pytest.fixture
def power(body, users):
    return builders.power(body, users["editor"], publisher=users["publisher"])
