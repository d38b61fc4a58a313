#!/usr/bin/env python
"""Fill empty msgstr entries of a gettext .po file from a JSON map {msgid: msgstr}.

Handles msgids wrapped over several lines by makemessages and removes `fuzzy` flags on the
entries it fills. Prints the msgids still untranslated and exits 1 if there are any.
Usage: scripts/po_fill.py path/to/django.po translations.json
"""

from __future__ import annotations

import json
import re
import sys


def unquote(lines: list[str]) -> str:
    return "".join(json.loads(line) for line in lines)


def quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def main(po_path: str, map_path: str) -> int:
    with open(map_path, encoding="utf-8") as handle:
        mapping: dict[str, str] = json.load(handle)
    with open(po_path, encoding="utf-8") as handle:
        blocks = handle.read().split("\n\n")
    missing: list[str] = []
    out = []
    for block in blocks:
        lines = block.split("\n")
        try:
            i = next(n for n, line in enumerate(lines) if line.startswith("msgid "))
            j = next(n for n, line in enumerate(lines) if line.startswith("msgstr "))
        except StopIteration:
            out.append(block)
            continue
        if any(line.startswith("msgid_plural") for line in lines):
            out.append(block)
            continue
        msgid = unquote([lines[i][6:], *lines[i + 1 : j]])
        msgstr = unquote([lines[j][7:], *[line for line in lines[j + 1 :] if line.startswith('"')]])
        if msgid == "":
            out.append(block)
            continue
        if msgid in mapping:
            msgstr = mapping[msgid]
            head = [line.replace(", fuzzy", "") for line in lines[:i] if line != "#, fuzzy"]
            head = [line for line in head if not re.match(r"^#\| ", line)]
            out.append("\n".join([*head, *lines[i:j], "msgstr " + quote(msgstr)]))
        else:
            if not msgstr:
                missing.append(msgid)
            out.append(block)
    with open(po_path, "w", encoding="utf-8") as handle:
        handle.write("\n\n".join(out))
    for m in missing:
        print("untranslated:", repr(m))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
