"""The layers are a test: import-linter's contracts (pyproject.toml) and what it cannot see.

import-linter sees packages, not names, so the finer rules are read from the source here:
only the crypto module uses argon2's low-level API, and the domain never names Flask's
request objects (it does not import Flask at all, which the contracts check).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CAMPAIGN = ROOT / "campaign"


def test_import_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _imported_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_only_crypto_uses_argon2_low_level_and_accounts_only_the_password_hasher() -> None:
    for path in CAMPAIGN.rglob("*.py"):
        names = {n for n in _imported_names(path) if n.startswith("argon2")}
        relative = path.relative_to(ROOT).as_posix()
        if relative == "campaign/cases/crypto.py":
            continue
        if relative == "campaign/cases/accounts.py":
            assert all(not n.startswith("argon2.low_level") for n in names), names
            continue
        assert not names, f"{relative} imports {sorted(names)}"


def test_the_domain_never_names_the_request_cycle() -> None:
    forbidden = {"flask.request", "flask.Blueprint", "flask.render_template", "flask.g"}
    for path in (CAMPAIGN / "cases").rglob("*.py"):
        assert not _imported_names(path) & forbidden, path
