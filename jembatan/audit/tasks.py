"""Periodic verification of the audit chain."""

from __future__ import annotations

from jembatan.audit.services import audit_chain_check
from jembatan.core.jobs import job


@job(queue="long")
def audit_chain_verify_job() -> dict:
    """Verify the chain and record the result as an audit event.

    Idempotent: the check only reads; running it twice records two results, both true.
    No retries: the next period runs it again.
    """
    result = audit_chain_check()
    return {"ok": result.ok, "checked": result.checked, "first_broken_id": result.first_broken_id}
