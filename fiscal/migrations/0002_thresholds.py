"""Version 1 of the disclosure thresholds of government investment projects (seed 一(四))."""

import datetime
from decimal import Decimal

from django.db import migrations

BASIS = (
    "《2019年重庆市璧山区政务公开工作要点》一(四)：50万以上政府投资项目"
    "（学校、医院30万以上政府投资）向社会公开"
)
THRESHOLDS = {
    "other": Decimal("500000.00"),
    "school": Decimal("300000.00"),
    "hospital": Decimal("300000.00"),
}


def seed(apps, schema_editor):
    DisclosureThreshold = apps.get_model("fiscal", "DisclosureThreshold")
    DisclosureThreshold.objects.bulk_create(
        DisclosureThreshold(
            version=1,
            effective_from=datetime.date(2019, 1, 1),
            category=category,
            minimum_amount=amount,
            legal_basis=BASIS,
        )
        for category, amount in THRESHOLDS.items()
    )


def unseed(apps, schema_editor):
    apps.get_model("fiscal", "DisclosureThreshold").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("fiscal", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
