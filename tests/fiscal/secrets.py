"""What the fiscal registry keeps from the public, planted for the confidentiality crawl of
tests/decisions/test_confidentiality.py (which walks every surface of every registry): a
draft of every fiscal record type, a published progress report of a draft project, a draft
project funded by a published bond, the texts of a withdrawn project."""

from fiscal.models import PerformanceTarget
from fiscal.services import parts
from registry.services import workflow
from tests.fiscal import builders

MARKER_KEYS = (
    # a draft project, its text and a target; a published bond funds it
    "FISCAL-DRAFT-PROJECT-NAME",
    "FISCAL-DRAFT-PROJECT-TEXT",
    "FISCAL-DRAFT-TARGET",
    # a progress report published under the draft project
    "FISCAL-HIDDEN-PROGRESS-NAME",
    # drafts of the other record types
    "FISCAL-DRAFT-EVALUATION-NAME",
    "FISCAL-DRAFT-REPORT-NAME",
    "FISCAL-DRAFT-BOND-NAME",
    "FISCAL-DRAFT-BOND-USE",
    "FISCAL-DRAFT-DISCLOSURE-NAME",
    # a published project, withdrawn: its tombstone keeps its name, not its text
    "FISCAL-WITHDRAWN-PROJECT-TEXT",
)


def plant_secrets(department, editor, publisher, plant):
    """Plant every fiscal marker (``plant(key)`` is the stored text); returns the (model, pk)
    of the records no anonymous surface may show at all."""
    project = builders.project(
        department,
        editor,
        code="P-secret",
        name=plant("FISCAL-DRAFT-PROJECT-NAME"),
        project_text=plant("FISCAL-DRAFT-PROJECT-TEXT"),
    )
    parts.add_part(
        project,
        PerformanceTarget,
        acting_user=editor,
        kind="quality",
        indicator=plant("FISCAL-DRAFT-TARGET"),
        target_value="100",
        unit="%",
    )
    public_project = builders.project(department, editor, publisher=publisher, code="P-public")
    builders.funding_bond(
        department, editor, publisher=publisher, code="B-public", projects=[public_project, project]
    )
    hidden_progress = builders.progress(
        project, editor, publisher=publisher, name=plant("FISCAL-HIDDEN-PROGRESS-NAME")
    )
    evaluation = builders.evaluation(
        public_project, editor, name=plant("FISCAL-DRAFT-EVALUATION-NAME")
    )
    report = builders.debt_report(department, editor, year=2024)
    report = workflow.update(report, acting_user=editor, name=plant("FISCAL-DRAFT-REPORT-NAME"))
    bond = builders.bond(department, editor, code="B-secret")
    bond = workflow.update(
        bond,
        acting_user=editor,
        name=plant("FISCAL-DRAFT-BOND-NAME"),
        use_of_proceeds=plant("FISCAL-DRAFT-BOND-USE"),
    )
    disclosure = builders.disclosure(
        bond, editor, year=2027, name=plant("FISCAL-DRAFT-DISCLOSURE-NAME")
    )
    withdrawn = builders.project(
        department,
        editor,
        publisher=publisher,
        code="P-withdrawn",
        name="已撤回的项目",
        project_text=plant("FISCAL-WITHDRAWN-PROJECT-TEXT"),
    )
    workflow.withdraw(
        withdrawn,
        acting_user=publisher,
        reason="项目取消",
        legal_basis="《政府信息公开条例》第二十条",
    )
    return [
        (type(record), record.pk)
        for record in (project, hidden_progress, evaluation, report, bond, disclosure)
    ]
