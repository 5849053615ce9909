"""Small helpers that build records through the workflow service functions."""

import datetime

from registry.services import workflow
from tests.recordapp.models import Notice


def notice(department, editor, *, publish_by=None, **fields):
    record = workflow.create(
        Notice,
        acting_user=editor,
        department=department,
        name=fields.pop("name", "关于公开征求意见的通知"),
        date_made=fields.pop("date_made", datetime.date(2026, 9, 30)),
        **fields,
    )
    if publish_by is not None:
        record = workflow.publish(record, acting_user=publish_by)
    return record
