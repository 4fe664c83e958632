"""Resolve a word a user typed to the key it names: statuses, types, channels, groups,
priorities, tiers, severities, roles and people.

A value may be given by its key (``complaint``), its Chinese or English name as the
tables show it (``投诉``, ``Complaint``), and a person by email, the part of the email
before ``@`` or name; case, full-width characters and the spelling of separators
(``in progress``, ``in-progress``, ``in_progress``) do not matter. A word naming two
entries is refused listing them; an unknown one is refused listing what is accepted
(and the nearest one, when a word is close), and an unknown person with the nearest
roster person and the ``cstool roster add`` command that puts them on the roster.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cstool.config.schema import PRIORITIES, SEVERITIES, TIERS, Config, Person
from cstool.errors import InputError
from cstool.messages import Both, label

MAX_LISTED = 30  # entries named in a refusal; longer lists end with "…"


@dataclass(frozen=True)
class Choice:
    """One entry a user may name: its key and the other words that name it."""

    key: str
    words: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()  # words that name it too, but are not listed in a refusal
    english: tuple[str, ...] = ()  # English names: they name it too, listed only in an English refusal

    def described(self, english: bool = True) -> str:
        """``key (name, name_en)``: the key and the names that differ from it (the English
        names only if ``english``)."""
        seen = {normalize(self.key)}
        extra = []
        for word in self.words + (self.english if english else ()):
            if word and normalize(word) not in seen:
                seen.add(normalize(word))
                extra.append(word)
        return f"{self.key} ({', '.join(extra)})" if extra else self.key

    def names(self) -> tuple[str, ...]:
        """Every word that names it, the key first."""
        return (self.key, *self.words, *self.english, *self.hidden)


def normalize(text: str) -> str:
    """A word as compared: NFKC (full-width letters, digits and colons become plain), case
    folded, ``_`` and ``-`` read as spaces, runs of spaces as one."""
    return _normalized(str(text))


@functools.lru_cache(maxsize=4096)  # the same few words again and again (an import resolves each row's)
def _normalized(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    return " ".join(text.replace("_", " ").replace("-", " ").split())


def resolve(text: str, choices: Iterable[Choice], option: str) -> str:
    """The key of the one choice text names; InputError (exit 2) when it names none or several.

    The refusal quotes the text masked (a phone number typed in the wrong option is not echoed)."""
    from cstool.reports.render import shown

    quoted = shown(text)
    choices = list(choices)
    found = _matching(text, choices, option, quoted)
    if found is not None:
        return found
    guess = _nearest(normalize(text), choices)
    raise InputError("error.unknown_word_guess" if guess else "error.unknown_word",
                     option=option, value=quoted, guess=guess, accepted=listing(choices, MAX_LISTED))


def _matching(text: str, choices: list[Choice], option: str, quoted: str) -> str | None:
    """The key of the one choice text names, None when it names none; InputError when several."""
    word = normalize(text)
    found = [c for c in choices if word and word in {normalize(w) for w in c.names()}]
    if len(found) > 1:
        raise InputError("error.ambiguous_word", option=option, value=quoted, candidates=listing(found, len(found)))
    return found[0].key if found else None


def listing(choices: list[Choice], most: int) -> Both:
    """The choices as a refusal lists them (at most ``most``, then "…"), in both languages."""
    def joined(english: bool) -> str:
        listed = [c.described(english) for c in choices]
        return "; ".join(listed[:most]) + ("; …" if len(listed) > most else "")

    return Both(joined(False), joined(True))


def _nearest(word: str, choices: list[Choice]) -> str | None:
    """The key of the choice with a word closest to the typed one, if any is close."""
    by_word: dict[str, str] = {}
    for c in choices:
        for w in c.names():
            by_word.setdefault(normalize(w).partition("@")[0], c.key)  # emails compared by their names
    import difflib  # only when a typed word matched nothing

    word = word.partition("@")[0]
    close = difflib.get_close_matches(word, list(by_word), n=1, cutoff=0.6) if word else []
    return by_word[close[0]] if close else None


def resolve_all(values: Iterable[str], choices: Iterable[Choice], option: str) -> tuple[str, ...]:
    """Each value resolved (:func:`resolve`), duplicates dropped, in the order given."""
    choices = list(choices)
    out: list[str] = []
    for value in values:
        key = resolve(value, choices, option)
        if key not in out:
            out.append(key)
    return tuple(out)


def labelled(keys: Iterable[str], prefix: str) -> list[Choice]:
    """Choices named by the catalogue's labels ``prefix + key`` in both languages."""
    return [Choice(k, (label(prefix + k, "zh"),), english=(label(prefix + k, "en"),)) for k in keys]


def statuses() -> list[Choice]:
    """Ticket statuses (``待处理``, ``in progress`` …)."""
    from cstool.domain.states import STATUSES

    return labelled(STATUSES, "status.")


def severities() -> list[Choice]:
    return labelled(SEVERITIES, "severity.")


def grades(keys: tuple[str, ...] = PRIORITIES) -> list[Choice]:
    """Priorities and tiers: A, B, C (any case, or ``A级``)."""
    return [Choice(k, (f"{k}级",)) for k in keys]


def roles(keys: Iterable[str]) -> list[Choice]:
    return labelled(keys, "role.")


def named(entries: dict[str, Any]) -> list[Choice]:
    """Config entries with ``name`` and ``name_en`` (groups, types, channels)."""
    return [Choice(key, (item.name,), english=(item.name_en,)) for key, item in entries.items()]


def people(roster: Iterable[Person]) -> list[Choice]:
    """Roster people by email, the part before ``@``, or name."""
    return [Choice(p.id, (p.name,), (p.id.partition("@")[0],)) for p in roster]


def vocabulary(config: Config, kind: str) -> list[Choice]:
    """The choices of one kind: status, type, group, channel, priority, tier, severity, role, person."""
    makers = {
        "status": statuses,
        "type": lambda: named(config.types),
        "group": lambda: named(config.groups),
        "channel": lambda: named(config.channels),
        "priority": lambda: grades(PRIORITIES),
        "tier": lambda: grades(TIERS),
        "severity": severities,
        "role": lambda: roles(config.ladder),
        "person": lambda: people(config.roster),
    }
    return makers[kind]()


def word(config: Config, kind: str, text: str | None, option: str) -> str | None:
    """The key a user's word names (None stays None); see :func:`vocabulary` for the kinds."""
    if text is None:
        return None
    if kind == "person":
        return person(config, text, option).id
    return resolve(text, vocabulary(config, kind), option)


def words(config: Config, kind: str, values: Iterable[str], option: str) -> tuple[str, ...]:
    """Several words of one kind resolved (:func:`word`), duplicates dropped."""
    if kind == "person":
        return tuple(dict.fromkeys(person(config, v, option).id for v in values))
    return resolve_all(values, vocabulary(config, kind), option)


def person(config: Config, text: str, option: str = "--assignee") -> Person:
    """The roster person a user named (email, its part before ``@``, or name, any case).

    Someone not on the roster is refused with the nearest roster person, if any is close,
    and the command that adds them; their email is quoted as typed (it is the roster's,
    not a customer's)."""
    from cstool.domain.routing import add_command
    from cstool.reports.render import escape_controls

    exact = config.person(text)  # an email, or a name exactly as written: never ambiguous with itself
    if exact is not None and exact.id.lower() == text.strip().lower():
        return exact
    choices = people(config.roster)
    quoted = repr(escape_controls(text[:60]))
    key = _matching(text, choices, option, quoted)
    if key is not None:
        return next(p for p in config.roster if p.id == key)
    guess = _nearest(normalize(text), choices)
    if guess is not None:
        raise InputError("error.unknown_person_guess", option=option, value=quoted, guess=guess, add=add_command(text))
    raise InputError("error.unknown_person", option=option, value=quoted, add=add_command(text))
