"""The date forms are searched the fast way (`dates._search_dated` and the hints) with the same
matches as searching each full pattern over the whole text: a reader sees the same dates."""

from __future__ import annotations

import random
import re

from crawler.extract import dates as D


def _full_search(text: str) -> tuple[re.Match[str], str] | None:
    """`_find_date` as it was: every full pattern searched over the whole text."""
    found = []
    for kind, pattern in (("text", D._TEXT_DATE), ("text", D._TEXT_DATE_EN),
                          ("paren", D._PAREN_DATE), ("num", D._NUM_DATE),
                          ("iso", D._ISO_DATE)):
        match = pattern.search(text)
        if match:
            found.append((match.start("day"), match, kind))
    if not found:
        match = D._SHORT_DATE.search(text)
        return (match, "num") if match else None
    found.sort(key=lambda item: item[0])
    return found[0][1], found[0][2]


def _key(found: tuple[re.Match[str], str] | None) -> object:
    if found is None:
        return None
    match, kind = found
    return match.re.pattern, match.span(), match.groupdict(), kind


TRICKY = [
    "Senin, 22 Mei 2023 10:15 WITA",
    "Jum'at, 12 Mei 2023", "Jum’at,12 Mei", "JUMAT . , 3 Juni 2024",
    "Sen. 12 Mei 2023", "Minggu ,  \t 5/6/2023", "Rabu (4/11/2015)", "Rabu(23/5) pukul 10.15",
    "Kamis 7 Agt", "Sabtu\n\n 1-2-24", "Wednesday, May 24th, 2023", "Tue May 2 2023",
    "Selasa, 2023-05-23", "Senin 12", "12 Senin Mei", "Rp1,5 juta pada 3 Mei", "1.2.2023",
    "sen 1/2", "Minggu, 31/12", "Ahad,. 2 Des 2023", "Senin Selasa, 3 Maret 2024",
]


def _generated(count: int, seed: int) -> list[str]:
    atoms = (list(D.WEEKDAYS) + [w.title() for w in D.WEEKDAYS] + list(D.MONTHS)
             + [m.upper() for m in D.MONTHS] + [str(i) for i in range(32)]
             + ["2023", "1999", "205", "24", "st", "th", "WIB", "10:15", "Rp", "x", "lalu"]
             + list(" ,./-()’'") + ["  ", "\t", "\n", "\u00a0"])
    rnd = random.Random(seed)
    return ["".join(rnd.choice(atoms) for _ in range(rnd.randint(1, 12))) for _ in range(count)]


def test_fast_date_search_finds_what_the_full_patterns_find() -> None:
    texts = TRICKY + _generated(4000, seed=20261128)
    for text in texts:
        for variant in (text, " ".join(text.split())):
            assert _key(D._find_date(variant)) == _key(_full_search(variant)), variant


def test_date_word_check_agrees_with_the_full_patterns() -> None:
    for text in TRICKY + _generated(2000, seed=7):
        full = any(p.search(text) for p in (D._TEXT_DATE, D._NUM_DATE, D._PAREN_DATE,
                                            D._ISO_DATE, D._TEXT_DATE_EN))
        assert D.has_date_words(text) == full, text
