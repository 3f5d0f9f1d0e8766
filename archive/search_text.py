"""Search text as people type it, turned into a safe FTS5 query.

What people type works: words (all must match), `"a phrase"`, `banjir OR longsor`,
`banjir AND longsor`, `banjir NOT rob`, `banj*` (a prefix), `title:banjir`, `body:"ibu kota"`,
`(banjir OR longsor) samarinda`. Operators are FTS5's, in capitals (`or` is a word). Anything
that would be an FTS5 syntax error is taken literally instead: an operator with nothing on one
side (`banjir OR`, `NOT rob`), an unbalanced bracket or quote, `*` or `:` inside a word, a
column FTS5 does not have (`foo:bar`); punctuation within a word is left to the tokenizer, so
no text fails.

Word forms: unless `exact`, every plain word (not a phrase, not a prefix) matches its other
forms too (`archive.stems`): `perintah` finds `pemerintah`. A quoted phrase stays exact.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

#: The FTS columns a query may name (`title:banjir`).
FTS_COLUMNS = ("title", "body")
OPERATORS = ("AND", "OR", "NOT")

_SCAN = re.compile(
    r'(?P<col>[^\s()":*]+:)?"(?P<phrase>[^"]*)"(?P<star>\*)?'
    r"|(?P<open>\()|(?P<close>\))"
    r'|(?P<word>[^\s()"]+)')
_SINGLE_TOKEN = re.compile(r"[^\W_]+")


@dataclass
class Term:
    """One operand: a word, a phrase or a prefix, maybe limited to a column."""

    text: str
    phrase: bool = False
    prefix: bool = False
    column: str | None = None
    forms: list[str] = field(default_factory=list)  # other word forms searched too

    def fts(self) -> str:
        def quoted(text: str) -> str:
            return '"' + text.replace('"', '""') + '"'

        if self.forms:
            inner = "(" + " OR ".join(quoted(t) for t in [self.text, *self.forms]) + ")"
        else:
            inner = quoted(self.text) + ("*" if self.prefix else "")
        return f"{self.column} : {inner}" if self.column else inner

    def shown(self) -> str:
        operator = self.text in OPERATORS or self.text == "NEAR"
        if self.phrase or operator:
            text = f'"{self.text}"'
        else:
            text = self.text + ("*" if self.prefix else "")
        return f"{self.column}:{text}" if self.column else text


Item = Term | str  # a term, or "AND" / "OR" / "NOT" / "(" / ")"


@dataclass
class Parsed:
    """A search text parsed: `match` is the FTS5 query (None: nothing to search for)."""

    match: str | None
    items: list[Item]

    @property
    def terms(self) -> list[Term]:
        return [item for item in self.items if isinstance(item, Term)]

    def describe(self) -> str:
        """What was searched, as the user would write it, with the word forms added."""
        out = []
        for item in self.items:
            if isinstance(item, Term):
                extra = f" (or {', '.join(item.forms)})" if item.forms else ""
                out.append(item.shown() + extra)
            else:
                out.append(item)
        return " ".join(out).replace("( ", "(").replace(" )", ")")


def _word(raw: str) -> Term | None:
    """A bare word of the text: `col:word`, `word*`, or the word as written."""
    column = None
    head, sep, rest = raw.partition(":")
    if sep and head.casefold() in FTS_COLUMNS and rest:
        column, raw = head.casefold(), rest
    prefix = False
    if raw.endswith("*") and raw.rstrip("*") and _SINGLE_TOKEN.fullmatch(raw.rstrip("*")):
        raw, prefix = raw.rstrip("*"), True
    if not any(ch.isalnum() for ch in raw):
        return None
    return Term(raw, prefix=prefix, column=column)


def _scan(text: str) -> list[Item]:
    if text.count('"') % 2:
        text = text.replace('"', " ")
    items: list[Item] = []
    for m in _SCAN.finditer(text):
        if m["phrase"] is not None:
            if not any(ch.isalnum() for ch in m["phrase"]):
                continue
            column = m["col"][:-1].casefold() if m["col"] else None
            if column is not None and column not in FTS_COLUMNS:
                items.append(Term(m["col"][:-1]))  # foo:"bar": both words, as written
                column = None
            items.append(Term(" ".join(m["phrase"].split()), phrase=True,
                              prefix=bool(m["star"]), column=column))
        elif m["open"] or m["close"]:
            items.append(m[0])
        elif m["word"] in OPERATORS:
            items.append(m["word"])
        else:
            term = _word(m["word"])
            if term is not None:
                items.append(term)
    return items


def _balance(items: list[Item]) -> list[Item]:
    """Drop the brackets unless they pair up around something."""
    depth = 0
    for item in items:
        if item == "(":
            depth += 1
        elif item == ")":
            depth -= 1
            if depth < 0:
                break
    if depth != 0:
        return [item for item in items if item not in ("(", ")")]
    out: list[Item] = []
    for item in items:
        if item == ")" and out and out[-1] == "(":
            out.pop()  # ()
        else:
            out.append(item)
    return out


def _operands(items: list[Item]) -> list[Item]:
    """Operators with an operand on each side stay operators; the others become words."""
    out: list[Item] = []
    for i, item in enumerate(items):
        if isinstance(item, str) and item in OPERATORS:
            before = out[-1] if out else None
            after = items[i + 1] if i + 1 < len(items) else None
            left_ok = isinstance(before, Term) or before == ")"
            right_ok = isinstance(after, Term) or after == "("
            if not (left_ok and right_ok):
                out.append(Term(item))  # searched as the word it is
                continue
        out.append(item)
    return out


def without_format_characters(text: str) -> str:
    """`text` without Unicode format characters (category Cf: soft hyphen, zero-width spaces
    and joiners, direction marks and overrides). Pasted text brings them along invisibly; the
    archive stores words without them, so `Helikopter\u00adlandeplatz` or a right-to-left
    override before `banjir` is searched as the word it shows."""
    if text.isascii():
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def parse(text: str, *, forms: Callable[[str], list[str]] | None = None) -> Parsed:
    """Parse user text. `forms(word)` gives the other forms of a plain word (stemmed search);
    None searches every word exactly as written."""
    items = _operands(_balance(_scan(without_format_characters(text))))
    seen: set[tuple[str, bool, bool, str | None]] = set()
    plain_and = all(isinstance(item, Term) for item in items)
    kept: list[Item] = []
    for item in items:
        if isinstance(item, Term):
            key = (" ".join(item.text.casefold().split()), item.phrase, item.prefix, item.column)
            if plain_and and key in seen:
                continue  # every word must match anyway: a copy adds only cost
            seen.add(key)
            if (forms is not None and not item.phrase and not item.prefix
                    and _SINGLE_TOKEN.fullmatch(item.text)):
                folded = item.text.casefold()
                item.forms = [f for f in forms(item.text) if f != folded]
        kept.append(item)
    if not any(isinstance(item, Term) for item in kept):
        return Parsed(None, [])
    pieces: list[str] = []
    for i, item in enumerate(kept):
        # FTS5 takes `a b` as a AND b, but not `(a) b` or `a (b)` (and a word with its forms
        # is a bracket): the AND is written out
        if i and (isinstance(kept[i - 1], Term) or kept[i - 1] == ")") and (
                isinstance(item, Term) or item == "("):
            pieces.append("AND")
        pieces.append(item.fts() if isinstance(item, Term) else item)
    return Parsed(" ".join(pieces), kept)
