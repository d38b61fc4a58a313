"""Derive `is_staff` from roles for users created before `User.save()` did it."""

from django.db import migrations

STAFF_ROLES = {"administrator", "protocol_officer"}


def forwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.all():
        staff = user.is_superuser or (user.is_active and bool(STAFF_ROLES.intersection(user.roles or [])))
        if staff != user.is_staff:
            User.objects.filter(pk=user.pk).update(is_staff=staff)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
