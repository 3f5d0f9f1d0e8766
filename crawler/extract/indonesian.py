"""The Indonesian parts of a news article, read from its text lines.

Each function takes one line (a text block) and says what it is, so the body chooser can
take it out of the body and keep it as a field:

- `parse_dateline`: `JAKARTA -`, `Penajam Paser Utara -` (places checked against the
  gazetteer in `places.py`), `SAMARINDA, Site.com -`, `Balikpapan (ANTARA) -`,
  `LHOKSEUMAWE, KOMPAS.com –`, `Mataram, NTB (ANTARA News) -`, `Liputan6.com, Jakarta -`,
  `TRIBUNNEWS.COM -` (a credit with no place);
- `parse_signoff`: `(*/han)`, `(ant/kpl)`, `(fyk/ash)`, `(FHM)` at the end of the last paragraph;
- `parse_staff`: `Editor:`, `Penulis:`, `Pewarta:`, `Reporter:`, `Fotografer:`, `Oleh:` lines
  (several on one line too, or one piece of a `|`-separated meta line) and `Laporan Wartawan
  Outlet.com, Nama`; `staff_label` / `parse_unmarked_staff`: credits without a colon
  (`Penulis` above the name, `Editor Rangga Pratama`);
- `inline_related_prefix` / `is_related_label`: `Baca Juga: ...` lines and related-box labels;
- `is_body_junk`: copyright, "follow us", syndication and comment-count lines;
- `person_names`: author strings cleaned (`Kontributor Lhokseumawe, Masriadi` -> `Masriadi`,
  `Fino Yurio Kristo - detikinet` -> `Fino Yurio Kristo`, `A dan B` -> `A`, `B`);
- `guess_language`: `id` or `en` from function words, for pages whose `lang` is a template
  default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from crawler.extract.dates import WEEKDAYS
from crawler.extract.places import is_place

DATELINE_MAX_CHARS = 80
"""A dateline prefix is short: the longest seen is about 45 characters
(`Bandarlampung, Lampung (ANTARA News)`); 80 leaves room without reaching into sentences."""

DATELINE_MAX_PLACE_WORDS = 5
"""Words in one place name: four in the longest regency names (`Ogan Komering Ulu Selatan`,
`Kepulauan Siau Tagulandang Biaro`), five with `Kabupaten` before them."""

STAFF_MAX_CHARS = 200
"""A staff line (`Penulis: ... Editor: ...`) is short; longer lines starting with a label are
sentences that happen to begin with the word."""

SIGNOFF_MAX_PART = 8
"""Letters in one sign-off code part: initials are 2-4 letters (`han`, `kpl`), agency names up
to `Reuters`/`Antara`; longer words in brackets are ordinary text."""

_DASH = r"(?:\s+[-–—−]+\s*|\s*[–—−]+\s*|\s*--+\s*|(?<=[A-Z)])-\s+)"
"""A dash after the prefix: spaced hyphen, any en/em dash, a double hyphen, or a hyphen glued to
an upper-case place or a credit (`SANGATTA- Warga`, `(ANTARA)- Warga`)."""
_DATELINE_HEAD = re.compile(
    r"^(?P<prefix>[^\n]{2," + str(DATELINE_MAX_CHARS) + r"}?)" + _DASH + r"(?=\S)"
)
_DATELINE_BARE = re.compile(
    r"^(?P<prefix>[^\n]{2," + str(DATELINE_MAX_CHARS) + r"}?)\s*[-–—−]*\s*$"
)
_DOMAIN = re.compile(
    r"[A-Za-z0-9][\w-]*\.(?:com|co\.id|co|id|net|org|tv|news|info|biz|web\.id|or\.id)\b",
    re.IGNORECASE,
)
_CAMEL = re.compile(r"^[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+$")
_PLACE_WORD = re.compile(r"^[A-Z0-9][\w'’.-]*$")
_PAREN = re.compile(r"\(([^)]{1,40})\)")
_DATELINE_DATE = re.compile(
    r"^(?:\d{1,2}/\d{1,2}(?:/\d{2,4})?|\d{1,2}\s+(?:jan|feb|mar|apr|mei|may|jun|jul|agu|aug|"
    r"sep|okt|oct|nov|des|dec)[a-z]*\.?(?:\s+\d{4})?)$",
    re.IGNORECASE,
)
"""The day a dateline may carry (`Samarinda, 12/6 (ANTARA) -`, `Bontang, 12 Juni 2023 -`, as
agencies and press releases write it)."""
_AGENCIES = frozenset(
    {"antara", "antara news", "antaranews", "afp", "reuters", "ap", "xinhua", "bernama", "ant"}
)
"""News agency credits seen in Indonesian datelines; any parenthesized credit counts too."""


@dataclass(frozen=True)
class Dateline:
    place: str | None
    """The place as shown (`JAKARTA`, `Mataram, NTB`), None for a credit with no place."""
    raw: str
    """The whole prefix as shown, dash included (`Balikpapan (ANTARA) -`)."""
    rest: str
    """The paragraph without the prefix."""


def _is_outlet(segment: str, outlet_words: frozenset[str]) -> bool:
    bare = segment.strip()
    if _DOMAIN.search(bare) or _CAMEL.match(bare):
        return True
    lowered = bare.lower()
    if lowered in _AGENCIES:
        return True
    letters = re.sub(r"[^a-z0-9]", "", lowered)
    return any(word in letters for word in outlet_words if len(word) >= 4)


def _place_ok(segment: str) -> bool:
    words = segment.split()
    if not words or len(words) > DATELINE_MAX_PLACE_WORDS:
        return False
    return all(_PLACE_WORD.match(w) for w in words)


_GEO_FIRST = frozenset(
    {"kota", "kabupaten", "kab", "kecamatan", "kec", "provinsi", "desa", "kelurahan", "kampung",
     "dusun", "kepulauan", "pulau", "tanjung", "teluk", "muara", "sungai", "sei", "hulu",
     "tanah", "bukit", "gunung", "padang", "kuala", "labuhan", "pangkalan", "bandar", "long",
     "loa", "rantau", "lubuk", "pasir", "batu", "danau", "ujung", "tenggarong", "simpang",
     "air", "rawa", "karang", "selat", "telaga", "lembah", "pematang"}
)
"""Words that open Indonesian place names (`Tanjung Redeb`, `Muara Badak Ulu`, `Long Apari`,
`Kepulauan Bangka Belitung`, `Desa Sebulu`): administrative and geographic nouns, and in
Kalimantan the Dayak and Kutai `Long` (river mouth) and `Loa` that begin village and district
names; `Simpang`, `Air`, `Rawa`, `Karang` (`Simpang Pasir`, `Air Hitam`). A phrase they
open is never a person or an office of the place after them."""
_GEO_LAST = frozenset(
    {"utara", "selatan", "barat", "timur", "tengah", "tenggara", "daya", "laut", "raya", "ulu",
     "ilir", "hulu", "hilir", "seberang", "darat", "baru", "kota", "pantai", "pesisir"}
)
"""Words that close them: compass points and upstream/downstream, the way districts are
named after the town or regency they were split from (`Muara Badak Ulu`, `Samarinda
Seberang`, `Sangatta Utara`, `Kota Bangun Darat`)."""
_NOT_PLACE_FIRST = frozenset(
    {"warga", "masyarakat", "penduduk", "bupati", "wakil", "wali", "gubernur", "camat", "lurah",
     "kepala", "ketua", "anggota", "presiden", "menteri", "pemkab", "pemkot", "pemprov",
     "pemerintah", "dprd", "polres", "polresta", "polsek", "polda", "kodim", "dinas", "badan",
     "kantor", "tim", "petani", "nelayan", "pedagang", "sejumlah", "ribuan", "ratusan",
     "puluhan", "para", "seluruh", "festival", "bank", "partai", "universitas", "rsud",
     "bandara", "pelabuhan", "pasar", "jalan", "jembatan", "harga", "banjir", "kebakaran"}
)
"""First words of the people, offices and things a lead sentence starts with before a place
(`Warga Kutai Barat - ...`, `Pemkab Kutai Timur - ...`). Such a line is never a dateline, in
any case; words not listed here are caught by `_someone_of_a_place`."""

SHAPE_MAX_WORDS = 3
"""Words of a mixed-case place read without the gazetteer (`Muara Badak Ulu`): three, as
before the gazetteer; four or five words read only when the gazetteer knows the place
(`Ogan Komering Ulu Selatan`), or its first words and a compass word close it."""


def _someone_of_a_place(lowered: list[str], words: list[str]) -> bool:
    """`Petani Kutai Barat`, `Nelayan Muara Badak`, `Pengrajin Bontang`: a word that is
    neither a place nor a place-opening noun, before a place the gazetteer knows. That is how
    a sentence names people, offices or things of a place; a place name is never built so."""
    if lowered[0] in _GEO_FIRST or is_place(words[0]):
        return False
    return any(is_place(" ".join(words[i:])) for i in range(1, len(words)))


def _place_reads(place: str, credited: bool, rest: str | None) -> bool:
    """Whether one place of a dateline prefix reads as a place.

    - A phrase opened by a day name (`Senin`) never reads, in any case.
    - A place the gazetteer knows (`places.is_place`), of one to five words, in any case;
      three words or more in mixed case also need a sentence opening after the dash.
    - Otherwise, upper case of up to three words, as always (`SAMARINDA -`, `LOA JANAN
      ILIR -`): no sentence is set in capitals.
    - Otherwise a mixed-case phrase opened by a role word (`Warga`, `Petani`) never reads,
      nor one of an unknown word before a known place (`_someone_of_a_place`); a single word
      or two words read as before (`Mataram -`, `Tanjung Redeb -`, villages the list lacks),
      and three only when shaped like a place: opened by a geographic word (`Long Bagun
      Ilir`) or a known place closed by a compass or river word (`Muara Badak Ulu`).
    """
    words = place.split()
    lowered = [w.lower() for w in words]
    # a day name is never a place: `Senin, 29 Januari 2024 -` is a listing's date line
    if lowered[0] in WEEKDAYS or (lowered[0] in _NOT_PLACE_FIRST and not is_place(place)):
        return False
    if is_place(place):
        return len(words) <= 2 or place.isupper() or credited or _opens_a_sentence(rest)
    extended = lowered[-1] in _GEO_LAST and is_place(" ".join(words[:-1]))
    if len(words) > SHAPE_MAX_WORDS and not extended:
        return False
    if place.isupper() or len(words) == 1:
        return True
    if _someone_of_a_place(lowered, words):
        return False
    if credited or len(words) <= 2:
        return True
    return (lowered[0] in _GEO_FIRST or extended) and _opens_a_sentence(rest)


def _opens_a_sentence(rest: str | None) -> bool:
    """After a dateline the lead sentence starts (`Pemerintah ...`, `"Kami ...`, `23 warga`);
    after an aside dash a sentence goes on in lower case (`Presiden ... - yang hadir`).
    None: the dateline stands alone on its line."""
    return rest is None or (rest[:1].isupper() or rest[:1].isdigit() or rest[:1] in "\"“'‘")


def _read_prefix(
    prefix: str, outlet_words: frozenset[str], rest: str | None = None
) -> tuple[str | None, bool] | None:
    """`(place, ok)` for a dateline prefix, None when the prefix is not one. `rest`: the text
    after the dash (None for a prefix alone on its line)."""
    prefix = prefix.strip().rstrip(",").strip()
    if not prefix or prefix[-1] in ".!?:;\"”'’":
        return None
    credits = _PAREN.findall(prefix)
    if len(credits) > 1:
        return None
    outside = _PAREN.sub(" ", prefix)
    if "(" in outside or ")" in outside:
        return None
    segments = [s.strip() for s in outside.split(",") if s.strip()]
    if not segments or len(segments) > 3:
        return None
    places: list[str] = []
    outlet = bool(credits)
    dated = False
    for segment in segments:
        if _is_outlet(segment, outlet_words):
            outlet = True
        elif places and not dated and _DATELINE_DATE.match(segment):
            dated = True  # after the place only: `12 Juni 2023 - ...` alone is a sentence
        elif _place_ok(segment):
            places.append(segment)
        else:
            return None
    if not places and not outlet:
        return None
    # without an outlet credit, at most two places (`Mataram, NTB`); each must read as a place
    # (`JAKARTA -`, `Penajam Paser Utara -`); `Presiden Joko Widodo - ...` is a sentence
    if places and not outlet and len(places) > 2:
        return None
    if not all(_place_reads(p, outlet, rest) for p in places):
        return None
    return (", ".join(places) or None), True


_DATELINE_BAR = re.compile(
    r"^(?P<prefix>[^\n|:]{2," + str(DATELINE_MAX_CHARS) + r"}?)\s+[|:]\s+(?=\S)"
)
"""`SAMARINDA | Warga ...`, `SAMARINDA : Warga ...`: a bar or a spaced colon after the place,
read as a dateline only when the place is in capitals (`Contoh : ...` is text)."""


def parse_dateline(
    text: str, *, lead_bold: str = "", outlet_words: frozenset[str] = frozenset()
) -> Dateline | None:
    """The dateline at the head of the first paragraph, or a paragraph that is only one."""
    head = text[: DATELINE_MAX_CHARS + 8]
    match = _DATELINE_HEAD.match(head)
    if match:
        read = _read_prefix(match["prefix"], outlet_words, text[match.end() :])
        if read is not None:
            return Dateline(read[0], text[: match.end()].strip(), text[match.end() :].strip())
    bar = _DATELINE_BAR.match(head)
    if bar:
        read = _read_prefix(bar["prefix"], outlet_words)
        if read is not None and read[0] is not None and read[0].isupper():
            return Dateline(read[0], text[: bar.end()].strip(), text[bar.end() :].strip())
    bare = _DATELINE_BARE.match(text)
    if bare:
        read = _read_prefix(bare["prefix"], outlet_words)
        if read is not None and (read[0] is None or not read[0].islower()):
            return Dateline(read[0], text.strip(), "")
    if lead_bold and text.startswith(lead_bold) and len(lead_bold) <= DATELINE_MAX_CHARS:
        # `<b>Liputan6.com, Jakarta</b> London Love Story ...`: a bold lead with no dash
        read = _read_prefix(lead_bold.rstrip(" -–—"), outlet_words)
        if read is not None and read[0] is not None and "," in lead_bold:
            return Dateline(read[0], lead_bold.strip(), text[len(lead_bold) :].strip(" -–—"))
    return None


SIGNOFF_MAX_PARTS = 5
"""Initials in one sign-off: writer, editors and desk codes (`(yans/sul/ky/humasprov kaltim)`,
`(*/dp/rdh/k8)`)."""

SIGNOFF_MAX_DESK_WORD = 15
"""Letters in a word of a desk or agency name closing a sign-off (`humasprov`, `diskominfo`)."""

_SIGNOFF_PART = r"[A-Za-z*][A-Za-z0-9*]{0," + str(SIGNOFF_MAX_PART - 1) + "}"
"""Initials, with a desk number (`k8`, `k15`: newspaper desks number their editors)."""
_SIGNOFF_DESK = (
    r"[A-Za-z]{2," + str(SIGNOFF_MAX_DESK_WORD) + r"}(?:\s[A-Za-z]{2,"
    + str(SIGNOFF_MAX_DESK_WORD) + r"}){0,2}"
)
"""The last piece may name the desk or office in up to three words (`diskominfo kaltim`,
`humas pemkot`), as government press releases sign off."""
_SIGNOFF_ADVERTORIAL = r"(?i:adv|advertorial|rls|rilis|hms)"
"""Markers of paid or press-release copy that regional outlets close with the office's name
(`(ADV/Diskominfo Kukar)`, `(rls/humas pemkot)`)."""
_SIGNOFF = re.compile(
    r"(?:^|(?<=[.!?\"”’'…]))\s*[(\[]\s*(?P<code>(?:\*\s*/\s*)?(?:" + _SIGNOFF_PART
    + r"(?:\s*/\s*" + _SIGNOFF_PART + r"){1," + str(SIGNOFF_MAX_PARTS - 1) + r"}"
    + r"(?:\s*/\s*" + _SIGNOFF_DESK + r")?|" + _SIGNOFF_ADVERTORIAL + r"\s*/\s*" + _SIGNOFF_DESK
    + r"|" + _SIGNOFF_PART + r"|" + _SIGNOFF_ADVERTORIAL + r"))\s*[)\]](?P<stop>\s*\.)?\s*$"
)
"""A desk name closes only a sign-off of two initials or more (`(dan/atau pihak lain)` is
text), or one that marks an advertorial or a press release (`(adv/diskominfo kukar)`). Only a
sign-off opened by such a mark may be followed by a full stop (`(Adv).`)."""
_ADVERTORIAL_HEAD = re.compile(_SIGNOFF_ADVERTORIAL + r"(?:/|$)")


@dataclass(frozen=True)
class Signoff:
    code: str
    """The code as printed, without its brackets (`*/han`, `ant/kpl`, `adv/rz`, `Adv`), spaces
    around `/` dropped: the `*/` (material from other sources, a press release) and `adv`
    (advertorial) marks are kept, a researcher filters on them."""
    raw: str
    """As shown (`(*/han)`, `(Adv).`)."""
    rest: str
    """The paragraph without it."""


def parse_signoff(text: str) -> Signoff | None:
    """A sign-off code closing a paragraph (`...paparnya.(*/han)`) or standing alone."""
    if not text.endswith((")", "]", ").", "].")):
        return None
    match = _SIGNOFF.search(text)
    if not match:
        return None
    code = " ".join(re.sub(r"\s*/\s*", "/", match["code"]).split())
    if match["stop"] and not _ADVERTORIAL_HEAD.match(code):
        return None  # `kata dia. (PDIP).`: a sentence's bracket, not a sign-off
    return Signoff(code, text[match.start() :].strip(), text[: match.start()].rstrip())


STAFF_ROLES = {
    "editor": "editor",
    "redaktur": "editor",
    "penyunting": "editor",
    "editing": "editor",
    "penulis": "author",
    "oleh": "author",
    "writer": "author",
    "author": "author",
    "by": "author",
    "pewarta": "reporter",
    "reporter": "reporter",
    "wartawan": "reporter",
    "jurnalis": "reporter",
    "kontributor": "reporter",
    "koresponden": "reporter",
    "fotografer": "photographer",
    "foto": "photographer",
    "pewarta foto": "photographer",
    "sumber": "source",
    "penerjemah": "translator",
    "editor foto": "photo_editor",
    "laporan": "reporter",
    "liputan": "reporter",
    "naskah": "author",
    "penulis/editor": "author+editor",
    "penulis & editor": "author+editor",
    "penulis dan editor": "author+editor",
    "editor/penulis": "author+editor",
    "reporter/editor": "reporter+editor",
    "editor/reporter": "reporter+editor",
}
"""Staff labels and the field each fills (`+`: one person in two roles)."""

NAME_ONLY_LABELS = frozenset({"laporan", "liputan", "naskah"})
"""Labels that also open ordinary text (`Laporan: BPS mencatat ...`): a staff line only when
the value is a person's name."""

_STAFF_ALT = "|".join(sorted((re.escape(k) for k in STAFF_ROLES), key=len, reverse=True))
_STAFF = re.compile(r"(?:^|(?<=[\s|/,;]))(?P<label>" + _STAFF_ALT + r")\s*[:：]\s*", re.IGNORECASE)
_LAPORAN = re.compile(
    r"^laporan\s+(?:wartawan|reporter|koresponden|kontributor|jurnalis)\s+(?P<outlet>[^,]{2,60}),\s*"
    r"(?P<name>[^|,]{2,80})$",
    re.IGNORECASE,
)


POSTED_BY_MAX_TAIL = 40
"""Characters allowed after the name in a `Ditulis oleh Nama pada 23 Mei 2023` line: a date
or a time, not the rest of a sentence."""
_POSTED_BY = re.compile(
    r"^(?:ditulis|diposting|diposkan|dipost|posted|written)\s+(?:oleh|by)\s*[:：]?\s*"
    r"(?P<name>.+?)(?:\s+(?:pada|on|at|tanggal|tgl\.?)\s+(?P<tail>.*))?$",
    re.IGNORECASE,
)
"""Blog-style meta lines naming the writer (`Ditulis oleh Nama pada 23 Mei 2023`, `Posted by:
Nama`)."""

_STAFF_START = re.compile(
    r"laporan\s|(?:ditulis|diposting|diposkan|dipost|posted|written)\s|(?:" + _STAFF_ALT
    + r")\s*[:：]",
    re.IGNORECASE,
)
"""How every staff line opens (a `_LAPORAN` or `_POSTED_BY` line, or a `_STAFF` label at its
start): one anchored match turns away the other lines, most of those asked, before the three
patterns and a search through the whole line."""

_WRAPPED = re.compile(r"^[(\[]\s*(?P<inner>[^()\[\]]+?)\s*[)\]]$")
_SEGMENTS = re.compile(r"\s+[|•·]\s+")
"""Separators of a meta line's pieces (`Rabu, 24 Mei 2023 | Oleh : Nama | Dibaca : 341 kali`)."""


def parse_staff(text: str) -> list[tuple[str, str]]:
    """`[(role, value)]` from a staff line (`Penulis: A | Editor: B`), [] when not one. A meta
    line whose pieces are separated by `|` or `•` may hold a staff piece anywhere
    (`24 Mei 2023 | Oleh : Nama | Dibaca : 341 kali`)."""
    text = text.lstrip(" |/•·-–—")
    if len(text) > STAFF_MAX_CHARS:
        return []
    return list(_staff_of(text))


TEXT_MEMO_SIZE = 4096
"""Short lines whose reading (`parse_staff`, `parse_unmarked_staff`, `person_names`,
`is_body_junk`) is remembered, per function: a page's lines are read as staff lines by
several stages (the byline, the lines around the body, the body's own), and a template
repeats its labels and staff lines from page to page (on bench/crawl.py's outlet over 80% of
the calls repeat a line). Each function is pure; its result is kept as a tuple and handed
out as a new list."""

TEXT_MEMO_MAX_CHARS = 300
"""Longer texts are read again each time rather than kept (bylines and staff lines are far
shorter; `STAFF_MAX_CHARS` already bounds the staff lines), and so are texts read against
outlet words longer than this in all (words from a page's own `og:site_name`, when that is a
paragraph): a page cannot fill memory with what it makes these functions remember."""


def _memo_ok(text: str, outlet_words: frozenset[str]) -> bool:
    return len(text) <= TEXT_MEMO_MAX_CHARS and sum(map(len, outlet_words)) <= TEXT_MEMO_MAX_CHARS


@lru_cache(maxsize=TEXT_MEMO_SIZE)
def _staff_of(text: str) -> tuple[tuple[str, str], ...]:
    wrapped = _WRAPPED.match(text)
    if wrapped:  # `(Penulis: Nama | Editor: Nama)`, `[Penulis: Nama/Editor: Nama]`
        text = wrapped["inner"]
    found = _parse_staff_line(text)
    if found or not _SEGMENTS.search(text):
        return tuple(found)
    for segment in _SEGMENTS.split(text):
        found.extend(_parse_staff_line(segment))
    return tuple(found)


def _parse_staff_line(text: str) -> list[tuple[str, str]]:
    if _STAFF_START.match(text) is None:
        return []
    laporan = _LAPORAN.match(text)
    if laporan:
        return [("reporter", laporan["name"].strip())]
    posted = _POSTED_BY.match(re.split(r"\s*[|•·]\s*", text, maxsplit=1)[0])
    if posted:
        tail = posted["tail"]
        if tail is None or (len(tail) <= POSTED_BY_MAX_TAIL and any(c.isdigit() for c in tail)):
            return [("author", posted["name"].strip(" |/,;-–—\u00a0"))]
        return []
    matches = list(_STAFF.finditer(text))
    if not matches or matches[0].start() != 0:
        return []
    found: list[tuple[str, str]] = []
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        value = text[match.end() : end].strip(" |/,;-–—\u00a0")
        label = " ".join(match["label"].lower().split())
        if label in NAME_ONLY_LABELS and person_names(value) != [value]:
            return []
        if value:
            found.extend((role, value) for role in STAFF_ROLES[label].split("+"))
    return found


UNMARKED_LABELS = frozenset(
    {"penulis", "editor", "redaktur", "penyunting", "pewarta", "reporter", "wartawan",
     "fotografer", "kontributor"}
)
"""Labels that name a role even without a colon (`Editor Rangga Pratama` in an editorial team
list, `Penulis` in a heading above the name): words no sentence or headline starts a short
line with. `Oleh`, `Foto`, `Sumber`, `By` are left out: lines start with them for other
reasons."""


def staff_label(text: str) -> str | None:
    """The role of a line that is only a staff label (`Penulis`, `Editor:`), whose value is
    the next line (Kompas-style credit blocks)."""
    label = text.strip(" :：").lower()
    return STAFF_ROLES[label] if label in UNMARKED_LABELS else None


def parse_unmarked_staff(
    text: str, outlet_words: frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    """`[(role, name)]` from credit lines without a colon (`Penulis Yuliana Sari`, `Penulis
    Kontributor Kota, Nama | Editor Nama`): a label of `UNMARKED_LABELS` followed by a name.
    Only for short lines outside the article body."""
    if len(text) > STAFF_MAX_CHARS:
        return []
    if not _memo_ok(text, outlet_words):
        return list(_unmarked_staff_of.__wrapped__(text, outlet_words))
    return list(_unmarked_staff_of(text, outlet_words))


@lru_cache(maxsize=TEXT_MEMO_SIZE)
def _unmarked_staff_of(text: str, outlet_words: frozenset[str]) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    for segment in _SEGMENTS.split(text.strip()):
        label, _, rest = segment.strip().partition(" ")
        role = staff_label(label)
        rest = rest.strip()
        if role is None or not rest or not rest[0].isupper():
            return ()
        if not person_names(rest, outlet_words):
            return ()
        found.append((role, rest))
    return tuple(found)


TITLE_KICKERS = frozenset(
    {"video", "foto", "foto-foto", "galeri", "galeri foto", "infografis", "infografik",
     "eksklusif", "exclusive", "breaking news", "breaking", "live", "live update", "update",
     "terkini", "opini", "kolom", "editorial", "tajuk", "advertorial", "adv", "hoaks",
     "cek fakta", "klarifikasi", "wawancara", "podcast", "analisis", "feature", "berita foto",
     "video viral", "viral"}
)
"""Labels that outlets put before a headline to say what kind of item it is (`VIDEO:`,
`FOTO:`, `INFOGRAFIS |`, `[EKSKLUSIF]`, `BREAKING NEWS:`). Only these: a word before a colon
is otherwise the speaker of a quote headline (`KPU: Pemilu Tetap Digelar`) and stays."""
KICKER_MAX_CHARS = 24
"""The longest label of `TITLE_KICKERS` with its punctuation (`BREAKING NEWS:`) fits."""
_KICKER = re.compile(
    r"^\s*(?:\[\s*(?P<bracket>[^\]]{2,20}?)\s*\]\s*[:|]?|(?P<word>[^\W\d][\w -]{1,18}?)\s*[:|])"
    r"\s*(?=\S)"
)


def split_kicker(title: str) -> tuple[str | None, str]:
    """`(label, headline)` for a headline opened by a kicker label of `TITLE_KICKERS`
    (`VIDEO: Banjir ...` -> `("VIDEO", "Banjir ...")`), else `(None, title)`."""
    head = title[:KICKER_MAX_CHARS]
    if ":" not in head and "|" not in head and "[" not in head:
        return None, title  # nearly every title: three substring tests, no regex
    match = _KICKER.match(title)
    if match is None:
        return None, title
    label = (match["bracket"] or match["word"]).strip()
    if " ".join(label.lower().split()) not in TITLE_KICKERS:
        return None, title
    return label, title[match.end() :]


_INLINE_RELATED = re.compile(
    r"^\s*(?:(?:baca|lihat|simak|klik|read)"
    r"(?:\s+(?:juga|pula|selengkapnya|berita|artikel|also|lainnya))*"
    r"\s*(?:[:：>»➡→👉\ufe0f]+|[-–—]\s)"
    r"|(?:(?:berita|artikel)\s+(?:terkait|lainnya)|terkait)\s*[:：>»➡→👉\ufe0f]+)\s*",
    re.IGNORECASE,
)
"""`Baca juga: Judul` and kin; also `Berita Terkait: Judul` / `Artikel Terkait: Judul` set
inline (those need the colon: `Terkait hal itu, ...` is a sentence)."""
RELATED_LABEL = re.compile(
    r"^(?:baca(?:\s+juga)?|baca\s+berita\s+lain(?:nya)?|lihat\s+juga|simak\s+juga|"
    r"(?:berita|artikel|foto|video|foto\s*(?:dan|&)?\s*video|topik|tautan)\s+terkait|terkait|"
    r"berita\s+lain(?:nya)?|artikel\s+lain(?:nya)?|berita\s+rekomendasi|rekomendasi(?:\s+berita)?|"
    r"related(?:\s+(?:news|articles?|posts?|stories|links?))?|read\s+(?:also|more)|more\s+stories|"
    r"you\s+may\s+also\s+like)\s*:?$",
    re.IGNORECASE,
)
"""Labels of related-headline boxes (`Baca Juga`, `Berita Terkait`, `Berita Lainnya`, ...).
Lists labelled `Terpopuler`, `Terkini`, `Pilihan Editor` are site-wide, not related."""


SITEWIDE_LABEL = re.compile(
    r"^(?:berita\s+|artikel\s+|posting(?:an)?\s+|post\s+)?"
    r"(?:terkini|terbaru|terpopuler|populer|paling\s+(?:banyak\s+)?dibaca|trending|terhangat|"
    r"pilihan(?:\s+(?:editor|redaksi))?|editor'?s\s+picks?|headlines?|sorotan|"
    r"most\s+(?:popular|read|viewed)|latest(?:\s+news)?|popular(?:\s+posts?)?|"
    r"recent\s+posts?|rekomendasi\s+untuk\s+(?:anda|kamu))"
    r"(?:\s+(?:lainnya|hari\s+ini|minggu\s+ini|pekan\s+ini))*\s*:?$",
    re.IGNORECASE,
)
"""Labels of site-wide lists (`Terkini`, `Terpopuler`, `Berita Terkini Lainnya`, `Postingan
Populer`, `Pilihan Editor`): the same on every page, so never related headlines, even in a box
whose class says `recommend` or `related`."""


def is_sitewide_label(text: str) -> bool:
    return len(text) <= 40 and SITEWIDE_LABEL.match(text) is not None


def inline_related_prefix(text: str) -> int:
    """Length of a `Baca Juga:` prefix opening the line (0 when there is none)."""
    match = _INLINE_RELATED.match(text)
    return match.end() if match else 0


def is_related_label(text: str) -> bool:
    return len(text) <= 40 and RELATED_LABEL.match(text) is not None


def block_label(text: str) -> str:
    """A label as a block name: `Berita Terkait:` -> `berita-terkait`."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "related"


_BODY_JUNK = re.compile(
    r"^(?:copyright\b|hak\s+cipta|©|\(c\)\s|all\s+rights\s+reserved|"
    r"ikuti\s+(?:perkembangan|berita|kami|update|kanal|juga|terus)|"
    r"dapatkan\s+(?:update|berita|informasi|info)|follow\s+(?:us|kami)|"
    r"(?:gabung|bergabung)\s+(?:di|ke|dengan|bersama)\b|download\s+aplikasi|unduh\s+aplikasi|"
    r"klik\s+(?:di\s*sini|link|tautan)|artikel\s+ini\s+(?:telah|sudah)\s+(?:tayang|terbit|diterbitkan)|"
    r"(?:tonton|saksikan|simak|lihat)\s+(?:juga\s+)?video\b|tonton\s+juga|saksikan\s+juga|"
    r"simak\s+breaking\s+news|\[(?:gambas|embed)\s*:|sumber\s*:|tags?\s*:|topik\s*:|"
    r"\d+\s+komentar$|komentar$|share\s*:|bagikan\s*:|dibaca\s*:?\s*\d|"
    r"(?:halaman|page)\s+(?:selanjutnya|berikutnya|sebelumnya|\d+)|selanjutnya\s*>*$|"
    r"advertisement$|iklan$|scroll\s+(?:to|untuk)\s+|story\s+continues\b|"
    # reading time (`2 menit baca`, `3 min read`, `Waktu baca: 4 menit`), alone in its line
    r"(?:(?:waktu|lama)\s+(?:baca|membaca)|reading\s+time|read\s+time|baca\s+dalam)\s*:?\s*"
    r"\d+\s*(?:menit|mnt|min(?:ute)?s?)\.?$|"
    r"\d+\s*(?:menit|mnt|min(?:ute)?s?)\.?\s+(?:baca|membaca|read|reading|untuk\s+membaca)$|"
    r"(?:gabung|bergabung)\s+(?:grup|group|channel|saluran|komunitas)\b|"
    r"dilarang\s+(?:mengambil|mengutip|menyalin|menayangkan)\s+(?:dan/atau|sebagian|seluruh|"
    r"konten|artikel|tulisan|berita|isi)\b)",
    re.IGNORECASE,
)
_CHANNEL_PROMO = re.compile(
    r"\b(?:berita|artikel|update|informasi|info|kabar)\b.{0,60}\b(?:di|ke|via|melalui|lewat)\s+"
    r"(?:google\s+news|whatsapp\s+channel|channel\s+whatsapp|saluran\s+whatsapp|"
    r"telegram\s+channel|channel\s+telegram)\b",
    re.IGNORECASE,
)
"""`Cek berita dan artikel lainnya di Google News`, `Simak update berita ... di WhatsApp
Channel`: an outlet's channel promo, whatever verb opens it."""
CHANNEL_PROMO_MAX_CHARS = 160
"""Channel promos are one short line; a longer paragraph naming Google News is text."""
_DECORATION = " -–—*•·|=~_"
"""Decoration around a marker line (`- Advertisement -`, `--- Iklan ---`)."""


def is_body_junk(text: str) -> bool:
    """Lines that are never article text (copyright, follow-us, syndication notes, video
    promos and embed placeholders such as `Simak Video "..."` / `[Gambas:Video 20detik]`,
    channel promos, ad markers with or without decoration)."""
    if len(text) >= 300:
        return False
    return _is_junk_line(text)


@lru_cache(maxsize=TEXT_MEMO_SIZE)
def _is_junk_line(text: str) -> bool:
    if _BODY_JUNK.match(text.strip(_DECORATION)) is not None:
        return True
    return (
        len(text) <= CHANNEL_PROMO_MAX_CHARS
        and _names_a_channel(text)
        and _CHANNEL_PROMO.search(text) is not None
    )


def _names_a_channel(text: str) -> bool:
    """Cheap pre-check for `_CHANNEL_PROMO` (whose search costs as much at every line): each
    of its matches holds `google`, `whatsapp` or `telegram`, and every character the pattern's
    IGNORECASE lets stand for one of their letters case-folds to that letter."""
    folded = text.casefold()
    return "google" in folded or "whatsapp" in folded or "telegram" in folded


_ROLE_WORDS = frozenset(
    {
        "jurnalis",
        "wartawan",
        "reporter",
        "kontributor",
        "koresponden",
        "editor",
        "redaktur",
        "fotografer",
        "penulis",
        "contributor",
        "writer",
        "staff",
        "staf",
        "tim",
        "team",
    }
)
_NAME_PREFIX = re.compile(
    r"^(?:by|oleh|penulis|pewarta|reporter|editor|von(?!\s+(?:der|dem|den|und)\b)|"
    r"(?:ditulis|diposting|diposkan|dipost|posted|written)\s+(?:oleh|by))\b\s*:?\s*",
    re.IGNORECASE,
)
_CONTRIBUTOR_PREFIX = re.compile(
    r"^(?:kontributor|koresponden|wartawan|reporter|jurnalis|contributor|correspondent)\b[^,]{0,40},\s*",
    re.IGNORECASE,
)
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\s+(?:dan|and|und)\s+)\s*", re.IGNORECASE)
_SIDE_SPLIT = re.compile(r"\s+[-–—|/]\s+|\s*\|\s*")

_DEGREE = re.compile(
    r"^(?:[SMD]\.?\s?[A-Z][A-Za-z]{0,4}\.?(?:\s?[A-Z][A-Za-z]{0,2}\.?)?|Ph\.?\s?D\.?|Amd\.?\w{0,4}\.?)$"
)
"""Academic degrees written after a name (`S.Sos`, `M.Si`, `S.Pd.I`, `SH`, `MM`, `Ph.D`,
`A.Md`): government portals print them in credits (`Dedy Kurniawan, S.Kom`); they are not
further names."""
_INITIALS_CODE = re.compile(r"\s*[(\[][a-z]{2,5}\.?[)\]]$")
"""A writer's sign-off code after the name (`Ahmad Fauzi (ahf)`, `Corina Gall (cog.)`)."""
_TEAM_WORDS = frozenset({"tim", "team"})
"""`Tim Redaksi`, `Tim Liputan`, `Tim Kaltim Post`: a team credit, not a person."""

MAX_NAME_WORDS = 6
"""Indonesian names run to four or five words (`Aloysius Gonsaga Angi Ebo`); longer strings
are sentences or titles, not names. Particles and abbreviated titles (`Al`, `bin`, `H.`) are
not counted (see `_NAME_PARTICLES`)."""

MAX_NAME_TOKENS = 9
"""Words in one name, particles and titles included: Bugis, Banjar and Arabic names with
their titles run to eight (`Andi Muhammad Fadhil Al Haqqi Daeng Matola`, `Hj. Siti Nur
Aisyah binti Abdul Rahman`); a longer string is a sentence."""

_NAME_PARTICLES = frozenset(
    {"al", "el", "ar", "bin", "binti", "ibnu", "ibn", "van", "von", "de", "der", "da"}
)
"""Particles inside Indonesian names (Arabic `Al`/`bin`/`binti`, Dutch-descended `van`/`de`):
short connecting words, not a further name, so a name may carry them beyond
`MAX_NAME_WORDS`."""
_NAME_TITLE = re.compile(r"^[A-Z][a-z]{0,2}\.$")
"""An abbreviated title or initial in a name (`H.`, `Hj.`, `Dr.`, `Ir.`, `M.`)."""


def person_names(text: str | None, outlet_words: frozenset[str] = frozenset()) -> list[str]:
    """Author names from a byline string; outlets, roles and URLs left out."""
    if not text:
        return []
    if not _memo_ok(text, outlet_words):  # a paragraph: not kept
        return list(_names_of.__wrapped__(text, outlet_words))
    return list(_names_of(text, outlet_words))


@lru_cache(maxsize=TEXT_MEMO_SIZE)
def _names_of(text: str, outlet_words: frozenset[str]) -> tuple[str, ...]:
    value = " ".join(text.split())
    value = _NAME_PREFIX.sub("", value)
    value = _CONTRIBUTOR_PREFIX.sub("", value)
    sides = [s.strip() for s in _SIDE_SPLIT.split(value) if s.strip()]
    if sides:
        people = [s for s in sides if _names_someone(s, outlet_words)]
        value = people[0] if people else ""
    names: list[str] = []
    for part in _NAME_SPLIT.split(value):
        part = _INITIALS_CODE.sub("", _CONTRIBUTOR_PREFIX.sub("", part.strip(" :-–—")))
        if _DEGREE.match(part.strip()):
            continue
        part = part.strip(" .")
        if part and not _is_non_person(part, outlet_words) and part not in names:
            names.append(part)
    return tuple(names)


def _names_someone(side: str, outlet_words: frozenset[str]) -> bool:
    """Whether one side of a byline (`Nama - Outlet`, `Nama / Jurnalis`) holds a person: the
    whole side, or the names it joins (`A dan B`, `A, B & C`), so that several long names
    together do not read as a sentence for their length. Joined names count only when each
    is capitalized throughout (`Warga di Samarinda mengungsi ke masjid dan sekolah` is a
    sentence, whatever its `dan`)."""
    if not _is_non_person(side, outlet_words):
        return True
    if len(side.split()) <= MAX_NAME_WORDS:
        return False
    parts = [p.strip(" :-–—.") for p in _NAME_SPLIT.split(side)]
    return len(parts) > 1 and all(p and _capitalized(p) for p in parts) and any(
        not _is_non_person(p, outlet_words) for p in parts
    )


def _capitalized(name: str) -> bool:
    """Every word of a name starts with a capital, particles aside (`Al Haqqi`, `bin`)."""
    return all(w[0].isupper() or w.lower() in _NAME_PARTICLES for w in name.split())


ACCOUNT_WORDS = frozenset(
    {"admin", "administrator", "redaksi", "webmaster", "operator", "humas", "newsroom", "desk"}
)
"""First words of CMS accounts and desks that templates print as the author (`Redaksi`,
`Admin Diskominfo`, `Humas Pemkot`): not people, so the chain goes on to a staff line."""


def _too_long_for_a_name(words: list[str]) -> bool:
    """More than `MAX_NAME_WORDS` words, not counting particles and titles; a name that needs
    them to pass the limit must be capitalized throughout (a sentence is not)."""
    if len(words) <= MAX_NAME_WORDS:
        return False
    if len(words) > MAX_NAME_TOKENS:
        return True
    counted = 0
    for word in words:
        if word.lower() in _NAME_PARTICLES or _NAME_TITLE.match(word):
            continue
        if not word[0].isupper():
            return True
        counted += 1
    return counted > MAX_NAME_WORDS


def _is_non_person(text: str, outlet_words: frozenset[str]) -> bool:
    words = text.split()
    if not words or _too_long_for_a_name(words):
        return True
    if "://" in text or "@" in text or ":" in text or any(ch.isdigit() for ch in text):
        return True  # a colon left in: a label (`Bild: APA/Nama`, a picture credit)
    if all(w.lower().strip(".,") in _ROLE_WORDS for w in words):
        return True
    if words[0].lower().strip(".,:") in ACCOUNT_WORDS:
        return True
    if len(words) >= 2 and words[0].lower() in _TEAM_WORDS:
        return True
    return _is_outlet(text, outlet_words)


_ID_WORDS = frozenset(
    [
        "yang",
        "dan",
        "di",
        "ini",
        "itu",
        "dengan",
        "untuk",
        "dari",
        "tidak",
        "akan",
        "pada",
        "ke",
        "dalam",
        "juga",
        "adalah",
        "karena",
        "oleh",
        "sudah",
        "bisa",
        "atau",
        "saat",
        "kata",
        "mereka",
        "kami",
        "telah",
        "lebih",
    ]
)
_EN_WORDS = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "in",
        "is",
        "that",
        "for",
        "it",
        "with",
        "as",
        "was",
        "on",
        "are",
        "by",
        "this",
        "be",
        "from",
        "at",
        "have",
        "has",
        "an",
        "which",
        "they",
        "their",
        "said",
        "will",
        "would",
    ]
)

LANGUAGE_MIN_HITS = 8
"""Function-word hits needed before the text's language overrides the page's declaration
(a paragraph or two of news prose gives dozens)."""


def guess_language(text: str) -> str | None:
    """`id` or `en` when the text clearly is one of them (by function words), else None."""
    id_hits = en_hits = 0
    for word in text.lower().split()[:400]:
        if word in _ID_WORDS:
            id_hits += 1
        elif word in _EN_WORDS:
            en_hits += 1
    if max(id_hits, en_hits) < LANGUAGE_MIN_HITS:
        return None
    if id_hits >= 3 * en_hits:
        return "id"
    if en_hits >= 3 * id_hits:
        return "en"
    return None
