"""The two command lines, `python -m app` and `python -m headoffice`, as a structure: every command group listed
and registered in `--help` order, a group that cannot be loaded stopping the command line loudly (never a command
quietly gone), `--help` loading no heavy library, and imports pointing down: nothing below the command line imports it.
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import app.cli
import headoffice.cli

ROOT = Path(__file__).resolve().parents[2]

APP_COMMANDS = ["demo-data", "cases", "check", "plan-route", "report", "export", "sync", "audit", "security",
                "map-prefetch"]
HEADOFFICE_COMMANDS = ["init-db", "serve", "create-user", "set-phone", "pair", "import-cases", "demo-data", "prune-changes",
                       "letters"]
CLIS = [pytest.param(app.cli, "doorstep: ", id="app"), pytest.param(headoffice.cli, "error: ", id="headoffice")]

# Libraries that only a running command may load: `--help` must stay fast.
HEAVY = {"sqlalchemy", "alembic", "sqlcipher3", "reportlab", "openpyxl", "httpx", "httpcore", "PySide6", "shiboken6",
         "ortools", "numpy", "folium", "jinja2", "branca", "keyring", "cryptography", "pydantic", "fastapi",
         "starlette", "uvicorn", "argon2", "psycopg", "phonenumbers", "cn2an", "tenacity"}


def _commands(parser: argparse.ArgumentParser) -> list[str]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(action.choices)


def test_every_command_group_is_registered_in_help_order() -> None:
    assert _commands(app.cli.build_parser()) == APP_COMMANDS
    assert _commands(headoffice.cli.build_parser()) == HEADOFFICE_COMMANDS


@pytest.mark.parametrize("cli", [app.cli, headoffice.cli], ids=["app", "headoffice"])
def test_every_command_module_is_in_the_registry(cli: ModuleType) -> None:
    """A module in the package is a command group, and only the registry makes it one: none may be left out."""
    folder = Path(cli.__file__).parent
    modules = {f"{cli.__name__}.{p.stem}" for p in folder.glob("*.py") if p.stem not in ("__init__", "common")}
    assert modules == set(cli.COMMAND_GROUPS)
    assert len(cli.COMMAND_GROUPS) == len(set(cli.COMMAND_GROUPS))


def _broken_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: ModuleType) -> list[tuple[str, str]]:
    """(group module name, what the message must name) for each way a group can fail to load."""
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "doorstep_test_group_needs_a_library.py").write_text(
        "import doorstep_test_library_not_installed\n\ndef register(sub, common):\n    pass\n", encoding="utf-8")
    (tmp_path / "doorstep_test_group_raises.py").write_text("raise RuntimeError('half-built module')\n",
                                                            encoding="utf-8")
    return [
        (f"{cli.__name__}.no_such_group", f"No module named '{cli.__name__}.no_such_group'"),
        ("doorstep_test_group_needs_a_library", "No module named 'doorstep_test_library_not_installed'"),
        ("doorstep_test_group_raises", "RuntimeError: half-built module"),
        (f"{cli.__name__}.common", "has no attribute 'register'"),
    ]


@pytest.mark.parametrize(("cli", "prefix"), CLIS)
def test_a_command_group_that_cannot_load_stops_the_command_line(
        cli: ModuleType, prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    registry = cli.COMMAND_GROUPS
    for group, cause in _broken_groups(tmp_path, monkeypatch, cli):
        monkeypatch.setattr(cli, "COMMAND_GROUPS", (*registry, group))
        with pytest.raises(cli.CommandGroupError, match=group) as info:
            cli.build_parser()
        assert info.value.__cause__ is not None
        # Not the help without that group's commands: the run stops, says which group and why, exit 70.
        for argv in (["--help"], [_commands_of(cli)[0], "--help"]):
            code = cli.main(argv)
            out, err = capsys.readouterr()
            assert code == 70 and out == ""
            last = err.strip().splitlines()[-1]
            assert last.startswith(f"{prefix}broken installation: the command group {group} could not be loaded")
            assert cause in last


def _commands_of(cli: ModuleType) -> list[str]:
    return APP_COMMANDS if cli is app.cli else HEADOFFICE_COMMANDS


@pytest.mark.parametrize("package", ["app", "headoffice"])
def test_python_dash_m_exits_non_zero_on_a_missing_group(package: str) -> None:
    code = (f"import runpy, {package}.cli as cli\n"
            f"cli.COMMAND_GROUPS += ('{package}.cli.no_such_group',)\n"
            f"runpy.run_module({package!r}, run_name='__main__', alter_sys=True)\n")
    done = subprocess.run([sys.executable, "-c", code, "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 70, done.stderr
    assert done.stdout == ""
    assert f"the command group {package}.cli.no_such_group could not be loaded" in done.stderr


@pytest.mark.parametrize("package", ["app", "headoffice"])
def test_help_loads_no_heavy_library(package: str) -> None:
    code = ("import runpy, sys\n"
            "try:\n"
            f"    runpy.run_module({package!r}, run_name='__main__', alter_sys=True)\n"
            "except SystemExit as exc:\n"
            "    assert exc.code == 0, exc.code\n"
            "print('\\nLOADED', ' '.join(sorted({m.split('.')[0] for m in sys.modules})))\n")
    done = subprocess.run([sys.executable, "-c", code, "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, check=True)
    assert "usage: python -m" in done.stdout
    loaded = set(done.stdout.rsplit("LOADED", 1)[1].split())
    assert loaded & HEAVY == set()


def _imported(path: Path, package: str) -> set[str]:
    """Every module name a file imports (relative imports resolved; `from x import y` counts x and x.y)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _package_of(path: Path) -> str:
    """The package a file's relative imports start from (its folder, for a module and for an `__init__`)."""
    return ".".join(path.relative_to(ROOT).parts[:-1])


@pytest.mark.parametrize("top", ["app", "headoffice"])
def test_nothing_below_the_command_line_imports_it(top: str) -> None:
    cli = f"{top}.cli"
    offenders = []
    for path in sorted((ROOT / top).rglob("*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[1] in ("cli", "__main__.py"):
            continue
        hits = {n for n in _imported(path, _package_of(path)) if n == cli or n.startswith(cli + ".")}
        if hits:
            offenders.append(f"{rel}: {', '.join(sorted(hits))}")
    assert offenders == []


def test_the_command_line_stays_off_the_gui() -> None:
    """`app/cli` sits beside `app/ui`, over the services: it never imports the window's code or Qt."""
    for path in sorted((ROOT / "app" / "cli").glob("*.py")):
        names = _imported(path, "app.cli")
        assert not {n for n in names if n == "app.ui" or n.startswith(("app.ui.", "PySide6"))}, path.name
