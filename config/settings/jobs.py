"""The task queue (django-tasks + django-tasks-db) and the one list of periodic jobs.

The guarantees (same-transaction enqueue, at-least-once with stale-task recovery, declared
retries with back-off) are the project's own: see docs/adr/0002-task-queue.md and
jembatan/core/jobs.py.
"""

from config.env import env_int

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["short", "long"],
    }
}

# A worker whose heartbeat is older than this is presumed dead and its running task is
# handed back to the queue.
JOBS_HEARTBEAT_SECONDS = env_int("JOBS_HEARTBEAT_SECONDS", 10, minimum=1)
JOBS_STALE_AFTER_SECONDS = env_int("JOBS_STALE_AFTER_SECONDS", 60, minimum=2)
# How many times a task may be claimed before it is given up as failed (crash recovery
# and declared retries both count).
JOBS_MAX_ATTEMPTS_DEFAULT = env_int("JOBS_MAX_ATTEMPTS_DEFAULT", 5, minimum=1)

# name -> (dotted path of a @job, period in seconds). Each period runs at most once,
# whichever worker gets there first; a worker that was down runs the current period on
# return (the jobs themselves catch up on whatever they missed).
JOBS_PERIODIC = {
    "audit.verify_chain": ("jembatan.audit.tasks.audit_chain_verify_job", 3600),
    "core.prune_finished_tasks": ("jembatan.core.tasks.finished_tasks_prune_job", 24 * 3600),
    "cases.bans_lapse": ("jembatan.cases.bans.bans_lapse_job", 3600),
    "cases.detention_ceiling": ("jembatan.cases.tasks.detention_ceiling_job", 24 * 3600),
    "portal.inquiries_remind": ("jembatan.portal.services.inquiries.inquiries_remind_job", 900),
    "notifications.assess": ("jembatan.notifications.engine.assess_pending_job", 30),
    "notifications.reminders": ("jembatan.notifications.deadlines.reminders_job", 300),
    "traffic.overstays_scan": ("jembatan.traffic.overstays.overstays_scan_job", 24 * 3600),
}
