"""``cstool verify --history``: check that the desk's git history was made honestly.

For every commit of the range that changes ``tickets/``, ``customers/`` or ``cstool.yaml``:

- a ticket's history only grows: every event of each parent version is still there,
  unchanged and in order; files are never deleted; only a merge commit adds events by
  ``cstool-merge`` (what the merge driver records), and a merge adds nothing else;
- every event the commit adds was made by the commit's committer: ``by`` is the
  committer's email, or the event carries ``recorded_by`` equal to it and the committer
  is a lead or above (a lead recording for another roster person);
- those people are on the roster, with a role that permits the action, as the config
  stood in the commit's parent (promoting oneself and acting in one push is caught);
- changes to ``cstool.yaml``'s roster, permissions or history settings come from a role
  the ``config`` permission allows (default: manager);
- an added event is not earlier than the event before it, and its ``at`` lies at most
  ``history.backfill_tolerance`` before the commit's committer date unless it carries a
  ``backfill`` reason recorded by a lead or above;
- the current fields replay from the history;
- a new ticket file holding another system's history is an import: its last event is an
  ``import`` event by the committer, who may import (default: supervisor and above).

The history is read in one ``git log --raw`` pass and one ``git cat-file --batch`` pass.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cstool.config.parse import parse_config
from cstool.config.schema import ROLES, Config, Person
from cstool.desk import yamlio
from cstool.domain import history as replaying
from cstool.domain import permissions
from cstool.domain.merge import MERGE_ACTOR, canonical
from cstool.errors import CstoolError, DeskError
from cstool.git import repo
from cstool.messages import Joined, Phrase

CONFIG_FILE = "cstool.yaml"
NULL_SHA = "0" * 40
WATCHED_CONFIG_KEYS = ("roster", "permissions", "history")


@dataclass(frozen=True)
class Finding:
    commit: str
    file: str
    ticket: str | None
    code: str
    message: Any  # a Phrase of the catalogue (or a text)

    def words(self, lang: str = "en") -> str:
        """The message in lang."""
        return self.message.text(lang) if hasattr(self.message, "text") else str(self.message)

    def text(self, lang: str = "en") -> str:
        """The finding as one line: commit, file and the message in lang."""
        return f"{self.commit[:10]} {self.file}: {self.words(lang)}"

    def as_json(self) -> dict[str, Any]:
        """The finding for --json; its message in English, whatever the run's language."""
        return {"commit": self.commit, "file": self.file, "ticket": self.ticket, "code": self.code, "message": self.words()}


@dataclass
class Commit:
    sha: str
    parents: list[str]
    committer: str
    date: int  # committer date, POSIX seconds
    changes: dict[str, dict[str, str]] = field(default_factory=dict)  # path -> {parent: old blob}; "" key: new blob

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


@dataclass
class Result:
    commits: int = 0  # commits read
    checked: int = 0  # commits that touched the desk's files
    findings: list[Finding] = field(default_factory=list)


# --------------------------------------------------------------------------- reading git


def read_commits(top: Path, rev_range: str) -> list[Commit]:
    """The commits of the range, parents before children, each with its changed files
    (against every parent) as blob ids: one ``git log --raw`` for all commits, one
    ``git diff-tree --stdin`` for the merges' diffs against each parent."""
    argv = ["git", "-c", "core.quotePath=false", "log", "--reverse", "--topo-order", "--diff-merges=off", "--raw",
            "--no-renames", "--no-abbrev",
            "--format=%x00%H%x1f%P%x1f%ce%x1f%ct", rev_range, "--"]
    proc = subprocess.run(argv, cwd=top, env=repo._read_env(), capture_output=True)
    if proc.returncode != 0:
        raise DeskError("error.history.range", range=rev_range, detail=repo._first_line(proc.stderr.decode("utf-8", "replace")))
    commits: list[Commit] = []
    for record in proc.stdout.decode("utf-8", "surrogateescape").split("\x00"):
        if not record.strip():
            continue
        head, _, body = record.partition("\n")
        sha, parents, email, when = head.split("\x1f")
        commit = Commit(sha, parents.split(), email.strip().lower(), int(when))
        if not commit.is_merge:
            _add_changes(commit, commit.parents[0] if commit.parents else NULL_SHA, body.splitlines())
        commits.append(commit)
    _read_merges(top, [c for c in commits if c.is_merge])
    return commits


def _read_merges(top: Path, merges: list[Commit]) -> None:
    if not merges:
        return
    pairs = [(m, p) for m in merges for p in m.parents]
    lines = "".join(f"{m.sha} {p}\n" for m, p in pairs)
    argv = ["git", "-c", "core.quotePath=false", "diff-tree", "--stdin", "--always", "-r", "--no-renames", "--no-abbrev"]
    proc = subprocess.run(argv, cwd=top, env=repo._read_env(), capture_output=True, input=lines.encode())
    if proc.returncode != 0:
        raise DeskError("error.git.failed", command="diff-tree", detail=repo._first_line(proc.stderr.decode("utf-8", "replace")))
    blocks: list[list[str]] = []
    for line in proc.stdout.decode("utf-8", "surrogateescape").splitlines():
        if line.startswith(":"):
            blocks[-1].append(line)
        elif line.strip():
            blocks.append([])
    for (merge, parent), block in zip(pairs, blocks, strict=True):
        _add_changes(merge, parent, block)
    for merge in merges:
        for entry in merge.changes.values():
            for parent in merge.parents:
                entry.setdefault(parent, "=")  # unchanged against this parent: the commit's own blob


def _add_changes(commit: Commit, parent: str, lines: list[str]) -> None:
    """Fold one ``--raw`` block (the diff against one parent) into commit."""
    for line in lines:
        if not line.startswith(":"):
            continue
        meta, _, path = line.partition("\t")
        parts = meta.split()
        entry = commit.changes.setdefault(path, {})
        entry[parent] = parts[2]
        entry[""] = parts[3]


def read_blobs(top: Path, shas: set[str]) -> dict[str, bytes]:
    """The content of each blob, in one ``git cat-file --batch`` run."""
    wanted = sorted(s for s in shas if s and s not in (NULL_SHA, "="))
    if not wanted:
        return {}
    proc = subprocess.run(["git", "cat-file", "--batch"], cwd=top, env=repo._read_env(), capture_output=True,
                          input=("\n".join(wanted) + "\n").encode())
    out: dict[str, bytes] = {}
    data, pos = proc.stdout, 0
    for sha in wanted:
        end = data.index(b"\n", pos)
        header = data[pos:end].split()
        pos = end + 1
        if len(header) < 3 or header[1] == b"missing":
            continue
        size = int(header[2])
        out[sha] = data[pos:pos + size]
        pos += size + 1
    return out


def blob_at(top: Path, rev: str, path: str) -> str:
    """The blob id of path in rev ("" when absent)."""
    proc = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{rev}:{path}"], cwd=top, env=repo._read_env(),
                          capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else ""


# --------------------------------------------------------------------------- checking


class _Context:
    """What the checks of one run share: blobs, parsed documents and configs, by blob id."""

    def __init__(self, top: Path, prefix: str, blobs: dict[str, bytes], config_blob: dict[str, str]):
        self.top, self.prefix, self.blobs, self.config_blob = top, prefix, blobs, config_blob
        self._docs: dict[str, Any] = {}
        self._configs: dict[str, Config | None] = {}

    def doc(self, sha: str, name: str) -> Any:
        if sha == NULL_SHA or not sha:
            return None
        if sha not in self._docs:
            try:
                self._docs[sha] = yamlio.loads_plain(self.blobs.get(sha, b""), name)
            except CstoolError:
                self._docs[sha] = "unreadable"
        return self._docs[sha]

    def config_of(self, commit_sha: str) -> Config | None:
        """The desk config as it stood in that commit (None when absent or invalid)."""
        sha = self.config_blob.get(commit_sha, "")
        if sha not in self._configs:
            data = self.doc(sha, CONFIG_FILE)
            try:
                self._configs[sha] = parse_config(data, Path(CONFIG_FILE)) if isinstance(data, dict) else None
            except CstoolError:
                self._configs[sha] = None
        return self._configs[sha]


def verify_history(root: Path, rev_range: str | None = None, require_signed: bool = False) -> Result:
    """Every finding of the module's checks over the range (default: all of HEAD's history)."""
    top = repo.work_tree(root)
    if top is None:
        raise DeskError("error.history.not_repo", root=root)
    rel = root.resolve().relative_to(top.resolve()).as_posix()
    prefix = "" if rel == "." else rel + "/"
    commits = read_commits(top, rev_range or "HEAD")
    config_path = prefix + CONFIG_FILE
    config_blob: dict[str, str] = {}
    for c in commits:
        first = c.parents[0] if c.parents else ""
        if first and first not in config_blob:
            config_blob[first] = blob_at(top, first, config_path)
        change = c.changes.get(config_path)
        config_blob[c.sha] = change[""] if change else config_blob.get(first, "")
    watched = [c for c in commits if any(_watched(p, prefix) for p in c.changes)]
    shas = {s for c in watched for p, ch in c.changes.items() if _watched(p, prefix) for s in ch.values()}
    shas |= {config_blob.get(p, "") for c in watched for p in c.parents} | {config_blob[c.sha] for c in watched}
    ctx = _Context(top, prefix, read_blobs(top, shas), config_blob)
    result = Result(commits=len(commits), checked=len(watched))
    for c in watched:
        result.findings.extend(check_commit(ctx, c))
    if require_signed and watched:
        result.findings.extend(check_signatures(ctx, watched))
    return result


def _watched(path: str, prefix: str) -> bool:
    if not path.startswith(prefix):
        return False
    rest = path[len(prefix):]
    return rest == CONFIG_FILE or (rest.endswith(".yaml") and rest.startswith(("tickets/", "customers/")))


def check_commit(ctx: _Context, c: Commit) -> list[Finding]:
    """The findings of one commit: its config change, then each ticket and customer file."""
    out: list[Finding] = []
    # a commit whose parent has no desk yet (the first commit, or the desk added to a repository
    # later) is judged by the config it brings
    had_desk = bool(c.parents) and bool(ctx.config_blob.get(c.parents[0]))
    config = ctx.config_of(c.parents[0] if had_desk else c.sha)
    if config is None:
        out.append(Finding(c.sha, CONFIG_FILE, None, "config",
                           Phrase("finding.history.no_config")))
        return out
    for path, entry in sorted(c.changes.items()):
        if not _watched(path, ctx.prefix):
            continue
        rest = path[len(ctx.prefix):]
        olds = {p: (entry[""] if old == "=" else old) for p, old in entry.items() if p}
        if rest == CONFIG_FILE:
            out.extend(_check_config_change(ctx, c, config, rest, entry[""], olds))
        else:
            out.extend(_check_file(ctx, c, config, rest, entry[""], olds))
    return out


def _check_config_change(ctx: _Context, c: Commit, config: Config, rest: str, new: str,
                         olds: dict[str, str]) -> list[Finding]:
    """A change of the watched keys of cstool.yaml: the roster needs the ``roster``
    permission, the permissions and history rules the ``config`` one."""
    def watched(sha: str) -> dict[str, str]:
        doc = ctx.doc(sha, rest)
        return {k: canonical(doc.get(k) if isinstance(doc, dict) else None) for k in WATCHED_CONFIG_KEYS}

    after = watched(new)
    befores = [watched(old) for old in olds.values()]
    if not befores or any(before == after for before in befores):
        return []
    changed = {k for before in befores for k in WATCHED_CONFIG_KEYS if before[k] != after[k]}
    needs = sorted({"roster" if k == "roster" else "config" for k in changed})
    person = config.person(c.committer)
    if person is not None and all(permissions.may(config, need, person) for need in needs):
        return []
    who = (Phrase("finding.history.who", who=c.committer, role=person.role) if person
           else Phrase("finding.history.who_unknown", who=c.committer))
    return [Finding(c.sha, rest, None, "config-change",
                    Phrase("finding.history.config_change", who=who, keys=", ".join(sorted(changed)),
                           needs=Joined([permissions.needed(config, need) for need in needs], "join.and")))]


def _events(doc: Any, key: str) -> list[dict]:
    seq = doc.get(key) if isinstance(doc, dict) else None
    return [ev for ev in seq if isinstance(ev, dict)] if isinstance(seq, list) else []


def _check_file(ctx: _Context, c: Commit, config: Config, rest: str, new: str, olds: dict[str, str]) -> list[Finding]:
    """A ticket or customer file: it only grows, and what the commit added is honest."""
    is_ticket = rest.startswith("tickets/")
    key = "history" if is_ticket else "visits"
    tid = rest.rsplit("/", 1)[-1][: -len(".yaml")]
    found: list[Finding] = []

    def add(code: str, message: Any) -> None:
        found.append(Finding(c.sha, rest, tid, code, message))

    doc = ctx.doc(new, rest)
    if doc is None:
        add("deleted", Phrase("finding.history.deleted", file=rest))
        return found
    if doc == "unreadable" or not isinstance(doc, dict):
        add("unreadable", Phrase("finding.history.unreadable", file=rest))
        return found
    events = _events(doc, key)
    keys = [canonical(ev) for ev in events]
    before: set[str] = set()
    for parent, old in olds.items():
        old_events = _events(ctx.doc(old, rest), key)
        old_keys = [canonical(ev) for ev in old_events]
        before.update(old_keys)
        lost = _first_lost(old_keys, keys)
        if lost is not None:
            ev = old_events[lost]
            add("rewritten", Phrase("finding.history.rewritten", n=lost + 1, parent=parent[:10],
                                    action=ev.get("action", "visit"), at=ev.get("at"), by=ev.get("by")))
    added = [i for i, k in enumerate(keys) if k not in before]
    new_file = all(old == NULL_SHA for old in olds.values())
    if is_ticket:
        _check_ticket_events(ctx, c, config, doc, events, added, new_file, add)
        _check_replay(ctx, doc, olds, rest, add)
    else:
        _check_visits(c, config, events, added, add)
    return found


def _first_lost(old: list[str], new: list[str]) -> int | None:
    """The index of the first old event not found, in order, in new (None: old is a subsequence)."""
    j = 0
    for i, k in enumerate(old):
        while j < len(new) and new[j] != k:
            j += 1
        if j == len(new):
            return i
        j += 1
    return None


def _check_replay(ctx: _Context, doc: Any, olds: dict[str, str], rest: str, add: Any) -> None:
    had: set[str] = set()
    for old in olds.values():
        old_doc = ctx.doc(old, rest)
        if isinstance(old_doc, dict):
            had.update(p.text("en") for p in replaying.disagreements(old_doc))
    for problem in replaying.disagreements(doc):
        if problem.text("en") not in had:
            add("replay", Phrase("finding.history.replay", problem=problem))


def _check_visits(c: Commit, config: Config, visits: list[dict], added: list[int], add: Any) -> None:
    person = config.person(c.committer)
    if person is None or not permissions.may(config, "customer", person):
        add("permission", Phrase("finding.history.customer", who=c.committer, needs=permissions.needed(config, "customer")))
    for i in added:
        by = str(visits[i].get("by") or "")
        if by.lower() != c.committer and str(visits[i].get("recorded_by") or "").lower() != c.committer:
            add("impersonation", Phrase("finding.history.visit_by", n=i + 1, at=visits[i].get("at"), by=by,
                                        committer=c.committer))


def _check_ticket_events(ctx: _Context, c: Commit, config: Config, doc: dict, events: list[dict], added: list[int],
                         new_file: bool, add: Any) -> None:
    """Each event the commit added: who made it, whether they might, and when."""
    imported = new_file and bool(events) and events[-1].get("action") == "import"
    state = replaying.blank_state()
    state.update(replaying.before_edits(doc, replaying.EDIT_STATE))
    added_set = set(added)
    for i, ev in enumerate(events):
        if i in added_set and not (imported and i < len(events) - 1):
            what = Phrase("finding.history.event", n=i + 1, action=ev.get("action"), at=ev.get("at"), by=ev.get("by"))
            if c.is_merge or ev.get("by") == MERGE_ACTOR:
                _check_merge_event(c, ev, what, add)
            else:
                _check_person(c, config, ev, state, what, add, _caused_by(events, i))
                _check_time(c, config, ev, events[i - 1] if i else None, what, add)
                if ev.get("action") == "import" and not imported:
                    add("import", Phrase("finding.history.import", what=what))
        replaying.step(state, ev)


def _check_merge_event(c: Commit, ev: dict, what: Phrase, add: Any) -> None:
    if not c.is_merge:
        add("merge-event", Phrase("finding.history.merge_only", what=what, actor=MERGE_ACTOR))
    elif ev.get("by") != MERGE_ACTOR:
        add("merge-event", Phrase("finding.history.merge_new", what=what, actor=MERGE_ACTOR))


def _rank(person: Person | None) -> int:
    return ROLES.index(person.role) if person is not None else -1


def _caused_by(events: list[dict], i: int) -> str | None:
    """The action whose consequence event i is: an unsatisfied follow-up call reopens and
    escalates the ticket in the same command (same time, same person), and an edit that
    makes a complaint major escalates it to the level that needs."""
    ev, prev = events[i], events[i - 1] if i else None
    while prev is not None and ev.get("action") in ("reopen", "escalate"):
        if (prev.get("at"), prev.get("by")) != (ev.get("at"), ev.get("by")):
            return None
        if prev.get("action") in ("followup", "edit"):  # an edit making a complaint major moves it up
            return str(prev.get("action"))
        i -= 1
        prev = events[i - 1] if i else None
    return None


def _check_person(c: Commit, config: Config, ev: dict, state: dict, what: Phrase, add: Any,
                  caused_by: str | None = None) -> None:
    """The event is the committer's (or a lead's recording for someone), permitted to them."""
    by = str(ev.get("by") or "")
    recorder = str(ev.get("recorded_by") or "")
    if recorder:
        if recorder.lower() != c.committer:
            add("impersonation", Phrase("finding.history.recorded_by", what=what, recorder=recorder, committer=c.committer))
        elif _rank(config.person(recorder)) < ROLES.index("lead"):
            add("acting-for", Phrase("finding.history.acting_for", what=what, by=by, recorder=recorder))
    elif by.lower() != c.committer:
        add("impersonation", Phrase("finding.history.event_by", what=what, by=by, committer=c.committer))
    person = config.person(by)
    if person is None or not person.active:
        add("roster", Phrase("finding.history.left" if person is not None else "finding.history.not_on_roster",
                             what=what, by=by, left=person.left if person is not None else None))
        return
    action = caused_by or str(ev.get("action"))
    needed = [action] if action in permissions.DEFAULTS else []
    if action in ("resolve", "close") and state.get("type") == "complaint" and state.get("severity") == "major":
        needed.append("close_major")
    for perm in needed:
        if not permissions.may(config, perm, person, state):
            add("permission", Phrase("finding.history.may_not", what=what, by=by, role=person.role, action=perm,
                                     needs=permissions.needed(config, perm)))


def _moment(value: Any) -> datetime | None:
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _tolerance_seconds(config: Config) -> int:
    tol = config.backfill_tolerance
    return tol.minutes * 60 + tol.days * 86400


def _check_time(c: Commit, config: Config, ev: dict, prev: dict | None, what: Phrase, add: Any) -> None:
    """In time order, and not backdated beyond the tolerance without a backfill reason from a lead."""
    at = _moment(ev.get("at"))
    if at is None:
        add("time", Phrase("finding.history.time", what=what, at=repr(ev.get("at"))))
        return
    before = _moment(prev.get("at")) if prev else None
    if before is not None and at < before:
        add("time-order", Phrase("finding.history.time_order", what=what, before=prev.get("at") if prev else ""))
    lag = c.date - at.timestamp()
    if lag <= _tolerance_seconds(config):
        return
    hours = f"{lag / 3600:.1f}h"
    if not ev.get("backfill"):
        add("backdated", Phrase("finding.history.backdated", what=what, hours=hours, tolerance=config.backfill_tolerance))
        return
    recorder = str(ev.get("recorded_by") or ev.get("by") or "")
    if _rank(config.person(recorder)) < ROLES.index("lead"):
        add("backfill", Phrase("finding.history.backfill", what=what, hours=hours, recorder=recorder))


# --------------------------------------------------------------------------- signatures

SIGNATURE_STATES = {"N": "unsigned", "B": "bad", "E": "unchecked", "U": "unknown_key", "X": "expired",
                    "Y": "expired_key", "R": "revoked_key"}  # git's %G? -> finding.history.signature.<name>


def check_signatures(ctx: _Context, commits: list[Commit]) -> list[Finding]:
    """Each commit is signed, by an SSH key the committer's roster entry lists (in the config
    as it stood before the commit). git checks the signature against an allowed-signers file
    made from every key any version of the roster lists, one principal per key."""
    import tempfile

    configs = {c.sha: ctx.config_of(c.parents[0] if c.parents else c.sha) for c in commits}
    keys: dict[str, str] = {}  # "email key" -> principal
    for config in configs.values():
        for p in config.roster if config else []:
            if p.signing_key:
                keys.setdefault(_key_id(p.id, p.signing_key), f"k{len(keys)}")
    with tempfile.TemporaryDirectory() as tmp:
        signers = Path(tmp) / "allowed_signers"
        signers.write_text("".join(f'{principal} namespaces="git" {ident.split(" ", 1)[1]}\n'
                                   for ident, principal in keys.items()), encoding="utf-8")
        proc = subprocess.run(["git", "-c", f"gpg.ssh.allowedSignersFile={signers}", "log", "--no-walk=unsorted",
                               "--stdin", "--format=%H%x1f%G?%x1f%GS"], cwd=ctx.top, env=repo._read_env(),
                              capture_output=True, input="".join(c.sha + "\n" for c in commits).encode())
    if proc.returncode != 0:
        raise DeskError("error.history.signatures", detail=repo._first_line(proc.stderr.decode("utf-8", "replace")))
    states = {}
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        sha, state, signer = (line.split("\x1f") + ["", ""])[:3]
        states[sha] = (state, signer)
    owners = {principal: ident for ident, principal in keys.items()}
    out = []
    for c in commits:
        state, signer = states.get(c.sha, ("E", ""))
        problem = _signature_problem(c, configs[c.sha], state, owners.get(signer, ""))
        if problem:
            out.append(Finding(c.sha, "", None, "signature", Phrase("finding.history.signature", who=c.committer,
                                                                    problem=problem)))
    return out


def _key_id(email: str, key: str) -> str:
    return email.lower() + " " + " ".join(key.split()[:2])


def _signature_problem(c: Commit, config: Config | None, state: str, ident: str) -> Phrase | None:
    if state != "G":
        if state in SIGNATURE_STATES:
            return Phrase("finding.history.signature." + SIGNATURE_STATES[state])
        return Phrase("finding.history.signature.other", state=repr(state))
    person = config.person(c.committer) if config else None
    if person is None or not person.signing_key or ident != _key_id(person.id, person.signing_key):
        return Phrase("finding.history.signature.not_roster_key")
    return None
