"""The draft rows of the permission matrix (read, edit, publish a draft), shared by every
registry's permission suite. A suite subclasses :class:`DraftMatrix` and provides the
fixtures ``w`` (its module world, with ``drafts[case]`` and ``tokens``) and ``case``
(parametrized over its resources); it may override :meth:`url_of` and :meth:`expected`."""

import pytest

from tests.test_permission_matrix import EDIT_DRAFT, PUBLISH_DRAFT, READ_DRAFT, ROLES
from tests.world import api_client

API = "/api/v1/"


def fresh(record):
    return type(record).objects.get(pk=record.pk)


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


class DraftMatrix:
    def url_of(self, case):
        return f"{API}{case}/"

    def expected(self, table, operation, case, role):
        return table[role]

    def client(self, w, role):
        return api_client(w.tokens.get(role))

    @pytest.mark.parametrize("role", ROLES)
    def test_read_draft(self, w, case, role):
        draft, status = w.drafts[case], self.expected(READ_DRAFT, "read", case, role)
        response = self.client(w, role).get(f"{self.url_of(case)}{draft.pk}/")
        assert response.status_code == status, response.content
        listed = self.client(w, role).get(self.url_of(case), {"status": "draft", "page_size": 500})
        assert (draft.pk in ids(listed)) == (status == 200)

    @pytest.mark.parametrize("role", ROLES)
    def test_edit_draft(self, w, case, role):
        draft, status = w.drafts[case], self.expected(EDIT_DRAFT, "edit", case, role)
        response = self.client(w, role).patch(
            f"{self.url_of(case)}{draft.pk}/", {"summary": "x"}, format="json"
        )
        assert response.status_code == status, response.content
        assert (fresh(draft).summary == "x") == (status == 200)

    @pytest.mark.parametrize("role", ROLES)
    def test_publish_draft(self, w, case, role):
        draft, status = w.drafts[case], self.expected(PUBLISH_DRAFT, "publish", case, role)
        response = self.client(w, role).post(f"{self.url_of(case)}{draft.pk}/publish/")
        assert response.status_code == status, response.content
        assert (fresh(draft).status == "published") == (status == 200)
