"""Stable audit event codes, grouped by app. Never renumber; leave gaps for new codes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.IntegerChoices):
    # 1xx accounts
    USER_LOGGED_IN = 100, _("User logged in")
    USER_LOGGED_OUT = 101, _("User logged out")
    USER_LOGIN_FAILED = 102, _("Login failed")
    USER_LOCKED_OUT = 103, _("User locked out")
    USER_UNLOCKED = 104, _("User unlocked")
    USER_CREATED = 110, _("User created")
    USER_UPDATED = 111, _("User updated")
    USER_DEACTIVATED = 112, _("User deactivated")
    USER_REACTIVATED = 113, _("User reactivated")
    USER_VIEWED = 114, _("User record viewed")
    USER_LISTED = 115, _("User list viewed")
    USER_PASSWORD_RESET_REQUESTED = 120, _("Password reset requested")
    USER_PASSWORD_CHANGED = 121, _("Password changed")
    USER_MFA_ACTIVATED = 130, _("Two-factor authentication activated")
    USER_MFA_DEACTIVATED = 131, _("Two-factor authentication deactivated")
    API_CLIENT_CREATED = 140, _("API client created")
    API_CLIENT_REVOKED = 141, _("API client revoked")
    API_CLIENT_USED = 142, _("API client authenticated")
    # 2xx reference data
    REFERENCE_LOADED = 200, _("Reference data loaded")
    REFERENCE_CREATED = 201, _("Reference record created")
    REFERENCE_CHANGED = 202, _("Reference record corrected")
    REFERENCE_DELETED = 203, _("Reference record deleted")
    # 3xx audit itself
    AUDIT_VIEWED = 300, _("Audit log viewed")
    AUDIT_EXPORTED = 301, _("Audit log exported")
    AUDIT_CHAIN_VERIFIED = 302, _("Audit chain verified")
    AUDIT_CHAIN_BROKEN = 303, _("Audit chain found broken")
    # 4xx people
    PERSON_CREATED = 400, _("Person created")
    PERSON_UPDATED = 401, _("Person updated")
    PERSON_VIEWED = 402, _("Person record viewed")
    PERSON_LISTED = 403, _("Person list viewed")
    PERSON_SEARCHED = 404, _("People searched")
    PERSON_EXPORTED = 405, _("People exported")
    # 9xx system
    DEMO_DATA_LOADED = 900, _("Demo data loaded")
