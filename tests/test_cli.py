"""The command line itself: every command's help, lazy loading, entry points."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from cstool.cli import COMMANDS, cli
from tests.support.desk import cstool_process


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help(name):
    res = CliRunner().invoke(cli, [name, "--help", "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert f"Usage: cli {name}" in res.output or f"Usage: cstool {name}" in res.output or "Usage:" in res.output


def test_top_level_help_lists_every_command_without_importing_them():
    code = ("import sys; from cstool.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit: pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('cstool.commands.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    for name in COMMANDS:
        assert name in out
    assert out.strip().splitlines()[-1] == "[]"


def test_a_broken_command_module_fails_loudly(monkeypatch):
    monkeypatch.setitem(COMMANDS, "broken", ("cstool.commands.no_such_module", "x"))
    with pytest.raises(ModuleNotFoundError):
        CliRunner().invoke(cli, ["broken"], catch_exceptions=False)


def test_python_dash_m_and_version():
    proc = cstool_process("--version")
    assert proc.returncode == 0 and "cstool" in proc.stdout


def test_unknown_command_is_a_usage_error():
    proc = cstool_process("--lang", "en", "frobnicate")
    assert proc.returncode == 2 and "no such command 'frobnicate'" in proc.stderr.lower()
