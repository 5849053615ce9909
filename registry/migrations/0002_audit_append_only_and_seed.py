"""The audit log becomes append-only at the database level; pg_trgm is enabled for
substring search; the working-day calendar is seeded from ``chinesecalendar`` (2004–2026);
the core's deadline rule is seeded."""

import datetime

from django.db import migrations

APPEND_ONLY = """
CREATE FUNCTION registry_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER registry_auditentry_no_update_delete
    BEFORE UPDATE OR DELETE ON registry_auditentry
    FOR EACH ROW EXECUTE FUNCTION registry_auditentry_append_only();
CREATE TRIGGER registry_auditentry_no_truncate
    BEFORE TRUNCATE ON registry_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION registry_auditentry_append_only();
"""
DROP_APPEND_ONLY = """
DROP TRIGGER registry_auditentry_no_truncate ON registry_auditentry;
DROP TRIGGER registry_auditentry_no_update_delete ON registry_auditentry;
DROP FUNCTION registry_auditentry_append_only();
"""


def seed_calendar(apps, schema_editor):
    import chinese_calendar

    CalendarYear = apps.get_model("registry", "CalendarYear")
    CalendarDay = apps.get_model("registry", "CalendarDay")
    source = f"chinesecalendar {chinese_calendar.__version__}（国务院办公厅节假日安排通知）"
    first, last = 2004, 2026
    years = {y: CalendarYear.objects.create(year=y, source=source) for y in range(first, last + 1)}
    days = []
    day = datetime.date(first, 1, 1)
    while day.year <= last:
        weekend = day.weekday() >= 5
        holiday, name = chinese_calendar.get_holiday_detail(day)
        if holiday and not weekend:
            days.append(
                CalendarDay(
                    year=years[day.year], date=day, kind="holiday", name=_holiday_name(name)
                )
            )
        elif not holiday and weekend:
            days.append(
                CalendarDay(
                    year=years[day.year], date=day, kind="workday", name=_holiday_name(name)
                )
            )
        day += datetime.timedelta(days=1)
    CalendarDay.objects.bulk_create(days)


_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def _holiday_name(name):
    return _HOLIDAY_NAMES.get(name, name or "")


def seed_rules(apps, schema_editor):
    DeadlineRule = apps.get_model("registry", "DeadlineRule")
    DeadlineRule.objects.create(
        code="ogi_proactive_disclosure",
        name="主动公开政府信息",
        legal_basis="《中华人民共和国政府信息公开条例》第二十六条",
        amount=20,
        unit="working_days",
        start_event="政府信息形成或者变更之日",
    )


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [
        migrations.RunSQL(APPEND_ONLY, DROP_APPEND_ONLY),
        migrations.RunSQL("CREATE EXTENSION IF NOT EXISTS pg_trgm", migrations.RunSQL.noop),
        migrations.RunPython(seed_calendar, migrations.RunPython.noop),
        migrations.RunPython(seed_rules, migrations.RunPython.noop),
    ]
