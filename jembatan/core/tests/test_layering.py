"""Imports between apps run one way (DESIGN.md, "Apps and which way they depend"): an app
imports only apps on lower layers, never one on its own layer or above.

Every module under `jembatan/` is parsed with `ast` and every import is checked wherever it
sits (module level, inside a function or a class, under `if TYPE_CHECKING`), relative
imports resolved, and so are `import_module`/`import_string`/`__import__` calls with a
literal dotted path. Test modules (anything under a `tests/` directory) may import
anything. A higher app reaches a lower app's pages through extension points (dotted paths
in settings, read with `import_string`), which are configuration, not imports.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # the `jembatan` package

# DESIGN.md's table. A new app must be placed here before it can import anything.
LAYERS: dict[str, int] = {
    "core": 0,
    "audit": 1,
    "reference": 2,
    "accounts": 3,
    "people": 4,
    "missions": 5,
    "traffic": 5,
    "cases": 6,
    "notifications": 7,
    "matching": 7,
    "portal": 8,
    "exchange": 8,
    "reciprocity": 8,
    "teamwork": 8,
    "bulletins": 8,
}

# Known violations still to be fixed: (importing module path relative to jembatan/, imported
# module). Each entry needs a comment saying why it is tolerated and what would fix it. A
# stale entry (the import is gone) fails the test, so the list only shrinks.
ALLOWED: set[tuple[str, str]] = set()

DYNAMIC_IMPORTERS = {"import_module", "import_string", "__import__"}


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    app: str
    imported: str

    def __str__(self) -> str:
        target = self.imported.split(".")[1]
        return (
            f"{self.path}:{self.line}: {self.app} (layer {LAYERS.get(self.app)}) imports {self.imported} "
            f"({target}, layer {LAYERS.get(target)})"
        )


def _module_name(path: Path) -> list[str]:
    parts = ["jembatan", *path.relative_to(ROOT).with_suffix("").parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


def _resolve(path: Path, node: ast.ImportFrom) -> str:
    """The absolute module of a `from … import`, relative ones resolved."""
    if node.level == 0:
        return node.module or ""
    package = _module_name(path)
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
    return ".".join([*base, *([node.module] if node.module else [])])


def imported_modules(path: Path, source: str) -> list[tuple[int, str]]:
    """(line, dotted module) of every import in `source`, at any depth."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = _resolve(path, node)
            found.append((node.lineno, module))
            # `from jembatan import cases` imports the app itself.
            if module == "jembatan":
                found.extend((node.lineno, f"jembatan.{alias.name}") for alias in node.names)
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            first = node.args[0]
            if name in DYNAMIC_IMPORTERS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((node.lineno, first.value))
    return found


def _is_test_module(path: Path) -> bool:
    return "tests" in path.relative_to(ROOT).parts[:-1]


def violations_in(path: Path, source: str) -> list[Violation]:
    relative = path.relative_to(ROOT)
    if len(relative.parts) < 2 or _is_test_module(path):
        return []
    app = relative.parts[0]
    found = []
    for line, module in imported_modules(path, source):
        parts = module.split(".")
        if parts[0] != "jembatan" or len(parts) < 2 or parts[1] == app:
            continue
        target = parts[1]
        if target not in LAYERS:
            continue  # not an app (jembatan/__init__ has nothing); unknown apps fail below
        if app not in LAYERS or LAYERS[target] >= LAYERS[app]:
            found.append(Violation(str(relative), line, app, module))
    return found


def all_violations() -> list[Violation]:
    found: list[Violation] = []
    for path in sorted(ROOT.rglob("*.py")):
        found.extend(violations_in(path, path.read_text(encoding="utf-8")))
    return found


def test_every_app_has_a_layer():
    apps = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert apps - LAYERS.keys() == set(), "place the new app in DESIGN.md's table and in LAYERS"


def test_apps_import_only_lower_layers():
    found = all_violations()
    unexpected = [str(v) for v in found if (v.path, v.imported) not in ALLOWED]
    assert unexpected == [], "imports against the layering (DESIGN.md):\n" + "\n".join(unexpected)
    stale = ALLOWED - {(v.path, v.imported) for v in found}
    assert stale == set(), f"remove from ALLOWED, these imports are gone: {sorted(stale)}"


@pytest.mark.parametrize(
    ("relative", "source", "expected"),
    [
        # Inside a function, as the traffic queries once did.
        ("traffic/overstays.py", "def f():\n    from jembatan.cases.models import Case\n", ["jembatan.cases.models"]),
        # Same layer is refused too.
        ("traffic/x.py", "import jembatan.missions.models\n", ["jembatan.missions.models"]),
        # Relative import climbing out of the app.
        ("audit/x.py", "from ..accounts import models\n", ["jembatan.accounts"]),
        ("core/x.py", "from jembatan import people\n", ["jembatan.people"]),
        # A literal dotted path loaded at run time is an import.
        ("people/x.py", "from importlib import import_module\nimport_module('jembatan.cases.rules')\n", ["jembatan.cases.rules"]),
        # Allowed: downwards, within the app, tests, a path kept in a setting.
        ("cases/x.py", "from jembatan.traffic.overstays import overstay_get\nfrom . import rules\n", []),
        ("traffic/tests/test_x.py", "from jembatan.cases.models import Case\n", []),
        ("traffic/x.py", "from django.conf import settings\nimport_string(settings.JEMBATAN_WHEREABOUTS_EXTRAS[0])\n", []),
    ],
)
def test_the_check_sees_every_kind_of_import(relative, source, expected):
    assert [v.imported for v in violations_in(ROOT / relative, source)] == expected
