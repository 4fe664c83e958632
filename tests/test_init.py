"""``cstool init``: config, templates, .gitignore for the cache, git and a first commit."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

from tests.support.desk import DESK_NAME, CliDesk, assert_refusal, invoke, load_yaml
from tests.support.roster import MANAGER, NAMES


def test_init_creates_config_templates_gitignore_and_first_commit(git_desk):
    root = git_desk.root
    config = load_yaml(root / "cstool.yaml")
    assert config["desk"]["name"] == DESK_NAME
    assert config["desk"]["timezone"] == "Asia/Shanghai"
    # the person who ran init is the roster init wrote, as its manager (the fixture then
    # put the sample team in its place, in a commit of its own)
    first = git_desk.git("rev-list", "--max-parents=0", "HEAD").split()
    assert len(first) == 1
    as_init_wrote = YAML(typ="safe", pure=True).load(git_desk.git("show", f"{first[0]}:cstool.yaml"))
    assert as_init_wrote["roster"] == [{
        "id": MANAGER, "name": NAMES[MANAGER], "role": "manager",
        "groups": ["inquiry", "complaint", "followup", "after_sales", "tech"],
    }]
    # working hours 08:30-17:30 Monday to Friday by default
    assert config["calendar"]["hours"]["mon"] == ["08:30-17:30"]
    assert "sat" not in config["calendar"]["hours"]
    # one template per configured type, each naming its type
    templates = root / "templates"
    for type_key, spec in config["types"].items():
        name = spec.get("template", type_key)
        assert load_yaml(templates / f"{name}.yaml")["type"] == type_key
    # the cache is ignored by git
    gitignore = (root / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".cstool" in gitignore
    # a git repository whose first commit holds the desk, made by the manager
    assert (root / ".git").is_dir()
    subjects = git_desk.git("log", "--reverse", "--format=%an|%ae|%s").splitlines()
    assert subjects[0] == f"{NAMES[MANAGER]}|{MANAGER}|Create desk {DESK_NAME} (by {MANAGER})"
    files = set(git_desk.git("show", "--name-only", "--format=", first[0]).split())
    assert {"cstool.yaml", ".gitignore"} <= files
    assert {f"templates/{p.name}" for p in templates.glob("*.yaml")} <= files
    assert git_desk.git("status", "--porcelain") == ""


def test_init_without_git_makes_no_repository(tmp_path):
    root = tmp_path / "plain"
    res = invoke(["--as", MANAGER, "init", str(root), "--no-git"])
    assert res.exit_code == 0, res.stderr
    assert (root / "cstool.yaml").is_file() and not (root / ".git").exists()
    assert ".cstool" in (root / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_a_new_desk_is_usable_at_once(desk):
    res = desk.ok("list")
    assert res.stderr == ""
    assert desk.ok("list", "--json").json == []


def test_init_refuses_an_existing_desk(desk):
    before = desk.snapshot()
    res = desk.run("init", str(desk.root), as_=MANAGER, now=None)
    assert_refusal(res, 2, "already a desk", str(desk.root))
    assert desk.snapshot() == before


def test_init_refuses_an_existing_git_desk_and_makes_no_commit(git_desk):
    head = git_desk.git("rev-parse", "HEAD")
    before = git_desk.snapshot()
    res = git_desk.run("init", str(git_desk.root), as_=MANAGER, now=None)
    assert_refusal(res, 2, "already a desk")
    assert git_desk.snapshot() == before
    assert git_desk.git("rev-parse", "HEAD") == head


def test_init_keeps_an_existing_gitignore_and_adds_the_cache(tmp_path):
    root = tmp_path / "existing"
    root.mkdir()
    (root / ".gitignore").write_text("*.bak\n", encoding="utf-8")
    res = invoke(["--as", MANAGER, "init", str(root), "--no-git"])
    assert res.exit_code == 0, res.stderr
    lines = (root / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "*.bak" and ".cstool" in lines


def test_init_with_a_bad_prefix_writes_nothing(tmp_path):
    root = tmp_path / "nope"
    res = invoke(["--as", MANAGER, "init", str(root), "--no-git", "--prefix", "cs-1"])
    assert_refusal(res, 2, "--prefix")
    assert not root.exists()


def test_init_without_an_identity_writes_nothing(tmp_path):
    root = tmp_path / "anon"
    res = invoke(["init", str(root), "--no-git"])
    assert_refusal(res, 2, "--as")
    assert not root.exists()


def test_init_prefix_is_used_for_ids(tmp_path):
    root = tmp_path / "hd"
    assert invoke(["--as", MANAGER, "init", str(root), "--no-git", "--prefix", "HD"]).exit_code == 0
    desk = CliDesk(root)
    tid = desk.create("--type", "inquiry", "--title", "前缀", as_=MANAGER)
    assert tid.startswith("HD-2026-")
    assert isinstance(desk.path(tid), Path)


def test_init_without_a_folder_creates_the_desk_named_by_store(tmp_path, monkeypatch):
    """`cstool --store DIR init` makes the desk at DIR, not in the current folder."""
    monkeypatch.chdir(tmp_path)
    res = invoke(["--store", str(tmp_path / "new-desk"), "--as", MANAGER, "init", "--no-git"])
    assert res.exit_code == 0, res.stderr
    assert (tmp_path / "new-desk" / "cstool.yaml").is_file()
    assert not (tmp_path / "cstool.yaml").exists()
