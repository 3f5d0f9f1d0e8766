"""The regency or city an article is about: its dateline first, then the places its title and
body name, weighted by position; East Kalimantan's regencies and cities before the rest of
the country.

The gazetteer (`archive/data/gazetteer.tsv`: name, region, province, kind) holds the
regencies and cities of Indonesia by province, the districts and towns of East and North
Kalimantan with their regency (`Tenggarong` -> Kutai Kartanegara, `Sangatta` -> Kutai Timur),
the short names (`Kukar`, `PPU`, `Kaltim`) and the provinces. It was made from the dateline
gazetteer of the crawler (`crawler/extract/places.py`, grouped there by province and regency):
the archive does not import the crawler, so it keeps its own copy, with the hierarchy that
list lacks.

Stages, in order (`article_regions.stage`):
1. `dateline`: the first place of the dateline the gazetteer knows (`Tenggarong, Kukar`).
2. `title` and `body`: every place named in the title (weight TITLE_WEIGHT) and the first
   BODY_CHARS of the body (the first paragraph FIRST_PARAGRAPH_WEIGHT, later ones less, as
   1 / (1 + POSITION_DECAY * index)), counted only when written with a capital (a proper
   noun: `batu bara` is coal, `Batu` a city) and not one of AMBIGUOUS, names that are also
   common words. The East Kalimantan region with the highest score wins; without one, the
   highest elsewhere; a province named alone gives the province with no region. The stage
   is where the winner scored most.
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

HOME_PROVINCE = "Kalimantan Timur"
TITLE_WEIGHT = 3.0
FIRST_PARAGRAPH_WEIGHT = 2.0
POSITION_DECAY = 0.25
#: Only the start of a body is read: what an article is about is said early, and a 5 MB
#: body is not slow.
BODY_CHARS = 4000
#: Names that are common Indonesian words or names too (`batu` stone, `padang` field,
#: `malang` unlucky, `serang` attack, `nusantara` the archipelago): read only in a dateline.
AMBIGUOUS = frozenset({
    "batu", "batang", "pasir", "tanjung", "rantau", "metro", "solo", "toba", "kaur", "malaka",
    "lebak", "banjar", "kota baru", "bone", "muna", "buru", "puncak", "damai", "waru",
    "nusantara", "peso", "telen", "busang", "tering", "bongan", "laham", "segah", "sandaran",
    "karangan", "sambutan", "kudus", "pati", "batu bara", "batubara", "bima", "malang",
    "kuningan", "tegal", "padang", "medan", "palu", "sorong", "serang", "ende", "alor", "belu",
    "landak", "agam", "karo", "siak", "lingga", "dki", "sigi", "buol", "kapuas", "muara",
    "jakarta", "tanjung harapan", "teluk pandan", "long", "sebuku", "lumbis",
})
_WORD = re.compile(r"\w+")
def _dropped(text: str) -> str:
    """Hyphens and dots as spaces, apostrophes gone (`Loa-Janan`, `Sultan Aji Muhammad
    Sulaiman Sepinggan's`). Four replacements, not `str.translate` with a table, which looks
    every character up: ~70 us a kilobyte of body against ~2 us."""
    return text.replace("-", " ").replace(".", " ").replace("’", "").replace("'", "")
MAX_WORDS = 5


@dataclass(frozen=True)
class Place:
    region: str | None   # regency or city; None for a province
    province: str


@dataclass(frozen=True)
class Tag:
    region: str | None
    province: str | None
    stage: str | None


@cache
def gazetteer() -> dict[str, Place]:
    """name (lower case, single spaces) -> its place."""
    text = resources.files("archive").joinpath("data/gazetteer.tsv").read_text("utf-8")
    out: dict[str, Place] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name, region, province, _kind = line.split("\t")
        out.setdefault(name, Place(region or None, province))
    return out


@cache
def _first_words() -> frozenset[str]:
    return frozenset(name.split()[0] for name in gazetteer())


def _normalize(text: str) -> str:
    return " ".join(_dropped(text.lower()).split())


def _places(text: str, *, capital: bool) -> list[Place]:
    """The places named in `text`, longest name first at each word, in order."""
    names = gazetteer()
    first = _first_words()
    words = _WORD.findall(_dropped(text))
    lowered = [w.lower() for w in words]
    found: list[Place] = []
    i = 0
    while i < len(words):
        if lowered[i] not in first or (capital and not words[i][:1].isupper()):
            i += 1
            continue
        for n in range(min(MAX_WORDS, len(words) - i), 0, -1):
            name = " ".join(lowered[i:i + n])
            place = names.get(name)
            if place is not None and name not in AMBIGUOUS:
                found.append(place)
                i += n
                break
        else:
            i += 1
    return found


def tag(dateline: str | None, title: str | None, body: str | None) -> Tag:
    """The region an article is about (see the module docstring)."""
    names = gazetteer()
    for part in re.split(r"[,/(]", dateline or ""):
        key = _normalize(part)
        head, _, rest = key.partition(" ")
        place = names.get(key) or (names.get(rest) if head in ("kabupaten", "kab", "kota")
                                   else None)
        if place is not None and place.region:
            return Tag(place.region, place.province, "dateline")
    scores: dict[Place, float] = defaultdict(float)
    stages: dict[Place, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for place in _places(title or "", capital=False):
        scores[place] += TITLE_WEIGHT
        stages[place]["title"] += TITLE_WEIGHT
    paragraphs = [p for p in (body or "")[:BODY_CHARS].split("\n\n") if p.strip()]
    for index, paragraph in enumerate(paragraphs):
        weight = FIRST_PARAGRAPH_WEIGHT if index == 0 else 1 / (1 + POSITION_DECAY * index)
        for place in _places(paragraph, capital=True):
            scores[place] += weight
            stages[place]["body"] += weight
    if not scores:
        return Tag(None, None, None)

    def best(places: list[Place]) -> Place | None:
        return max(places, key=lambda p: (scores[p], p.region or "")) if places else None

    chosen = (best([p for p in scores if p.region and p.province == HOME_PROVINCE])
              or best([p for p in scores if p.region])
              or best(list(scores)))
    assert chosen is not None
    stage = max(stages[chosen].items(), key=lambda kv: kv[1])[0]
    return Tag(chosen.region, chosen.province, stage)


def row(article_id: int, dateline: str | None, title: str | None, body: str | None
        ) -> tuple[Any, ...]:
    """An article's `article_regions` row (see `tag`)."""
    found = tag(dateline, title, (body or "")[:BODY_CHARS])
    return (article_id, found.region, found.province, found.stage)


def save(conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    """Store `row`s (replacing the articles' earlier tags)."""
    conn.executemany("INSERT OR REPLACE INTO article_regions VALUES (?, ?, ?, ?)", rows)


def update(conn: sqlite3.Connection) -> int:
    """Tag the articles without a region row; return how many were tagged. The clusters'
    update tags the new and changed articles it reads (`save`); a row `Archive.write`
    replaced with the same title and body (`warta reextract`: its dateline may have
    changed) loses its tag and is tagged here."""
    # in id order: the index holds it, and each look-up follows the last (0.02 s, not 0.2 s,
    # on 100,000 articles)
    rows = conn.execute(
        "SELECT a.id FROM articles a LEFT JOIN article_regions r ON r.article_id = a.id "
        "WHERE r.article_id IS NULL ORDER BY a.id").fetchall()
    ids = [r[0] for r in rows]
    out: list[tuple[Any, ...]] = []
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        out.extend(row(*found) for found in conn.execute(
            "SELECT id, dateline, title, substr(body, 1, ?) FROM articles WHERE id IN "
            f"({', '.join('?' * len(chunk))})", (BODY_CHARS, *chunk)))
    save(conn, out)
    return len(out)


#: East Kalimantan's regencies and cities, the order `warta counts --by region` lists them in
#: (the rest of the country follows, by count).
KALTIM = ("Balikpapan", "Samarinda", "Bontang", "Kutai Kartanegara", "Kutai Timur",
          "Kutai Barat", "Berau", "Paser", "Penajam Paser Utara", "Mahakam Ulu")
COLUMNS = ("region", "province", "matching", "all", "share")


def region_counts(archive: Any, query: str | None, *, raw: bool = False,
                  **filters: Any) -> list[dict[str, Any]]:
    """Per region (regency or city; a province named alone; `(none)` for an article no
    stage placed): the articles matching `query` (every article when None), all articles
    passing the filters, and the share. East Kalimantan's ten are always listed."""
    from archive.counts import SHARE_DIGITS, selection
    from archive.query import Filters

    conn = archive.connection
    everything = Filters.build(conn, **filters)
    stemmer = getattr(archive, "stemmer", None)  # word forms, as `warta search` matches
    matching = (Filters.build(conn, query=query, raw=raw, stemmer=stemmer, **filters)
                if query else everything)

    def grouped(f: Filters) -> dict[tuple[str, str], int]:
        if f.empty:
            return {}
        from_where, params = selection(f)
        return {(row[0], row[1]): row[2] for row in conn.execute(
            "SELECT coalesce(r.region, '(' || r.province || ')', '(none)'), "
            "coalesce(r.province, ''), count(*) "
            "FROM articles x LEFT JOIN article_regions r ON r.article_id = x.id "
            f"WHERE x.id IN (SELECT a.id {from_where}) GROUP BY 1, 2", params)}

    alls = grouped(everything)
    hits = alls if matching is everything else grouped(matching)
    for name in KALTIM:
        alls.setdefault((name, HOME_PROVINCE), 0)
    order = {name: i for i, name in enumerate(KALTIM)}
    keys = sorted(alls, key=lambda k: (order.get(k[0], len(order)), -alls[k], k))
    return [{"region": region, "province": province, "matching": hits.get((region, province), 0),
             "all": alls[(region, province)],
             "share": round(hits.get((region, province), 0) / alls[(region, province)],
                            SHARE_DIGITS) if alls[(region, province)] else None}
            for region, province in keys]


def plot_regions(rows: list[dict[str, Any]], path: str | Path, title: str) -> Path:
    """A horizontal bar chart of the articles per East Kalimantan regency or city (and the
    ten largest others), matching ones over all, into a PNG or SVG."""
    from archive.counts import PLOT_DPI, PLOT_SIZE_INCHES, plot_file, save_plot

    out, fmt = plot_file(path)
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    kaltim = [r for r in rows if r["region"] in KALTIM]
    others = [r for r in rows if r["region"] not in KALTIM][:10]
    shown = list(reversed(kaltim + others))
    with matplotlib.rc_context({"svg.hashsalt": "warta", "svg.fonttype": "path"}):
        figure = Figure(figsize=PLOT_SIZE_INCHES, dpi=PLOT_DPI)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        labels = [r["region"] for r in shown]
        axes.barh(labels, [r["all"] for r in shown], color="#c8d6e5", label="all articles")
        axes.barh(labels, [r["matching"] for r in shown], color="#2e86de", label="matching")
        axes.set_title(title)
        axes.set_xlabel("Articles")
        axes.tick_params(axis="y", labelsize="small")
        axes.legend(fontsize="small")
        figure.tight_layout()
        save_plot(figure, out, fmt)
    return out
