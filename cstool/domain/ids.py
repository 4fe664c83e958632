"""Ticket and customer IDs: minting, validation and suffix lookup.

A ticket ID is ``<PREFIX>-<YEAR>-<7 random characters>``, e.g. ``CS-2026-7KQ3MX9``.
The random part uses Crockford's base32 alphabet (digits and letters without I, L, O, U,
so it reads well over the phone) and carries 35 bits drawn from the operating system's
secure random source, so no coordination between clones is needed: two clones that
mint n and m tickets offline share an ID with probability about n·m / 2³⁵ (1,000 each:
3 × 10⁻⁵; 10,000 each in one year: 0.3 %). Within one desk a minted ID is also checked
against the existing files under the desk lock, and ``audit --check`` reports any
duplicate that a hand edit or a merge forces in; a merge never joins two tickets whose
creation events differ.

Users may type any unambiguous suffix of an ID (``MX9``, ``3mx9``); lower case and the
look-alikes O→0, I/L→1 are accepted.
"""

from __future__ import annotations

import re

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
RANDOM_LEN = 7
PREFIX_RE = re.compile(r"^[A-Z][A-Z0-9]{0,7}$")
TICKET_ID_RE = re.compile(r"^(?P<prefix>[A-Z][A-Z0-9]{0,7})-(?P<year>\d{4})-(?P<rand>[0-9A-HJKMNP-TV-Z]{7})$")
CUSTOMER_ID_RE = re.compile(r"^C-[0-9A-HJKMNP-TV-Z]{4,12}$")
# what a user may type to name a ticket: a whole ID or a suffix of one
QUERY_RE = re.compile(r"^(?:(?:[A-Z][A-Z0-9]{0,7}-)?\d{4}-|\d{1,4}-)?[0-9A-HJKMNP-TV-Z]{1,7}$")
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def mint_ticket_id(prefix: str, year: int) -> str:
    """Return a fresh random ticket ID for the given desk prefix and creation year."""
    import secrets  # only commands that mint an ID pay for importing it

    rand = "".join(ALPHABET[b & 31] for b in secrets.token_bytes(RANDOM_LEN))  # 256 = 8 × 32: uniform
    return f"{prefix}-{year:04d}-{rand}"


def mint_customer_id() -> str:
    """Return a fresh random customer ID (``C-`` and 6 Crockford characters)."""
    import secrets

    return "C-" + "".join(secrets.choice(ALPHABET) for _ in range(6))


def is_ticket_id(text: str) -> bool:
    return bool(TICKET_ID_RE.match(text))


def normalize_query(text: str) -> str | None:
    """Upper-case an ID or suffix typed by a user; None when it cannot name a ticket."""
    text = text.strip().upper()
    if not text.isascii() or len(text) > 32:
        return None
    # the random part forgives look-alikes; the prefix and year are kept as typed
    head, sep, tail = text.rpartition("-")
    text = head + sep + tail.translate(_LOOKALIKES)
    return text if QUERY_RE.match(text) else None


def match_suffix(query: str, ids: list[str]) -> list[str]:
    """IDs equal to the query or ending with it (the query already normalized)."""
    if query in ids:
        return [query]
    return sorted(i for i in ids if i.endswith(query))


_EDIT_CHARS = ALPHABET + "-"


def _one_edit(text: str, same_length: bool = False) -> set[str]:
    """Every text one edit from text: a character replaced, left out, added or two swapped
    (``same_length``: only replaced or swapped)."""
    out: set[str] = set()
    for i in range(len(text) + 1):
        head, tail = text[:i], text[i:]
        if tail:
            out.update(head + ch + tail[1:] for ch in _EDIT_CHARS)
        if len(tail) > 1:
            out.add(head + tail[1] + tail[0] + tail[2:])
        if not same_length:
            out.update(head + ch + tail for ch in _EDIT_CHARS)
            if tail:
                out.add(head + tail[1:])
    out.discard(text)
    return out


NEAR_SHORT = 8  # queries up to this long are also matched two edits away
NEAR_MIN = 3  # shorter queries (and endings) are too common to suggest anything by


def nearest(query: str, ids: list[str]) -> list[tuple[int, str]]:
    """(edits, ID) of the IDs ending one edit from the normalized query (a character
    replaced, left out, added or two swapped), or, when none does and the query is short,
    two edits; nearest first. Each ID is looked at once per round (a set lookup per ending
    length), so the cost grows with the number of IDs plus the query's variants, not their product."""
    if len(query) < NEAR_MIN:
        return []
    found: dict[str, int] = {}
    ring: set[str] = set()
    seen = {query}
    for edits in (1, 2):
        if edits == 2 and (found or len(query) > NEAR_SHORT):
            break
        if edits == 1:
            ring = _one_edit(query)
        else:  # two edits away: only endings as long as the query (two slips of a finger, or one and a swap)
            ring = {v for text in ring if len(text) == len(query) for v in _one_edit(text, same_length=True)}
        ring -= seen
        seen |= ring
        by_length: dict[int, set[str]] = {}
        for variant in ring:
            if len(variant) >= NEAR_MIN:
                by_length.setdefault(len(variant), set()).add(variant)
        for n, variants in by_length.items():
            for ident in ids:
                if ident[-n:] in variants and ident not in found:
                    found[ident] = edits
    return sorted((d, i) for i, d in found.items())  # callers may reorder (open tickets first)
