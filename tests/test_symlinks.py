"""No symbolic link is followed out of a desk.

A link committed to the desk's repository (``.cstool``, ``.cstool/lock``, a folder under
``tickets/``, a ticket file) must not make a teammate's or a CI runner's ordinary command
truncate, replace or read a file elsewhere: the command refuses (exit 3, nothing
written) or, for reading commands, skips the linked file, and ``verify`` reports it.
Each test plants a link to a victim outside the desk and checks the victim byte for byte.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.desk import assert_refusal, git
from tests.support.roster import AGENT, MANAGER


def _victim_dir(tmp_path: Path) -> Path:
    victim = tmp_path / "victim"
    victim.mkdir()
    for name in ("lock", "index.sqlite", "config.json", "notes.yaml"):
        (victim / name).write_bytes(f"precious {name}\n".encode())
    return victim


def _contents(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_cstool_folder_linked_elsewhere_is_refused(git_desk, tmp_path):
    """A committed ``.cstool`` link (git add -f gets past the ignore rule): every command
    refuses; the folder it points to is untouched."""
    d = git_desk
    tid = d.create("--type", "inquiry", "--title", "问询", as_=AGENT)
    victim = _victim_dir(tmp_path)
    before = _contents(victim)
    cache = d.root / ".cstool"
    for p in sorted(cache.rglob("*"), reverse=True):
        p.unlink() if not p.is_dir() else p.rmdir()
    cache.rmdir()
    cache.symlink_to(victim, target_is_directory=True)
    git(d.root, "add", "-f", ".cstool")
    git(d.root, "-c", "user.email=t@example.com", "-c", "user.name=T", "commit", "-q", "-m", "plant")
    for args in (("create", "--type", "inquiry", "--title", "新单"), ("note", tid, "-m", "备注"), ("list",),
                 ("export", "--format", "json")):
        res = d.run(*args, as_=MANAGER)
        assert_refusal(res, 3, ".cstool", "symbolic link")
    assert _contents(victim) == before
    assert sorted(p.name for p in victim.iterdir()) == sorted(before)


def test_a_lock_file_linked_elsewhere_is_refused(git_desk, tmp_path):
    d = git_desk
    tid = d.create("--type", "inquiry", "--title", "问询", as_=AGENT)
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"a file of someone else's\n")
    lock = d.root / ".cstool" / "lock"
    lock.unlink()
    lock.symlink_to(victim)
    before = d.snapshot()
    for args in (("note", tid, "-m", "备注"), ("create", "--type", "inquiry", "--title", "新单")):
        assert_refusal(d.run(*args, as_=MANAGER), 3, ".cstool/lock", "symbolic link", "nothing was written")
    assert victim.read_bytes() == b"a file of someone else's\n"
    assert d.snapshot() == before


def test_a_linked_folder_under_tickets_gets_no_writes(git_desk, tmp_path):
    """tickets/2026 → a folder elsewhere: a new ticket of 2026 would land outside the desk."""
    d = git_desk
    outside = tmp_path / "outside"
    outside.mkdir()
    (d.root / "tickets" / "2026").symlink_to(outside, target_is_directory=True)
    res = d.run("create", "--type", "inquiry", "--title", "新单", as_=AGENT)
    assert_refusal(res, 3, "tickets/2026", "symbolic link", "nothing was written")
    assert list(outside.rglob("*")) == []
    findings = d.run("verify", "--json", as_=MANAGER).json["findings"]
    assert ("symlink", "tickets/2026") in [(f["code"], f["file"]) for f in findings]


def test_a_ticket_file_linked_to_a_yaml_file_elsewhere_is_not_read(git_desk, tmp_path):
    """A ticket file that is a link to any YAML file on the machine (here a valid ticket
    holding a secret): export, list and show skip it, a change refuses, verify reports it."""
    d = git_desk
    real = d.create("--type", "inquiry", "--title", "真实工单", as_=AGENT)
    secret = tmp_path / "secret.yaml"
    fake = real[:-7] + "ZZZZZZZ"[: len(real[-7:])]
    text = d.path(real).read_text(encoding="utf-8").replace(real, fake).replace("真实工单", "机密内容")
    secret.write_text(text, encoding="utf-8")
    before = secret.read_bytes()
    link = d.path(real).with_name(f"{fake}.yaml")
    link.symlink_to(secret)
    exported = d.ok("export", "--format", "json", as_=MANAGER).stdout
    assert "机密内容" not in exported and real in exported
    assert "机密内容" not in d.ok("list", "--json", "--limit", "0", as_=MANAGER).stdout
    assert d.run("show", fake, as_=MANAGER).exit_code == 2  # no such ticket: the link is not one
    assert d.run("note", fake, "-m", "改一下", as_=MANAGER).exit_code == 2
    assert secret.read_bytes() == before
    res = d.run("verify", "--json", as_=MANAGER)
    assert res.exit_code == 1
    rel = link.relative_to(d.root).as_posix()
    assert "symlink" in [f["code"] for f in res.json["findings"] if f["file"] == rel]  # (and uncommitted)


def test_verify_reports_links_under_customers_and_templates(desk, tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text("type: inquiry\n", encoding="utf-8")
    (desk.root / "templates" / "linked.yaml").symlink_to(other)
    (desk.root / "customers" / "C-AAAAAA.yaml").symlink_to(other)
    res = desk.run("verify", "--json", as_=MANAGER)
    assert res.exit_code == 1
    found = {(f["code"], f["file"]) for f in res.json["findings"]}
    assert {("symlink", "templates/linked.yaml"), ("symlink", "customers/C-AAAAAA.yaml")} <= found
    assert_refusal(desk.run("create", "--type", "inquiry", "--title", "x", "--template", "linked", as_=AGENT),
                   3, "symbolic link")


def test_gitignore_ignores_cstool_whatever_its_type(new_desk, tmp_path):
    """``.cstool`` without a trailing slash: a file or a link of that name is ignored too,
    so ``git add -A`` never commits one by accident."""
    d = new_desk("fresh", git=True)
    lines = (d.root / ".gitignore").read_text(encoding="utf-8").split()
    assert ".cstool" in lines and ".cstool/" not in lines
    cache = d.root / ".cstool"
    if cache.exists():
        for p in sorted(cache.rglob("*"), reverse=True):
            p.unlink() if not p.is_dir() else p.rmdir()
        cache.rmdir()
    os.symlink(tmp_path, cache)
    assert git(d.root, "check-ignore", "-q", ".cstool", check=False).returncode == 0
    repo_root = Path(__file__).resolve().parents[1]
    for gitignore in (repo_root / ".gitignore", repo_root / "records" / ".gitignore"):
        assert ".cstool" in gitignore.read_text(encoding="utf-8").split(), gitignore
