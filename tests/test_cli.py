"""The command line itself: every command's help, lazy loading, entry points."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from cstool.cli import COMMANDS, cli
from tests.support.desk import LEAD, NOW, cstool_process


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


@pytest.mark.parametrize("args", [["list"], ["due"], ["show", "{id}"], ["export", "--format", "csv"]])
def test_a_reader_that_stops_reading_ends_the_command_quietly(desk, args):
    """`cstool due | head -1`: once the reader is gone the command stops with the shell's SIGPIPE
    status and says nothing (it reported an unexpected error claiming nothing was written)."""
    ticket = desk.create("--type", "complaint", "--title", "门店营业时间")
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before the first line is written
    try:
        proc = subprocess.run([sys.executable, "-m", "cstool", *[a.format(id=ticket) for a in args],
                               "--lang", "zh", "--now", NOW], cwd=desk.root, env={**os.environ, "CSTOOL_USER": LEAD},
                              stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(write_end)
    assert proc.returncode == 141, proc.stderr
    assert proc.stderr == ""
