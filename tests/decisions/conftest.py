import pytest

from registry.models import Department
from registry.services.roles import grant_role
from tests.decisions import builders


@pytest.fixture
def office(departments, users, django_user_model):
    """区政府办公室 with its own editor and publisher (they issue the catalogue)."""
    office = Department.objects.create(code="qzfb", name_zh="区政府办公室", kind="district_office")
    for name, role in (("office_editor", "editor"), ("office_publisher", "publisher")):
        user = django_user_model.objects.create_user(name, password="pw-" + name)
        grant_role(user, role, office)
        users[name] = user
    return office


@pytest.fixture
def catalogue(office, users):
    return builders.catalogue(office, users["office_publisher"], users["office_editor"])


@pytest.fixture
def decision(departments, users, catalogue):
    """A published (listed) decision of ``fgw`` at stage ``planned``."""
    return builders.decision(
        departments["fgw"], users["editor"], catalogue, publisher=users["publisher"]
    )
