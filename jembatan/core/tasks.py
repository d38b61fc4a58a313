"""Housekeeping jobs of the core app."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from jembatan.core.jobs import job
from jembatan.core.models import PeriodicJobRun

KEEP_FINISHED_DAYS = 30


@job(queue="long")
def finished_tasks_prune_job() -> int:
    """Delete successful task rows older than 30 days (failed ones stay for inspection).

    Idempotent: deleting what is already gone deletes nothing.
    """
    cutoff = timezone.now() - dt.timedelta(days=KEEP_FINISHED_DAYS)
    deleted, _ = DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL, finished_at__lt=cutoff).delete()
    PeriodicJobRun.objects.filter(period_start__lt=cutoff).delete()
    return deleted
