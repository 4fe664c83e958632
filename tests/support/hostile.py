"""Hostile desk files: what a careless or malicious teammate can commit, one kind each.

``HOSTILE`` maps a kind to a function that writes such a file into a desk (given a good
ticket file to start from) and returns the path it wrote (relative to the desk) and the
line the problem is on. Every kind is a file a reading command must skip and name, and
that ``verify`` must report.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

BAD_ID = "CS-2026-ZZZZZZZ"


def _ticket_text(good: Path) -> str:
    return good.read_text(encoding="utf-8")


def _place(root: Path, good: Path, text: str | bytes) -> tuple[str, int]:
    path = good.parent / f"{BAD_ID}.yaml"
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    path.write_bytes(data)
    return path.relative_to(root).as_posix(), 0


def _as_bad(good: Path) -> str:
    return _ticket_text(good).replace(good.stem, BAD_ID)


def _line(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


def surrogate(root: Path, good: Path) -> tuple[str, int]:
    text = _as_bad(good)
    text = text.replace("\ntitle: ", '\ntitle: "x\\ud800y"\nold_title: ', 1)
    rel, _ = _place(root, good, text)
    return rel, _line(text, "ud800")


def banana_time(root: Path, good: Path) -> tuple[str, int]:
    text = _as_bad(good)
    start = text.index("\nupdated: ") + 1
    end = text.index("\n", start)
    text = text[:start] + "updated: banana" + text[end:]
    rel, _ = _place(root, good, text)
    return rel, _line(text, "banana")


def deep_nesting(root: Path, good: Path) -> tuple[str, int]:
    nested = "fields: " + "[" * 40 + "]" * 40 + "\n"
    text = _as_bad(good) + nested
    rel, _ = _place(root, good, text)
    return rel, _line(text, "fields:")


def too_big(root: Path, good: Path) -> tuple[str, int]:
    text = _as_bad(good) + "note: '" + "x" * (4 * 1024 * 1024) + "'\n"
    return _place(root, good, text)


def not_utf8(root: Path, good: Path) -> tuple[str, int]:
    text = _as_bad(good) + "note: h\xffllo\n"
    data = text.encode("utf-8").replace("\xff".encode(), b"\xff")
    rel, _ = _place(root, good, data)
    return rel, _line(text, "\xff")


def python_tag(root: Path, good: Path) -> tuple[str, int]:
    text = _as_bad(good) + "extra: !!python/object/apply:os.system ['echo pwned']\n"
    rel, _ = _place(root, good, text)
    return rel, _line(text, "!!python")


def not_a_mapping(root: Path, good: Path) -> tuple[str, int]:
    return _place(root, good, "- just\n- a list\n")[0], 1


def history_scalar(root: Path, good: Path) -> tuple[str, int]:
    text = _as_bad(good)
    text = text[:text.index("\nhistory:") + 1] + "history: 5\n"
    rel, _ = _place(root, good, text)
    return rel, _line(text, "history: 5")


def customer_since_banana(root: Path, good: Path) -> tuple[str, int]:
    folder = root / "customers"
    folder.mkdir(exist_ok=True)
    path = folder / "C-9999.yaml"
    path.write_text("id: C-9999\nname: 坏客户\ntier: A\nsince: banana\n", encoding="utf-8")
    return path.relative_to(root).as_posix(), 4


HOSTILE: dict[str, Callable[[Path, Path], tuple[str, int]]] = {
    "lone surrogate": surrogate,
    "timestamp banana": banana_time,
    "40-level nesting": deep_nesting,
    "over 4 MiB": too_big,
    "invalid UTF-8": not_utf8,
    "!!python tag": python_tag,
    "a list": not_a_mapping,
    "history: 5": history_scalar,
    "customer since banana": customer_since_banana,
}
