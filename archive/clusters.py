"""Near-duplicate clusters across outlets: who ran the same story, and who ran it first.

Regional outlets run the same press release, the same wire story or one another's articles,
lightly edited. An article's body becomes a set of shingles (runs of `SHINGLE_WORDS` words,
hashed to 64 bits), less its outlet's boilerplate (shingles found in at least
`BOILER_SHARE` of the outlet's latest `BOILER_SAMPLE` articles: footers, standing lines), and
a MinHash signature of `NUM_PERM` values (rensa, a Rust MinHash) cut into `BANDS` bands of
`BAND_ROWS`. Articles sharing a band key are candidates; a candidate pair is *similar* only
when the shingle sets themselves say so: Jaccard at least `JACCARD_MIN`, or containment (the
shared shingles over the smaller set's) at least `CONTAINMENT_MIN`, for a copy that cut or
added paragraphs.

No chaining: each cluster has a representative (the first of its articles clustered), and an
article joins a cluster only when it is similar to that representative, never because it is
similar to some other member. A cluster therefore never grows past what its members support.
Within a cluster the presumed original is the earliest publication (`published_utc`, then
`first_seen_at`, then id).

Incremental: each article's band keys are kept (`cluster_sketches`), so an update reads only
the articles new or changed since the last one, compares them with the stored keys, and reads
the bodies of the few candidates it must verify. `Archive.finish_crawl` runs it after every
crawl's writes; `warta clusters --update` runs it by hand. A new version of an article (its
body changed) leaves its cluster and is placed again; when it was its cluster's
representative, the cluster is taken apart and every member placed again, since each was
verified against the old text.

A cluster is a likely press release when it spread over `PRESS_OUTLETS` outlets or more within
`PRESS_WINDOW`, or a member carries a `*/` or `adv` sign-off or press-release wording
(`rilis`, `siaran pers`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import sqlite3
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any

import numpy as np

from archive import regions
from archive.instants import now_utc

#: Words per shingle. Five words is the usual choice for near-duplicate news: an edited word
#: changes five shingles, while two different stories on the same event share few runs of
#: five words even when they name the same officials (the fixtures' near-misses: Jaccard under
#: 0.1, against 0.6 and more for light edits).
SHINGLE_WORDS = 5
#: MinHash values per article and their banding: 42 bands of 3 rows. The chance that a pair
#: becomes a candidate is 1 - (1 - J^3)^42: 0.94 at Jaccard 0.4, 0.996 at 0.5, so copies that
#: cut half an article (Jaccard about 0.5, containment 1) are still found, while pairs under
#: 0.1 are candidates less than 5% of the time (and then fail verification).
BAND_ROWS = 3
BANDS = 42
NUM_PERM = BAND_ROWS * BANDS
SEED = 20261207
#: An article with fewer shingles than this (after boilerplate) is never clustered: one-line
#: and empty bodies would match anything that quotes the same line.
MIN_SHINGLES = 15
#: Verified similarity: Jaccard at least this, or containment at least CONTAINMENT_MIN with
#: at least MIN_SHINGLES shingles shared. Light edits (a changed headline, a reworded
#: sentence) give Jaccard 0.7-0.95; a copy with a paragraph added or cut 0.5-0.8 and
#: containment over 0.85.
JACCARD_MIN = 0.5
CONTAINMENT_MIN = 0.8
#: Boilerplate: a shingle in at least this share of an outlet's latest BOILER_SAMPLE
#: articles, and in at least BOILER_MIN_DOCS of them, is the outlet's, not the story's. A
#: footer printed on every article is in all of them. A weekly column's standing opening is
#: in a few out of hundreds and stays (in a small outlet it is boilerplate too); either way
#: its weeks share too little to be taken for copies.
BOILER_SHARE = 0.1
BOILER_MIN_DOCS = 3
BOILER_SAMPLE = 400
#: An outlet's boilerplate is read again when its article count grew by this share (and on
#: every update while it has fewer than BOILER_SAMPLE articles).
BOILER_REFRESH_GROWTH = 0.25
#: A band bucket holding more articles than this is not a story shared by that many outlets
#: but text that survived the boilerplate filter (a standard notice): it yields no candidates.
BUCKET_CAP = 300
#: Only the first this many characters of a body are shingled: a 5 MB body is not slow.
MAX_BODY_CHARS = 60_000
#: A likely press release: this many outlets or more within PRESS_WINDOW.
PRESS_OUTLETS = 3
PRESS_WINDOW = dt.timedelta(days=3)
_RELEASE_WORDING = re.compile(
    r"\b(rilis|siaran pers|press release|keterangan pers)\b", re.IGNORECASE)
_MULTIPLIERS = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                         0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD], dtype=np.uint64)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def sketch_name() -> str:
    """What the stored sketches were made with; an archive whose sketches differ (another
    rensa, other parameters) is clustered again from scratch."""
    import rensa

    version = getattr(rensa, "__version__", None)
    if version is None:
        from importlib.metadata import version as dist_version

        version = dist_version("rensa")
    return (f"rensa {version} RMinHash perm={NUM_PERM} seed={SEED} bands={BANDS}x{BAND_ROWS} "
            f"words={SHINGLE_WORDS}")


def _mix(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(30))
    h = h * _MIX1
    h = h ^ (h >> np.uint64(27))
    h = h * _MIX2
    return h ^ (h >> np.uint64(31))


#: Bytes of a word: ASCII letters and digits, and every byte of a multi-byte UTF-8 character
#: (Indonesian text is ASCII but for names and loan words: `café` is one word), except the
#: ones that encode spaces and punctuation (see `_non_words`).
_WORD_BYTE = np.zeros(256, dtype=bool)
for _c in b"abcdefghijklmnopqrstuvwxyz0123456789":
    _WORD_BYTE[_c] = True
_WORD_BYTE[0x80:] = True
#: The polynomial hash of a word's bytes: odd, so invertible modulo 2**64.
_BASE = 0x100000001B3
_BASE_INVERSE = pow(_BASE, -1, 1 << 64)


def _non_words(data: np.ndarray, word: np.ndarray) -> None:
    """Mark as non-word the UTF-8 of no-break spaces (C2 A0) and of the General Punctuation
    block (E2 80 xx, E2 81 xx: curly quotes, dashes, ellipsis)."""
    for lead, seconds in ((0xC2, (0xA0,)), (0xE2, (0x80, 0x81))):
        at = np.flatnonzero(data[:-1] == lead)
        at = at[np.isin(data[at + 1], seconds)]
        width = 2 if lead == 0xC2 else 3
        for k in range(width):
            word[np.minimum(at + k, len(word) - 1)] = False


#: Bytes of text hashed in one go: the arrays of a group take about 60 bytes per byte of
#: text, so a batch of long bodies never needs more than about 60 MB at once.
GROUP_BYTES = 1 << 20


@cache
def _powers() -> tuple[np.ndarray, np.ndarray]:
    """_BASE**i and _BASE_INVERSE**i modulo 2**64 for every byte position of a group (a
    constant table, computed once: recomputing it per group took a fifth of the time)."""
    size = GROUP_BYTES + 4 * MAX_BODY_CHARS + 2
    powers = np.full(size, _BASE, dtype=np.uint64)
    powers[0] = 1
    inverse = np.full(size, _BASE_INVERSE, dtype=np.uint64)
    inverse[0] = 1
    return np.cumprod(powers), np.cumprod(inverse)  # wrapping modulo 2**64, as intended


def _group(encoded: list[bytes]) -> list[np.ndarray]:
    """The shingles of each of a group's UTF-8 texts (see `Shingler`)."""
    lengths = np.fromiter((len(e) + 1 for e in encoded), dtype=np.int64, count=len(encoded))
    data = np.frombuffer(b"\x00".join(encoded) + b"\x00", dtype=np.uint8)
    doc_starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    empty = [np.empty(0, dtype=np.uint64) for _ in encoded]
    word = _WORD_BYTE[data]
    _non_words(data, word)
    edges = np.diff(np.concatenate([[False], word, [False]]).astype(np.int8))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)  # one past the word's last byte
    if len(starts) < SHINGLE_WORDS:
        return empty
    all_powers, all_inverse = _powers()
    prefix = np.zeros(len(data) + 1, dtype=np.uint64)  # (np.concatenate with [0]: float)
    prefix[1:] = np.cumsum((data.astype(np.uint64) + np.uint64(1)) * all_powers[:len(data)],
                           dtype=np.uint64)
    words = _mix((prefix[ends] - prefix[starts]) * all_inverse[starts])
    doc = np.searchsorted(doc_starts, starts, side="right") - 1
    n = len(words) - SHINGLE_WORDS + 1
    combined = words[:n] * _MULTIPLIERS[0]
    for k in range(1, SHINGLE_WORDS):
        combined = combined + words[k:k + n] * _MULTIPLIERS[k]
    valid = doc[:n] == doc[SHINGLE_WORDS - 1:]
    shingles = _mix(combined)[valid]
    owner = doc[:n][valid]
    bounds = np.searchsorted(owner, np.arange(len(encoded) + 1))
    return [shingles[bounds[i]:bounds[i + 1]] for i in range(len(encoded))]


class Shingler:
    """Body text -> its shingle hashes (uint64), many bodies at once: the words of a whole
    batch are found and hashed by array operations on its UTF-8 bytes, not word by word in
    Python (which took most of the time: 0.5 ms a body)."""

    def many(self, texts: Sequence[str | None]) -> list[np.ndarray]:
        """Each text's shingles, in text order, duplicates kept (MinHash ignores them)."""
        encoded = [(t or "")[:MAX_BODY_CHARS].lower().encode("utf-8", "surrogatepass")
                   for t in texts]
        out: list[np.ndarray] = []
        start = 0
        while start < len(encoded):  # groups of at most GROUP_BYTES (one long text alone)
            end, size = start, 0
            while end < len(encoded) and (end == start or size + len(encoded[end]) + 1
                                          <= GROUP_BYTES):
                size += len(encoded[end]) + 1
                end += 1
            out.extend(_group(encoded[start:end]))
            start = end
        return out

    def shingles(self, text: str | None) -> np.ndarray:
        """One text's distinct shingles, sorted."""
        return _sorted_distinct(self.many([text])[0])


def _sorted_distinct(values: np.ndarray) -> np.ndarray:
    """`np.unique(values)` for a few hundred values: a sort and a comparison, 12 us against
    np.unique's 75 us (its hash table pays off only on large arrays; it took a fifth of an
    update's time)."""
    values = np.sort(values)
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def similarity(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(Jaccard, containment) of two sorted shingle sets; containment is the shared
    shingles over the smaller set's."""
    if not len(a) or not len(b):
        return 0.0, 0.0
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / (len(a) + len(b) - shared), shared / min(len(a), len(b))


def is_similar(jaccard: float, containment: float, smaller: int) -> bool:
    return jaccard >= JACCARD_MIN or (containment >= CONTAINMENT_MIN
                                      and containment * smaller >= MIN_SHINGLES)


def release_marked(signoff: str | None, body: str | None) -> bool:
    """A `*/` or `adv` sign-off, or press-release wording in the body."""
    mark = (signoff or "").strip().lower()
    if mark.startswith("*/") or mark.startswith("adv"):
        return True
    text = (body or "")[:MAX_BODY_CHARS].lower()
    if "siaran pers" in text or "press release" in text or "keterangan pers" in text:
        return True
    # `\brilis\b` but not `merilis`: the expression costs 0.3 ms on a 3 KB body, `in` 2 us
    return "rilis" in text and bool(_RELEASE_WORDING.search(text))


def band_keys(shingle_sets: Sequence[np.ndarray]) -> np.ndarray:
    """The LSH band keys (n, BANDS) uint64 of each set's MinHash signature."""
    import rensa

    if not shingle_sets:
        return np.empty((0, BANDS), dtype=np.uint64)
    lengths = np.fromiter((len(s) for s in shingle_sets), dtype=np.uint64,
                          count=len(shingle_sets))
    offsets = np.concatenate([np.zeros(1, dtype=np.uint64), np.cumsum(lengths, dtype=np.uint64)])
    flat = np.ascontiguousarray(np.concatenate(list(shingle_sets)), dtype=np.uint64)
    matrix = rensa.RMinHash.digest_matrix_from_flat_token_hashes(flat, offsets, NUM_PERM, SEED)
    signatures = np.asarray(matrix.to_rows(), dtype=np.uint64).reshape(
        len(shingle_sets), BANDS, BAND_ROWS)
    key = (signatures[:, :, 0] << np.uint64(32)) | signatures[:, :, 1]
    key = _mix(key ^ (signatures[:, :, 2] * _MIX2))
    return key


@dataclass
class UpdateResult:
    """What one `update` did."""

    articles: int = 0          # articles sketched (new or changed)
    clustered: int = 0         # of those, now in a cluster
    new_clusters: int = 0
    joined: int = 0            # articles that joined an existing cluster
    too_short: int = 0         # too few shingles after boilerplate: not clustered
    rebuilt: bool = False      # the sketches were made anew (first run, or a new sketch)
    seconds: float = 0.0
    candidates: int = 0        # candidate pairs verified
    capped_buckets: int = 0    # band buckets over BUCKET_CAP, ignored

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Pending:
    id: int
    source: str
    content_hash: str
    size: int          # distinct shingles after boilerplate
    release: bool


@dataclass
class _State:
    """The clusters an update touches, as it changes them."""

    cluster_of: dict[int, int] = field(default_factory=dict)
    representative: dict[int, int] = field(default_factory=dict)
    members: list[tuple[int, int, float, float]] = field(default_factory=list)
    touched: set[int] = field(default_factory=set)


def _signed(values: Iterable[int]) -> list[int]:
    return [v - (1 << 64) if v >= 1 << 63 else v for v in values]


def update(conn: sqlite3.Connection) -> UpdateResult:
    """Bring the clusters up to date with the articles: sketch the new and changed ones and
    place each in a cluster (or none). Run it inside one write transaction (as
    `Archive.update_clusters` does): an update that did not finish leaves nothing behind, and
    running it again is safe."""
    started = time.monotonic()
    result = UpdateResult()
    _update(conn, result)
    result.seconds = round(time.monotonic() - started, 3)
    return result


def _update(conn: sqlite3.Connection, result: UpdateResult) -> None:
    name = sketch_name()
    stored = conn.execute("SELECT value FROM cluster_meta WHERE key = 'sketch'").fetchone()
    if stored is None or stored[0] != name:
        for table in ("article_clusters", "clusters", "cluster_sketches", "cluster_boilerplate",
                      "cluster_outlets"):
            conn.execute(f"DELETE FROM {table}")
        conn.execute("INSERT OR REPLACE INTO cluster_meta VALUES ('sketch', ?)", (name,))
        result.rebuilt = True
    # new and changed articles: those without a sketch (a changed text drops its sketch:
    # the trigger of migration 13), in id order (the index holds it; each look-up follows
    # the last)
    pending_rows = conn.execute(
        "SELECT a.id, a.source FROM articles a LEFT JOIN cluster_sketches s "
        "ON s.article_id = a.id WHERE s.article_id IS NULL ORDER BY a.id").fetchall()
    listed = {row[0] for row in pending_rows}
    pending_rows += [row for row in _dissolve_changed(conn, sorted(listed))
                     if row[0] not in listed]  # a member may have changed too: once
    if not pending_rows:
        return
    shingler = Shingler()
    boiler = _boilerplate(conn, shingler, {row[1] for row in pending_rows})
    pending, keys, tags = _read_pending(conn, shingler, boiler,
                                        [row[0] for row in pending_rows])
    regions.save(conn, tags)  # tagged while the text is at hand: not read twice
    result.articles = len(pending)
    changed = list(_clustered(conn, [p.id for p in pending]))
    state = _State()
    _forget_changed(conn, changed, state)
    sketchable = [p for p in pending if p.size >= MIN_SHINGLES]
    result.too_short = len(pending) - len(sketchable)
    old_ids, old_keys = _stored_keys(conn, exclude={p.id for p in pending})
    candidates = _candidates(old_ids, old_keys, np.array([p.id for p in sketchable],
                                                         dtype=np.int64), keys, result)
    _load_clusters(conn, state, {c for cands in candidates.values() for c in cands})
    shingles: dict[int, np.ndarray] = {}
    _prefetch(conn, shingler, boiler, shingles,
              set(candidates) | {c for cands in candidates.values() for c in cands})
    done: set[int] = set(old_ids.tolist())
    for item in sketchable:  # in publication order (see _read_pending)
        cands = [c for c in candidates.get(item.id, ()) if c in done and c != item.id]
        done.add(item.id)
        if not cands or item.id in state.cluster_of:
            continue
        _place(conn, item, cands, state, shingles, shingler, boiler, result)
    _write(conn, pending, sketchable, keys, state)
    result.clustered = sum(1 for p in pending if p.id in state.cluster_of)
    _refresh_clusters(conn, state.touched)


def _clustered(conn: sqlite3.Connection, ids: list[int]) -> set[int]:
    """Those of `ids` in a cluster (pending ones: changed since they were placed)."""
    found: set[int] = set()
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        found.update(row[0] for row in conn.execute(
            f"SELECT article_id FROM article_clusters WHERE article_id IN "
            f"({', '.join('?' * len(chunk))})", chunk))
    return found


def _dissolve_changed(conn: sqlite3.Connection, pending: list[int]) -> list[tuple[Any, ...]]:
    """Take apart each cluster whose representative is among the `pending` articles (its text
    changed since it was placed): its members were verified against the old text, so every
    one of them is sketched and placed again, against the new text and the rest of the
    archive, as if just archived. Returns those members (id, source), to add to the
    pending ones."""
    out: list[tuple[Any, ...]] = []
    for start in range(0, len(pending), 900):
        chunk = pending[start:start + 900]
        clusters = [row[0] for row in conn.execute(
            "SELECT id FROM clusters WHERE representative_id IN "
            f"({', '.join('?' * len(chunk))})", chunk)]
        for cluster in clusters:
            out.extend(conn.execute(
                "SELECT a.id, a.source FROM article_clusters ac JOIN articles a "
                "ON a.id = ac.article_id WHERE ac.cluster_id = ? AND a.id NOT IN "
                "(SELECT representative_id FROM clusters WHERE id = ?)", (cluster, cluster)))
            conn.execute("DELETE FROM cluster_sketches WHERE article_id IN (SELECT article_id "
                         "FROM article_clusters WHERE cluster_id = ?) AND article_id NOT IN "
                         "(SELECT representative_id FROM clusters WHERE id = ?)",
                         (cluster, cluster))
            conn.execute("DELETE FROM article_clusters WHERE cluster_id = ?", (cluster,))
            conn.execute("DELETE FROM clusters WHERE id = ?", (cluster,))
    return out


def _forget_changed(conn: sqlite3.Connection, changed: list[int], state: _State) -> None:
    """A changed article leaves its cluster and is placed again (a changed representative's
    cluster is gone already: `_dissolve_changed`)."""
    for article_id in changed:
        row = conn.execute("SELECT cluster_id FROM article_clusters WHERE article_id = ?",
                           (article_id,)).fetchone()
        if row is None:
            continue
        conn.execute("DELETE FROM article_clusters WHERE article_id = ?", (article_id,))
        state.touched.add(row[0])


def _boilerplate(conn: sqlite3.Connection, shingler: Shingler, sources: set[str]
                 ) -> dict[str, np.ndarray]:
    """Each outlet's boilerplate shingles (sorted), read again where it grew (see
    BOILER_REFRESH_GROWTH)."""
    out: dict[str, np.ndarray] = {}
    for source in sorted(sources):
        count = conn.execute("SELECT count(*) FROM articles WHERE source = ?",
                             (source,)).fetchone()[0]
        row = conn.execute("SELECT articles_at FROM cluster_outlets WHERE source = ?",
                           (source,)).fetchone()
        stale = (row is None or (count > row[0] and (
            row[0] < BOILER_SAMPLE or count - row[0] >= BOILER_REFRESH_GROWTH * row[0])))
        if stale:
            bodies = [body for (body,) in conn.execute(
                "SELECT body FROM articles WHERE source = ? ORDER BY id DESC LIMIT ?",
                (source, BOILER_SAMPLE))]
            docs = [_sorted_distinct(d) for d in shingler.many(bodies) if len(d)]
            if docs:
                values, counts = np.unique(np.concatenate(docs), return_counts=True)
                floor = max(BOILER_MIN_DOCS, math.ceil(BOILER_SHARE * len(docs)))
                common = values[counts >= floor]
            else:
                common = np.empty(0, dtype=np.uint64)
            conn.execute("DELETE FROM cluster_boilerplate WHERE source = ?", (source,))
            conn.executemany("INSERT INTO cluster_boilerplate VALUES (?, ?)",
                             [(source, v) for v in _signed(common.tolist())])
            conn.execute("INSERT OR REPLACE INTO cluster_outlets VALUES (?, ?)", (source, count))
            out[source] = common
        else:
            out[source] = _stored_boilerplate(conn, source)
    return out


def _distinct(found: list[np.ndarray], boilers: list[np.ndarray | None]) -> list[np.ndarray]:
    """Each text's distinct shingles, sorted, less its outlet's boilerplate (`boilers`: the
    sorted boilerplate of each text's outlet, or None). The boilerplate is looked up once per
    outlet for a whole chunk of texts, not once per text."""
    if not found:
        return []
    starts = np.concatenate([[0], np.cumsum([len(f) for f in found])])
    values = np.concatenate(found).astype(np.uint64, copy=False)
    keep = np.ones(len(values), dtype=bool)
    by_outlet: dict[int, tuple[np.ndarray, list[int]]] = {}
    for index, boiler in enumerate(boilers):
        if boiler is not None and len(boiler) and starts[index + 1] > starts[index]:
            by_outlet.setdefault(id(boiler), (boiler, []))[1].append(index)
    for boiler, texts in by_outlet.values():
        at = np.concatenate([np.arange(starts[i], starts[i + 1]) for i in texts])
        where = np.minimum(np.searchsorted(boiler, values[at]), len(boiler) - 1)
        keep[at[boiler[where] == values[at]]] = False
    return [_sorted_distinct(values[starts[i]:starts[i + 1]][keep[starts[i]:starts[i + 1]]])
            for i in range(len(found))]


#: Articles read and shingled at a time.
CHUNK = 500


def _read_pending(conn: sqlite3.Connection, shingler: Shingler,
                  boiler: dict[str, np.ndarray], ids: list[int]
                  ) -> tuple[list[_Pending], np.ndarray, list[tuple[Any, ...]]]:
    """The pending articles, earliest publication first (then first seen, id), so that
    within an update a copy is placed after the story it copies, the band keys of those
    with at least MIN_SHINGLES shingles (in the same order), and each one's region tag
    (`regions.save` rows). Shingles are not kept: the few articles that must be verified
    are read again (`_prefetch`), so memory stays small."""
    order: list[tuple[Any, ...]] = []
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        order.extend(conn.execute(
            "SELECT published_utc IS NULL, coalesce(published_utc, ''), first_seen_at, id "
            f"FROM articles WHERE id IN ({', '.join('?' * len(chunk))})", chunk))
    order.sort()
    ranked = [row[3] for row in order]
    out: list[_Pending] = []
    keys: list[np.ndarray] = []
    tags: list[tuple[Any, ...]] = []
    for start in range(0, len(ranked), CHUNK):
        chunk = ranked[start:start + CHUNK]
        rows = {row[0]: row for row in conn.execute(
            "SELECT id, source, content_hash, signoff, body, dateline, title FROM articles "
            f"WHERE id IN ({', '.join('?' * len(chunk))})", chunk)}
        texts = [rows[i][4] for i in chunk]
        # distinct: a body of one word repeated is one shingle, not thousands
        distinct = _distinct(shingler.many(texts), [boiler.get(rows[i][1]) for i in chunk])
        sketch: list[np.ndarray] = []
        for article_id, found in zip(chunk, distinct, strict=True):
            _, source, content_hash, signoff, body, dateline, title = rows[article_id]
            tags.append(regions.row(article_id, dateline, title, body))
            out.append(_Pending(article_id, source, content_hash, len(found),
                                release_marked(signoff, body)))
            if len(found) >= MIN_SHINGLES:
                sketch.append(found)
        keys.append(band_keys(sketch))
    return out, (np.concatenate(keys) if keys else np.empty((0, BANDS), dtype=np.uint64)), tags


def _prefetch(conn: sqlite3.Connection, shingler: Shingler, boiler: dict[str, np.ndarray],
              shingles: dict[int, np.ndarray], ids: set[int]) -> None:
    """Read and shingle the articles that will be verified, CHUNK at a time."""
    listed = sorted(ids)
    for start in range(0, len(listed), CHUNK):
        chunk = listed[start:start + CHUNK]
        rows = conn.execute("SELECT id, source, body FROM articles WHERE id IN "
                            f"({', '.join('?' * len(chunk))})", chunk).fetchall()
        for source in {row[1] for row in rows} - set(boiler):
            boiler[source] = _stored_boilerplate(conn, source)
        distinct = _distinct(shingler.many([row[2] for row in rows]),
                             [boiler[row[1]] for row in rows])
        for (article_id, _, _), found in zip(rows, distinct, strict=True):
            shingles[article_id] = found


def _stored_boilerplate(conn: sqlite3.Connection, source: str) -> np.ndarray:
    stored = [r[0] for r in conn.execute(
        "SELECT shingle FROM cluster_boilerplate WHERE source = ?", (source,))]
    return np.sort(np.array(stored, dtype=np.int64).view(np.uint64))


def _stored_keys(conn: sqlite3.Connection, exclude: set[int]) -> tuple[np.ndarray, np.ndarray]:
    """The stored band keys (ids, (n, BANDS) keys) of every sketched article but `exclude`."""
    rows = conn.execute("SELECT article_id, bands FROM cluster_sketches "
                        "WHERE length(bands) = ?", (BANDS * 8,)).fetchall()
    listed, blobs = zip(*rows, strict=True) if rows else ((), ())  # (a generator: 0.15 s)
    ids = np.array(listed, dtype=np.int64)
    keys = np.frombuffer(b"".join(blobs), dtype="<u8").reshape(len(rows), BANDS).astype(
        np.uint64)
    if exclude:
        kept = ~np.isin(ids, np.fromiter(exclude, dtype=np.int64, count=len(exclude)))
        ids, keys = ids[kept], keys[kept]
    return ids, keys


#: Bits of the bitmap `_among` filters with: 2**20 flags (1 MB) keep the false hits of a
#: 1,000-article batch under one in a thousand.
_FILTER_BITS = 20


def _among(values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Positions of `values` (a 100,000-article archive's band) that occur in `wanted` (a
    batch's): a bitmap of the wanted keys' low bits first (one gather), then a binary search
    of the few that pass. `np.isin` sorted both, 15 ms a band."""
    if not len(values) or not len(wanted):
        return np.empty(0, dtype=np.int64)
    mask = np.uint64((1 << _FILTER_BITS) - 1)
    flags = np.zeros(1 << _FILTER_BITS, dtype=bool)
    flags[(wanted & mask).astype(np.int64)] = True
    maybe = np.flatnonzero(flags[(values & mask).astype(np.int64)])
    ordered = np.sort(wanted)
    at = np.minimum(np.searchsorted(ordered, values[maybe]), len(ordered) - 1)
    return maybe[ordered[at] == values[maybe]]


def _candidates(old_ids: np.ndarray, old_keys: np.ndarray, new_ids: np.ndarray,
                new_keys: np.ndarray, result: UpdateResult) -> dict[int, set[int]]:
    """new id -> the ids (old or new) sharing a band bucket with it."""
    found: dict[int, set[int]] = defaultdict(set)
    if not len(new_ids):
        return found
    n_old = len(old_ids)
    ids = np.concatenate([old_ids, new_ids])
    for band in range(BANDS):
        new_band = new_keys[:, band]
        old_band = old_keys[:, band] if n_old else np.empty(0, dtype=np.uint64)
        hit = _among(old_band, new_band)
        rows = np.concatenate([hit, n_old + np.arange(len(new_ids))])
        values = np.concatenate([old_band[hit], new_band])
        order = np.argsort(values, kind="stable")
        ordered = values[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        ends = np.r_[starts[1:], len(ordered)]
        for start, end in zip(starts[ends - starts >= 2], ends[ends - starts >= 2],
                              strict=True):
            if end - start > BUCKET_CAP:
                result.capped_buckets += 1
                continue
            bucket = rows[order[start:end]]
            members = ids[bucket].tolist()
            for position, row in zip(range(len(bucket)), bucket.tolist(), strict=True):
                if row >= n_old:
                    found[members[position]].update(members)
    return found


def _load_clusters(conn: sqlite3.Connection, state: _State, ids: set[int]) -> None:
    """The cluster and representative of every candidate already clustered."""
    listed = sorted(ids)
    for start in range(0, len(listed), 900):
        chunk = listed[start:start + 900]
        for article_id, cluster_id, representative in conn.execute(
                "SELECT ac.article_id, ac.cluster_id, c.representative_id FROM article_clusters "
                "ac JOIN clusters c ON c.id = ac.cluster_id WHERE ac.article_id IN "
                f"({', '.join('?' * len(chunk))})", chunk):
            state.cluster_of[article_id] = cluster_id
            state.representative[cluster_id] = representative


def _shingles_of(conn: sqlite3.Connection, article_id: int, shingles: dict[int, np.ndarray],
                 shingler: Shingler, boiler: dict[str, np.ndarray]) -> np.ndarray:
    found = shingles.get(article_id)
    if found is None:
        _prefetch(conn, shingler, boiler, shingles, {article_id})
        found = shingles.setdefault(article_id, np.empty(0, dtype=np.uint64))
    return found


def _order(conn: sqlite3.Connection, article_id: int) -> tuple[Any, ...]:
    """An article's place in publication order (published_utc, first_seen_at, id)."""
    row = conn.execute("SELECT published_utc IS NULL, coalesce(published_utc, ''), "
                       "first_seen_at, id FROM articles WHERE id = ?", (article_id,)).fetchone()
    return tuple(row) if row else (1, "", "", article_id)


def _place(conn: sqlite3.Connection, item: _Pending, cands: list[int], state: _State,
           shingles: dict[int, np.ndarray], shingler: Shingler,
           boiler: dict[str, np.ndarray], result: UpdateResult) -> None:
    """Put `item` in the cluster whose representative it is most similar to, or start a
    cluster with the most similar unclustered candidate; the earlier publication of the two
    is the new cluster's representative. Then every other unclustered candidate that is
    similar to the cluster's representative joins it too (an original archived after its
    copies gathers them all)."""
    targets: dict[int, int | None] = {}  # article compared with -> its cluster (None: alone)
    for cand in cands:
        cluster = state.cluster_of.get(cand)
        if cluster is None:
            targets.setdefault(cand, None)
        else:
            targets.setdefault(state.representative[cluster], cluster)
    mine = _shingles_of(conn, item.id, shingles, shingler, boiler)
    scores: dict[int, tuple[float, float]] = {}
    best: tuple[float, float, int, int | None] | None = None
    for target, cluster in sorted(targets.items()):
        other = _shingles_of(conn, target, shingles, shingler, boiler)
        result.candidates += 1
        jaccard, containment = similarity(mine, other)
        if not is_similar(jaccard, containment, min(len(mine), len(other))):
            continue
        scores[target] = (jaccard, containment)
        if best is None or (jaccard, containment) > (best[0], best[1]):
            best = (jaccard, containment, target, cluster)
    if best is None:
        return
    jaccard, containment, target, cluster = best
    if cluster is None:
        representative = min(item.id, target, key=lambda i: _order(conn, i))
        cursor = conn.execute(
            "INSERT INTO clusters (representative_id, original_id, updated_at) VALUES (?, ?, ?)",
            (representative, representative, now_utc()))
        assert cursor.lastrowid is not None
        cluster = cursor.lastrowid
        state.representative[cluster] = representative
        for member in (item.id, target):
            state.cluster_of[member] = cluster
            state.members.append((member, cluster, *((1.0, 1.0) if member == representative
                                                    else (round(jaccard, 4),
                                                          round(containment, 4)))))
        result.new_clusters += 1
    else:
        state.cluster_of[item.id] = cluster
        state.members.append((item.id, cluster, round(jaccard, 4), round(containment, 4)))
        result.joined += 1
    state.touched.add(cluster)
    representative = state.representative[cluster]
    center = _shingles_of(conn, representative, shingles, shingler, boiler)
    for other_id, other_cluster in sorted(targets.items()):
        if other_cluster is not None or other_id in state.cluster_of:
            continue
        if representative == item.id:
            if other_id not in scores:
                continue
            jaccard, containment = scores[other_id]
        else:
            other = _shingles_of(conn, other_id, shingles, shingler, boiler)
            result.candidates += 1
            jaccard, containment = similarity(center, other)
            if not is_similar(jaccard, containment, min(len(center), len(other))):
                continue
        state.cluster_of[other_id] = cluster
        state.members.append((other_id, cluster, round(jaccard, 4), round(containment, 4)))
        result.joined += 1


def _write(conn: sqlite3.Connection, pending: list[_Pending], sketchable: list[_Pending],
           keys: np.ndarray, state: _State) -> None:
    blobs = {p.id: keys[i].astype("<u8").tobytes() for i, p in enumerate(sketchable)}
    conn.executemany(
        "INSERT OR REPLACE INTO cluster_sketches (article_id, content_hash, shingles, release, "
        "bands) VALUES (?, ?, ?, ?, ?)",
        [(p.id, p.content_hash, p.size, int(p.release), blobs.get(p.id))
         for p in pending])
    conn.executemany(
        "INSERT OR REPLACE INTO article_clusters (article_id, cluster_id, similarity, "
        "containment) VALUES (?, ?, ?, ?)", state.members)


def _refresh_clusters(conn: sqlite3.Connection, touched: set[int]) -> None:
    """Recompute each touched cluster's figures: original, members, outlets, time spread,
    press-release mark. A cluster left with one member (its other member changed) goes."""
    now = now_utc()
    for cluster in sorted(touched):
        rows = conn.execute(
            "SELECT a.id, a.source, a.published_utc, coalesce(s.release, 0) "
            "FROM article_clusters ac JOIN articles a ON a.id = ac.article_id "
            "LEFT JOIN cluster_sketches s ON s.article_id = a.id WHERE ac.cluster_id = ? "
            "ORDER BY a.published_utc IS NULL, a.published_utc, a.first_seen_at, a.id",
            (cluster,)).fetchall()
        if len(rows) < 2:
            conn.execute("DELETE FROM article_clusters WHERE cluster_id = ?", (cluster,))
            conn.execute("DELETE FROM clusters WHERE id = ?", (cluster,))
            continue
        original = rows[0][0]
        outlets = {r[1] for r in rows}
        dates = sorted(r[2] for r in rows if r[2])
        reasons = []
        if len(outlets) >= PRESS_OUTLETS and _within(dates, outlets, rows):
            reasons.append(f"{len(outlets)} outlets within {PRESS_WINDOW.days} days")
        if any(r[3] for r in rows):
            reasons.append("sign-off or wording")
        conn.execute(
            "UPDATE clusters SET original_id = ?, members = ?, outlets = ?, "
            "first_published_utc = ?, last_published_utc = ?, press_release = ?, "
            "press_reason = ?, updated_at = ? WHERE id = ?",
            (original, len(rows), len(outlets), dates[0] if dates else None,
             dates[-1] if dates else None, int(bool(reasons)), "; ".join(reasons) or None,
             now, cluster))
        conn.execute("UPDATE article_clusters SET is_original = (article_id = ?) "
                     "WHERE cluster_id = ?", (original, cluster))


def _within(dates: list[str], outlets: set[str], rows: list[Any]) -> bool:
    """Whether PRESS_OUTLETS distinct outlets published within PRESS_WINDOW of one another."""
    dated = sorted((_instant(r[2]), r[1]) for r in rows if r[2])
    for i, (start, _) in enumerate(dated):
        seen = {source for when, source in dated[i:] if when - start <= PRESS_WINDOW}
        if len(seen) >= PRESS_OUTLETS:
            return True
    return False


def _instant(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


# -- reading ---------------------------------------------------------------------------------

def pending_count(conn: sqlite3.Connection) -> int:
    """Articles not clustered yet (new or changed since the last update: no sketch)."""
    return int(conn.execute(
        "SELECT count(*) FROM articles a LEFT JOIN cluster_sketches s ON s.article_id = a.id "
        "WHERE s.article_id IS NULL").fetchone()[0])


_MEMBER_SQL = (
    "SELECT a.id, a.uid, a.url, a.source, a.title, a.published_at, a.published_utc, "
    "ac.similarity, ac.containment, ac.is_original FROM article_clusters ac "
    "JOIN articles a ON a.id = ac.article_id WHERE ac.cluster_id = ? "
    "ORDER BY a.published_utc IS NULL, a.published_utc, a.first_seen_at, a.id")
_MEMBER_KEYS = ("id", "uid", "url", "source", "title", "published_at", "published_utc",
                "similarity", "containment", "is_original")


def members(conn: sqlite3.Connection, cluster_id: int) -> list[dict[str, Any]]:
    """A cluster's articles, the original first."""
    out = []
    for row in conn.execute(_MEMBER_SQL, (cluster_id,)):
        item = dict(zip(_MEMBER_KEYS, row, strict=True))
        item["is_original"] = bool(item["is_original"])
        out.append(item)
    return out


def list_clusters(conn: sqlite3.Connection, *, min_outlets: int = 2,
                  sources: Sequence[str] = (), since_utc: str | None = None,
                  press_only: bool = False) -> Iterator[dict[str, Any]]:
    """Clusters with at least `min_outlets` outlets (optionally one of `sources` among them,
    first published at or after `since_utc`), newest first, each with its members."""
    where = ["c.outlets >= ?"]
    params: list[Any] = [min_outlets]
    if sources:
        where.append("EXISTS (SELECT 1 FROM article_clusters x JOIN articles xa "
                     "ON xa.id = x.article_id WHERE x.cluster_id = c.id AND xa.source IN "
                     f"({', '.join('?' * len(sources))}))")
        params.extend(sources)
    if since_utc:
        where.append("c.last_published_utc >= ?")
        params.append(since_utc)
    if press_only:
        where.append("c.press_release = 1")
    cursor = conn.execute(
        "SELECT c.id, c.original_id, c.members, c.outlets, c.first_published_utc, "
        "c.last_published_utc, c.press_release, c.press_reason FROM clusters c "
        f"WHERE {' AND '.join(where)} ORDER BY c.first_published_utc DESC, c.id DESC", params)
    keys = ("cluster_id", "original_id", "size", "outlets", "first_published_utc",
            "last_published_utc", "press_release", "press_reason")
    for row in cursor.fetchall():
        item = dict(zip(keys, row, strict=True))
        item["press_release"] = bool(item["press_release"])
        item["members"] = members(conn, item["cluster_id"])
        item["original"] = next((m for m in item["members"] if m["is_original"]),
                                item["members"][0] if item["members"] else None)
        yield item


def copies_of(conn: sqlite3.Connection, article_id: int) -> dict[str, Any] | None:
    """The cluster an article is in, with its members, or None."""
    row = conn.execute("SELECT cluster_id FROM article_clusters WHERE article_id = ?",
                       (article_id,)).fetchone()
    if row is None:
        return None
    head = conn.execute("SELECT press_release, press_reason, outlets FROM clusters WHERE id = ?",
                        (row[0],)).fetchone()
    return {"cluster_id": row[0], "press_release": bool(head[0]) if head else False,
            "press_reason": head[1] if head else None, "outlets": head[2] if head else 0,
            "members": members(conn, row[0])}


def region_of(conn: sqlite3.Connection, article_id: int) -> dict[str, Any] | None:
    """The region an article is about (archive/regions.py), or None when not tagged."""
    row = conn.execute("SELECT region, province, stage FROM article_regions "
                       "WHERE article_id = ?", (article_id,)).fetchone()
    if row is None or (row[0] is None and row[1] is None):
        return None
    return {"region": row[0], "province": row[1], "stage": row[2]}


def collapse_copies(conn: sqlite3.Connection, results: list[dict[str, Any]], *,
                    mark: bool = False) -> list[dict[str, Any]]:
    """Search results with one row per cluster: the first of a cluster's results stays, with
    `cluster_id` and `also_in` (the cluster's other outlets); the others go. `mark` also
    writes "(also in N outlets)" after its title, for a table."""
    ids = [r["id"] for r in results]
    found: dict[int, tuple[int, int]] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        for article_id, cluster_id, outlets in conn.execute(
                "SELECT ac.article_id, ac.cluster_id, c.outlets FROM article_clusters ac "
                "JOIN clusters c ON c.id = ac.cluster_id WHERE ac.article_id IN "
                f"({', '.join('?' * len(chunk))})", chunk):
            found[article_id] = (cluster_id, outlets)
    seen: set[int] = set()
    out = []
    for result in results:
        cluster = found.get(result["id"])
        if cluster is not None:
            if cluster[0] in seen:
                continue
            seen.add(cluster[0])
            result = {**result, "cluster_id": cluster[0], "also_in": cluster[1] - 1}
            if mark and cluster[1] > 1:
                result["title"] = f"{result['title']} (also in {cluster[1] - 1} outlets)"
        out.append(result)
    return out


def syndication_stats(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Per outlet: articles, originals of a shared story (a cluster over two or more
    outlets), copies of another outlet's story, and articles in a likely press release."""
    rows = conn.execute(
        "SELECT a.source, count(*), "
        "sum(CASE WHEN c.outlets >= 2 AND ac.is_original = 1 THEN 1 ELSE 0 END), "
        "sum(CASE WHEN c.outlets >= 2 AND ac.is_original = 0 THEN 1 ELSE 0 END), "
        "sum(CASE WHEN c.press_release = 1 THEN 1 ELSE 0 END) "
        "FROM articles a LEFT JOIN article_clusters ac ON ac.article_id = a.id "
        "LEFT JOIN clusters c ON c.id = ac.cluster_id GROUP BY a.source ORDER BY a.source"
    ).fetchall()
    return [{"source": r[0], "articles": r[1], "original": r[2] or 0, "shared": r[3] or 0,
             "press_release": r[4] or 0} for r in rows]
