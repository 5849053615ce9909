"""The daily e-mail digest of deadlines: each department with open deadlines due within
``within`` working days (or overdue) gets one message, sent to its publishers (the users
holding the publisher role on it) through Django's e-mail framework (``EMAIL_BACKEND``;
the console by default). Run by the worker's scheduler (:mod:`registry.tasks`)."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from registry.choices import Role
from registry.compliance import deadlines, text
from registry.compliance.scope import unrestricted
from registry.models import Department, DepartmentUserObjectPermission
from registry.permissions import ROLE_PERMISSIONS

# At most this many items are listed in one message; the rest are counted.
MAX_LISTED = 50
logger = logging.getLogger(__name__)


def publishers(department_ids):
    """``{department id: [e-mail addresses]}`` of the active publishers of each department
    (one query)."""
    grants = (
        DepartmentUserObjectPermission.objects.filter(
            content_object_id__in=department_ids,
            permission__content_type__app_label="registry",
            permission__codename=ROLE_PERMISSIONS[Role.PUBLISHER],
            user__is_active=True,
        )
        .exclude(user__email="")
        .values_list("content_object_id", "user__email")
        .order_by("content_object_id", "user__email")
    )
    found = {}
    for department, email in grants:
        found.setdefault(department, []).append(email)
    return found


def message(department, items, reminders):
    """The subject and body of one department's digest (in the current language)."""
    subject = _("【期限提醒】%(department)s：%(count)d 项期限到期或已逾期") % {
        "department": department.name_zh,
        "count": len(items),
    }
    lines = [
        _("%(department)s发布员：") % {"department": department.name_zh},
        "",
        text.intro(reminders),
        "",
        *(text.item_line(item) for item in items[:MAX_LISTED]),
    ]
    if len(items) > MAX_LISTED:
        lines.append(_("……另有 %(count)d 项未列出。") % {"count": len(items) - MAX_LISTED})
    lines += [
        "",
        _(
            "完整清单：GET /api/v1/compliance/deadlines/?department=%(code)s，"
            "或 manage.py deadlines --department %(code)s。"
        )
        % {"code": department.code},
    ]
    return subject, "\n".join(lines) + "\n"


def send_digests(today=None, within=deadlines.DEFAULT_WITHIN):
    """Send each department with due items its digest; returns the number of messages."""
    today = today or timezone.localdate()
    reminders = deadlines.upcoming(today, within, unrestricted)
    grouped = reminders.by_department()
    if not grouped:
        return 0
    departments = {d.code: d for d in Department.objects.filter(code__in=list(grouped))}
    recipients = publishers([d.pk for d in departments.values()])
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for code, items in grouped.items():
            department = departments[code]
            to = recipients.get(department.pk)
            if not to:
                logger.warning(
                    "deadline digest: %s has %d due item(s) and no publisher with an e-mail "
                    "address",
                    code,
                    len(items),
                )
                continue
            subject, body = message(department, items, reminders)
            messages.append(EmailMessage(subject, body, to=to))
    if not messages:
        return 0
    return get_connection().send_messages(messages) or 0
