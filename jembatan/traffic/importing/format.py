"""The traffic exchange format, version 1.0 (docs/traffic-format.md): columns and codes.

Agency systems produce it; changing a column is a new format version.
"""

from __future__ import annotations

FORMAT_VERSION = "1.0"

CROSSING_COLUMNS: tuple[str, ...] = (
    "source_key",
    "crossed_at",
    "direction",
    "checkpoint_code",
    "document_type",
    "document_number",
    "issuing_state",
    "nationality",
    "surname",
    "given_names",
    "date_of_birth",
    "sex",
    "permit_type",
    "permit_number",
    "carrier",
)
CROSSING_OPTIONAL: frozenset[str] = frozenset({"given_names", "permit_number", "carrier"})

PERMIT_COLUMNS: tuple[str, ...] = (
    "source_key",
    "permit_number",
    "permit_type",
    "document_number",
    "issuing_state",
    "nationality",
    "surname",
    "given_names",
    "date_of_birth",
    "issued_on",
    "expires_on",
    "sponsor",
    "province",
    "status",
)
PERMIT_OPTIONAL: frozenset[str] = frozenset({"given_names", "sponsor", "province"})

DIRECTIONS = {"ARRIVAL": "A", "DEPARTURE": "D"}
SEXES = frozenset({"M", "F", "X"})
# ICAO 9303 document type codes as the checkpoint systems write them: P passport, ID/I/A/C
# identity cards, TD/PT travel documents, V visa, L laissez-passer, PD/PS/PO diplomatic,
# service and official passports. First letter decides in ICAO; we keep the two letters.
DOCUMENT_TYPES = frozenset({"P", "PP", "PD", "PS", "PO", "PT", "ID", "I", "A", "C", "TD", "L", "V"})

# Maximum lengths, from the model (`jembatan.traffic.models`).
CROSSING_LENGTHS = {
    "source_key": 64,
    "checkpoint_code": 20,
    "document_type": 2,
    "document_number": 20,
    "surname": 120,
    "given_names": 200,
    "permit_number": 40,
    "carrier": 20,
}
PERMIT_LENGTHS = {
    "source_key": 64,
    "permit_number": 40,
    "document_number": 20,
    "surname": 120,
    "given_names": 200,
    "sponsor": 200,
    "province": 120,
}
