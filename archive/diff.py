"""What an edit changed: a word diff between two versions of an article.

An article's history is its earlier versions (`article_versions`, oldest first) followed by
its current text. Edit k turns version k into version k + 1 (the last edit into the current
text). `article_edits` lists them; `edit_lines` prints one for people:

    title: Banjir Rendam [-Tiga-]{+Empat+} Kelurahan di Samarinda
    ¶4  Warga diminta [-waspada-]{+tetap waspada+} hingga akhir pekan.
    ¶6  {+Pembaruan: berita ini dilengkapi keterangan tambahan ...+}

Paragraphs are matched first (an added or removed paragraph shows whole), then the words of
changed paragraphs. Unchanged paragraphs are counted, not printed. Piped or saved, removed
words are marked `[-...-]` and added ones `{+...+}` (the markers of `git diff --word-diff`);
on a terminal they are shown in red and green instead.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import click

from archive.formatting import terminal_safe

#: (op, text): "=" kept, "-" removed, "+" added.
Op = tuple[str, str]


def words(text: str) -> list[str]:
    return text.split()


def word_diff(old: str, new: str) -> list[Op]:
    """The words of `old` and `new` as runs kept, removed and added (removals before additions
    where words were replaced). Whitespace is not compared: it is normalized in the archive."""
    a, b = words(old), words(new)
    ops: list[Op] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(("=", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            ops.append(("-", " ".join(a[i1:i2])))
        if j2 > j1:
            ops.append(("+", " ".join(b[j1:j2])))
    return ops


def paragraphs(body: str) -> list[str]:
    return [p.strip() for p in body.split("\n\n") if p.strip()]


@dataclass
class ParagraphChange:
    """One paragraph of the newer text that differs from the older (`number`: 1-based in the
    newer text; for a removed paragraph, where it was in the older one)."""

    kind: str
    """`changed`, `added` or `removed`."""
    number: int
    ops: list[Op]


@dataclass
class Edit:
    """What changed from version `number` (1-based, as `warta show` numbers them) to the next."""

    number: int
    old_label: str
    new_label: str
    old_time: str | None
    new_time: str | None
    title: list[Op] | None
    """The title's word diff, None when the title did not change."""
    changes: list[ParagraphChange]
    unchanged: int

    @property
    def counts(self) -> dict[str, int]:
        return {kind: sum(1 for c in self.changes if c.kind == kind)
                for kind in ("changed", "added", "removed")}


def compare(old_title: str, old_body: str, new_title: str, new_body: str) -> tuple[
        list[Op] | None, list[ParagraphChange], int]:
    """(title diff or None, changed paragraphs, number of unchanged paragraphs)."""
    title = word_diff(old_title, new_title) if old_title != new_title else None
    old, new = paragraphs(old_body), paragraphs(new_body)
    changes: list[ParagraphChange] = []
    unchanged = 0
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            unchanged += i2 - i1
            continue
        # Pair replaced paragraphs in order; what is left over was added or removed.
        pairs = min(i2 - i1, j2 - j1)
        for k in range(pairs):
            changes.append(ParagraphChange("changed", j1 + k + 1,
                                           word_diff(old[i1 + k], new[j1 + k])))
        for k in range(i1 + pairs, i2):
            changes.append(ParagraphChange("removed", k + 1, [("-", old[k])]))
        for k in range(j1 + pairs, j2):
            changes.append(ParagraphChange("added", k + 1, [("+", new[k])]))
    return title, changes, unchanged


def article_edits(article: Mapping[str, Any]) -> list[Edit]:
    """Every edit of an article (`Archive.get` gives it with its `versions`), oldest first."""
    versions: Sequence[Mapping[str, Any]] = article.get("versions") or []
    texts = [(f"v{n}", v["title"], v["body"], v.get("stored_at"))
             for n, v in enumerate(versions, 1)]
    texts.append(("current", article["title"], article["body"], article.get("changed_at")))
    edits = []
    for n in range(len(texts) - 1):
        old_label, old_title, old_body, old_time = texts[n]
        new_label, new_title, new_body, new_time = texts[n + 1]
        title, changes, unchanged = compare(old_title, old_body, new_title, new_body)
        edits.append(Edit(n + 1, old_label, new_label, old_time, new_time, title, changes,
                          unchanged))
    return edits


def render_ops(ops: Sequence[Op], *, color: bool) -> str:
    """Word runs as one line: markers when plain, red and green on a terminal."""
    parts = []
    for op, text in ops:
        text = terminal_safe(text)  # archived words: no control character reaches a terminal
        if op == "=":
            parts.append(text)
        elif color:
            parts.append(click.style(text, fg="red" if op == "-" else "green",
                                     strikethrough=op == "-"))
        else:
            parts.append(f"[-{text}-]" if op == "-" else f"{{+{text}+}}")
    return " ".join(parts)


def edit_lines(edit: Edit, *, color: bool = False) -> Iterator[str]:
    """One edit for reading: what was compared, the title, each changed paragraph, a tally."""
    when = f" ({edit.old_time} -> {edit.new_time})" if edit.old_time and edit.new_time else ""
    yield f"edit {edit.number}: {edit.old_label} -> {edit.new_label}{when}"
    if edit.title is not None:
        yield f"title: {render_ops(edit.title, color=color)}"
    for change in edit.changes:
        label = f"¶{change.number}"
        if change.kind == "removed":
            label += " (removed)"
        elif change.kind == "added":
            label += " (added)"
        yield f"{label}  {render_ops(change.ops, color=color)}"
    counts = edit.counts
    tally = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
    yield (f"paragraphs: {tally or 'none changed'}; {edit.unchanged} unchanged"
           + ("; title changed" if edit.title is not None else ""))
