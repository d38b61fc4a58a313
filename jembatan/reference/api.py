"""API operations of the reference app."""

from ninja import Router

router = Router(tags=["reference"])
