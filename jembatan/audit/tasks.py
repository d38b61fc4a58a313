"""Periodic verification of the audit chain."""

from __future__ import annotations

from jembatan.audit.events import AuditAction
from jembatan.audit.services import audit_chain_verify, audit_record
from jembatan.core.jobs import job


@job(queue="long")
def audit_chain_verify_job() -> dict:
    """Verify the chain and record the result as an audit event (idempotent: read-only check)."""
    result = audit_chain_verify()
    audit_record(
        action=AuditAction.AUDIT_CHAIN_VERIFIED if result.ok else AuditAction.AUDIT_CHAIN_BROKEN,
        data={"checked": result.checked, "first_broken_id": result.first_broken_id, "reason": result.reason},
    )
    return {"ok": result.ok, "checked": result.checked, "first_broken_id": result.first_broken_id}
