"""Reminders as text (Chinese, translated through gettext): the lines ``manage.py
deadlines`` prints and the e-mail digest sends."""

from django.utils.translation import gettext as _


def when(item):
    """How the due date stands today, in words."""
    left = item["working_days_left"]
    if item["overdue"]:
        return _("已逾期 %(days)d 个工作日") % {"days": -left}
    if left == 0:
        return _("今天到期")
    return _("还有 %(days)d 个工作日") % {"days": left}


def item_line(item):
    return _("%(due)s（%(when)s）%(label)s：%(index)s %(name)s") % {
        "due": item["due"].isoformat(),
        "when": when(item),
        "label": item["label"],
        "index": item["index_number"],
        "name": item["name"],
    }


def department_heading(name, code, items):
    return _("%(name)s（%(code)s）：%(count)d 项期限") % {
        "name": name,
        "code": code,
        "count": len(items),
    }


def intro(reminders):
    return _("截至 %(until)s（%(within)d 个工作日内）到期或已逾期的期限，今天是 %(today)s。") % {
        "until": reminders.until.isoformat(),
        "within": reminders.within,
        "today": reminders.today.isoformat(),
    }


def listing(reminders, names):
    """Every line of ``reminders`` (a :class:`~registry.compliance.deadlines.Reminders`),
    grouped by department; ``names`` maps department codes to names."""
    lines = [intro(reminders)]
    grouped = reminders.by_department()
    if not grouped:
        lines.append(_("没有到期或逾期的期限。"))
    for code, items in grouped.items():
        lines.append("")
        lines.append(department_heading(names.get(code, code), code, items))
        lines += ["  " + item_line(item) for item in items]
    return lines
