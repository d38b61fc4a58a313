"""Indonesia's three time zones by their IANA names and the abbreviations pages print
after a time (Keppres 41/1987: WIB, WITA, WIT; no daylight saving).

Here in `core` (layer 0) so that `core` and `audit` can print a zone without importing
`reference` (layer 2); `jembatan.reference.models` re-exports it."""

ZONE_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
