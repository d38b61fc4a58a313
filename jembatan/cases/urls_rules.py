"""Pages for exports, bans and overstay rules (owned by the rules/exports work)."""

urlpatterns: list = []
