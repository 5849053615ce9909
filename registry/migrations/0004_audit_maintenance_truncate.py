"""TRUNCATE of the audit log is refused unless the session declares audit maintenance
(``SET registry.audit_maintenance = 'on'``), which test databases do so they can be
flushed; UPDATE and DELETE stay refused."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION registry_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE'
       AND coalesce(current_setting('registry.audit_maintenance', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""
PREVIOUS = """
CREATE OR REPLACE FUNCTION registry_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_alter_auditentry_action")]

    operations = [migrations.RunSQL(FUNCTION, PREVIOUS)]
