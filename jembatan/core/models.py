"""Base model classes and the job bookkeeping tables."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """Every Jembatan row knows when it was created and last changed."""

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class PublicModel(BaseModel):
    """A row exposed through the API or the portal: addressed by a UUID, never a counter."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


class WorkerHeartbeat(models.Model):
    """One running task-worker process; `last_seen_at` proves it is alive.

    The reaper hands a running task back to the queue when the heartbeat of the worker that
    claimed it is older than `JOBS_STALE_AFTER_SECONDS` (the worker was killed mid-task).
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"


class PeriodicJobRun(models.Model):
    """One period of one periodic job that has been enqueued.

    The unique (name, period) pair is what makes a periodic job run once per period even
    with several workers: the first worker to insert the row enqueues the job.
    """

    name = models.CharField(max_length=100)
    period_start = models.DateTimeField()
    enqueued_at = models.DateTimeField(default=timezone.now)
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-period_start"]
        constraints = [models.UniqueConstraint(fields=["name", "period_start"], name="periodic_job_once_per_period")]

    def __str__(self) -> str:
        return f"{self.name} @ {self.period_start:%Y-%m-%d %H:%M}"


class IdempotencyRecord(models.Model):
    """The answer given to one API write sent with an `Idempotency-Key` header.

    A retry with the same key and the same body gets the same answer without a second
    write; the same key with a different body is refused (409).
    """

    caller = models.CharField(max_length=80)
    key = models.CharField(max_length=120)
    operation = models.CharField(max_length=120)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["caller", "key"], name="idempotency_key_once_per_caller")]

    def __str__(self) -> str:
        return f"{self.caller} {self.key} → {self.status_code}"
