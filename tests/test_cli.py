"""The console entry point `citydip` (pyproject [project.scripts]): version, help on every
option of every subcommand, and the same commands as `python -m analysis`."""

from __future__ import annotations

import argparse
import subprocess
import sys
import tomllib

import pytest

from analysis.__main__ import build_parser, main
from tests.conftest import ROOT


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def test_entry_point_declared() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert meta["project"]["scripts"]["citydip"] == "analysis.__main__:main"


def test_every_option_has_help() -> None:
    missing = []
    for name, sub in _subparsers(build_parser()).items():
        assert sub.description or sub.format_usage(), name
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            if not action.help:
                missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}")
    assert not missing, f"options without help text: {missing}"


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("citydip ") and out.split()[1][0].isdigit(), out


def test_unknown_command_fails_with_usage(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2
    assert "invalid choice: 'no-such-command'" in capsys.readouterr().err


def test_module_and_help_run_as_processes() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "analysis", "fit", "--help"], capture_output=True, text=True
    )
    assert run.returncode == 0
    assert "--spec SPEC" in run.stdout and "config/models/<hypothesis>.yaml" in run.stdout
