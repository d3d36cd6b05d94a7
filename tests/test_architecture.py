"""The layers hold: an import runs only downward (cli > benchmarks > ui, experiments > model > agents > world).

The contracts are written in pyproject.toml ([tool.importlinter]) and checked here with
import-linter, so a change that imports back up fails the suite.  The contracts carry
no ignored imports: a broken contract is a design question, not an exception to add.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def test_the_import_contracts_are_kept(capsys):
    from importlinter.cli import lint_imports

    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    report = capsys.readouterr().out
    assert code == 0, report
    assert "BROKEN" not in report and "0 broken" in report


def test_the_contracts_cover_every_package_and_ignore_nothing():
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    assert packages - {"tests"} <= set(CONFIG["root_packages"])
    for contract in CONFIG["contracts"]:
        assert "ignore_imports" not in contract, contract["name"]


def test_the_page_only_lays_out_what_the_ui_package_prepares():
    tree = ast.parse((ROOT / "app.py").read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    ours = imported - set(sys.stdlib_module_names) - {"__future__", "solara"}
    assert ours == {"ui"}, f"app.py imports {sorted(ours)}; it should take everything from the ui package"


@pytest.mark.parametrize("package", ["sim", "agents", "experiments", "benchmarks", "ui"])
def test_nothing_below_the_command_line_imports_it(package):
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n == "cli" or n.startswith("cli.") for n in names), f"{path} imports the CLI"
