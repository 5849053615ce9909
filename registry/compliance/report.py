"""The compliance report: every registered check's counts per department for a period
(public), and one check's record-level detail (narrowed by the permission path)."""

from registry.compliance import registration
from registry.models import Department


def check_header(check):
    """What describes a check, whatever the period."""
    return {
        "code": check.code,
        "label": str(check.label),
        "legal_basis": str(check.legal_basis),
        "registry": check.registry,
        "period_applies_to": str(check.period_label),
        "measures": [
            {"code": m.code, "label": str(m.label), "listed": m.listed} for m in check.measures
        ],
    }


def counts(period, today, *, department=None, codes=None):
    """Every check (or those named in ``codes``) with its counts per department and in
    total. One query per check, plus one for the departments' names."""
    checks = [c for c in registration.checks() if codes is None or c.code in codes]
    counted = [(check, check.counts(period, today, department)) for check in checks]
    ids = {pk for _check, per_department in counted for pk in per_department}
    names = {
        pk: (code, name)
        for pk, code, name in Department.objects.filter(pk__in=ids).values_list(
            "pk", "code", "name_zh"
        )
    }
    result = []
    for check, per_department in counted:
        totals = {m.code: 0 for m in check.measures}
        departments = []
        for pk, values in per_department.items():
            for code, value in values.items():
                totals[code] += value
            code, name = names[pk]
            departments.append({"department": code, "name": name, "counts": values})
        departments.sort(key=lambda entry: entry["department"])
        result.append({**check_header(check), "totals": totals, "departments": departments})
    return result


def detail(check, period, today, narrowing, *, department=None, offset=0, limit=None):
    """``(count, rows)`` of ``check``'s shortfalls that ``narrowing`` lets its reader see."""
    return check.detail_page(period, today, narrowing, department, offset, limit)
