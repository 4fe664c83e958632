"""The package's shape: imports run one way, the core never reaches for the CLI, every
module ships in the wheel, and no function is too long to read at once.

Imports are read from the source (including those inside functions and under
``TYPE_CHECKING``, which are left out of the cycle check since they never run).
"""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.support.imports import find_cycle, import_graph

PACKAGE = Path(__file__).resolve().parents[1] / "cstool"
MAX_FUNCTION_LINES = 60


def test_no_import_cycles_counting_imports_inside_functions():
    graph = import_graph(PACKAGE)
    assert "cstool.desk.store" in graph  # the walk found the package
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def test_core_never_imports_the_commands_or_click():
    graph = import_graph(PACKAGE, external=True)
    offenders = []
    for module, targets in graph.items():
        if module.startswith("cstool.commands") or module in ("cstool.cli", "cstool.cli_help", "cstool.__main__"):
            continue
        offenders += [f"{module} imports {t}" for t in targets
                      if t == "click" or t.startswith("click.") or t.startswith("cstool.commands") or t == "cstool.cli"]
    assert offenders == []


def test_a_planted_cycle_and_a_core_to_commands_import_are_caught(tmp_path):
    pkg = tmp_path / "cstool"
    (pkg / "desk").mkdir(parents=True)
    (pkg / "commands").mkdir()
    for init in (pkg / "__init__.py", pkg / "desk" / "__init__.py", pkg / "commands" / "__init__.py"):
        init.write_text("", encoding="utf-8")
    (pkg / "desk" / "a.py").write_text("def f():\n    from cstool.desk import b\n", encoding="utf-8")
    (pkg / "desk" / "b.py").write_text("from cstool.desk.a import f\n", encoding="utf-8")
    (pkg / "desk" / "c.py").write_text("def g():\n    import click\n    from cstool.commands import x\n",
                                       encoding="utf-8")
    (pkg / "commands" / "x.py").write_text("", encoding="utf-8")
    graph = import_graph(pkg, external=True)
    assert set(find_cycle(import_graph(pkg)) or []) == {"cstool.desk.a", "cstool.desk.b"}
    assert {"click", "cstool.commands.x"} <= graph["cstool.desk.c"]


def test_imports_for_annotations_only_do_not_count():
    source = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from cstool.desk.store import Desk\n")
    tree = ast.parse(source)
    from tests.support.imports import imported_modules

    assert imported_modules(tree, "cstool.domain.x", known={"cstool.desk.store"}) == set()


def test_no_function_is_longer_than_sixty_lines():
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name} ({lines} lines)")
    assert long == []


def test_the_wheel_holds_every_module_and_data_file(tmp_path):
    root = PACKAGE.parent
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(tmp_path), str(root)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("cstool-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {p.relative_to(root).as_posix() for p in PACKAGE.rglob("*.py")}
    expected |= {p.relative_to(root).as_posix() for p in PACKAGE.rglob("*.yaml")}
    missing = sorted(expected - names)
    assert missing == []
