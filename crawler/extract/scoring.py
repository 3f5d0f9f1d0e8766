"""Scoring extraction against hand-read truth: the one scoring function used by
`bench/extraction_eval.py`, `bench/extract_speed.py` and the pinned floor test.

The truth file (`truth.json`, see `../shared/realpages/README.md`) holds per page: `file`,
`url`, `title`, `published` (ISO 8601), `author` (list), `body_first_sentence`,
`body_last_sentence` and, for most pages, `reference_body`.

Metrics (each a rate over the pages that have the truth value):

- `title`: exact match after whitespace collapsing and Unicode NFC;
- `date`: the same instant within `SAME_INSTANT_SECONDS` (pages show minutes; some truths
  carry seconds from metadata);
- `author`: the same set of names (case-insensitive);
- `body_f1`: F1 of 4-word shingles against `reference_body` (words lower-cased, punctuation
  stripped), averaged over pages;
- `first` / `last`: the truth's first / last sentence is contained in the body (quotes and
  dashes unified); a dateline the body takes out (up to `DATELINE_WORDS` leading words of the
  first sentence) may be missing.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

REALPAGES_ENV = "WARTA_REALPAGES"
"""Environment variable naming the real-pages folder (default: `../shared/realpages` next to
the repository)."""

SHINGLE_SIZE = 4
SAME_INSTANT_SECONDS = 60
DATELINE_WORDS = 6
"""Leading words of the truth's first sentence allowed to be missing from the body: the
longest dateline seen is five words (`Bandarlampung, Lampung (ANTARA News) -`)."""

_WORD = re.compile(r"\w+", re.UNICODE)
_UNIFY = str.maketrans(
    {"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "\u00a0": " "}
)


def realpages_path() -> Path:
    """Where the real pages are looked for: $WARTA_REALPAGES when set, else
    `../shared/realpages` next to the repository."""
    env = os.environ.get(REALPAGES_ENV)
    return Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "realpages"


def realpages_dir() -> Path | None:
    """The real-pages folder, or None when it holds no `truth.json`."""
    path = realpages_path()
    return path if (path / "truth.json").is_file() else None


def load_truth(folder: Path) -> list[dict[str, Any]]:
    with (folder / "truth.json").open(encoding="utf-8") as fh:
        data = json.load(fh)
    return list(data)


def words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).lower())


def shingles(text: str, size: int = SHINGLE_SIZE) -> set[tuple[str, ...]]:
    tokens = words(text)
    if len(tokens) < size:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def body_f1(candidate: str | None, reference: str) -> float:
    """F1 of 4-word shingles of `candidate` against `reference`."""
    got, want = shingles(candidate or ""), shingles(reference)
    if not got or not want:
        return 0.0
    common = len(got & want)
    if not common:
        return 0.0
    precision, recall = common / len(got), common / len(want)
    return 2 * precision * recall / (precision + recall)


def _flat(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_UNIFY)
    return " ".join(re.sub(r"\s+([,.;:!?\"'])", r"\1", text).split()).casefold()


def title_match(got: str | None, want: str) -> bool:
    return got is not None and " ".join(unicodedata.normalize("NFC", got).split()) == " ".join(
        unicodedata.normalize("NFC", want).split()
    )


def instant_match(got: str | None, want: str) -> bool:
    if not got:
        return False
    try:
        a, b = datetime.fromisoformat(got), datetime.fromisoformat(want)
    except ValueError:
        return False
    if a.tzinfo is None or b.tzinfo is None:
        return False
    return abs((a - b).total_seconds()) < SAME_INSTANT_SECONDS


def author_match(got: Sequence[str] | None, want: Sequence[str]) -> bool:
    norm = lambda names: {" ".join(n.split()).casefold() for n in names}  # noqa: E731
    return norm(got or []) == norm(want)


def sentence_in(body: str | None, sentence: str, *, allow_dateline: bool = False) -> bool:
    if not body:
        return False
    flat_body, flat_sentence = _flat(body), _flat(sentence)
    if flat_sentence in flat_body:
        return True
    if allow_dateline:
        tokens = flat_sentence.split()
        for k in range(1, min(DATELINE_WORDS, len(tokens) - 3) + 1):
            if " ".join(tokens[k:]) in flat_body:
                return True
    return False


@dataclass
class PageScore:
    file: str
    title: bool | None = None
    date: bool | None = None
    author: bool | None = None
    body_f1: float | None = None
    first: bool | None = None
    last: bool | None = None
    notes: list[str] = field(default_factory=list)


def score_page(truth: dict[str, Any], result: dict[str, Any]) -> PageScore:
    """Score one extraction result against one truth entry."""
    score = PageScore(truth["file"])
    if truth.get("title"):
        score.title = title_match(result.get("title"), truth["title"])
        if not score.title:
            score.notes.append(f"title {result.get('title')!r}")
    if truth.get("published"):
        score.date = instant_match(result.get("published_at"), truth["published"])
        if not score.date:
            score.notes.append(f"date {result.get('published_at')!r}")
    if truth.get("author") is not None:
        score.author = author_match(result.get("authors"), truth["author"])
        if not score.author:
            score.notes.append(f"authors {result.get('authors')!r}")
    body = result.get("body")
    if truth.get("reference_body"):
        score.body_f1 = body_f1(body, truth["reference_body"])
    if truth.get("body_first_sentence"):
        score.first = sentence_in(body, truth["body_first_sentence"], allow_dateline=True)
    if truth.get("body_last_sentence"):
        score.last = sentence_in(body, truth["body_last_sentence"])
    return score


def _rate(values: Iterable[bool | float | None]) -> float:
    present = [float(v) for v in values if v is not None]
    return sum(present) / len(present) if present else 0.0


def summarize(scores: Sequence[PageScore]) -> dict[str, float]:
    """Rates (0..1) per metric over the pages that have the truth value."""
    return {
        "title": _rate(s.title for s in scores),
        "date": _rate(s.date for s in scores),
        "author": _rate(s.author for s in scores),
        "body_f1": _rate(s.body_f1 for s in scores),
        "first": _rate(s.first for s in scores),
        "last": _rate(s.last for s in scores),
        "pages": float(len(scores)),
    }


def evaluate(
    folder: Path, extract: Callable[[bytes, str], dict[str, Any]], limit: int | None = None
) -> tuple[list[PageScore], dict[str, float]]:
    """Run `extract(html_bytes, url)` on each truth page and score it."""
    scores = []
    for entry in load_truth(folder)[:limit]:
        data = (folder / entry["file"]).read_bytes()
        scores.append(score_page(entry, extract(data, entry["url"])))
    return scores, summarize(scores)
