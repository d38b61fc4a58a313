"""The overstay rule in force since PP 28/2019: 60 days, Rp1,000,000 per day, day 60 charged."""

import datetime

from django.db import migrations


def forwards(apps, schema_editor):
    OverstayRule = apps.get_model("cases", "OverstayRule")
    if not OverstayRule.objects.exists():
        OverstayRule.objects.create(
            valid_from=datetime.date(2019, 1, 1),
            threshold_days=60,
            at_threshold="charge",
            charge_per_day=1_000_000,
            source="UU 6/2011 art. 78(2)-(3); PP 28/2019 (Rp1,000,000 per day). Day 60 itself is ambiguous in the statute; "
            "this rule charges it (configurable).",
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
