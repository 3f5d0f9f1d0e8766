"""A realistic Zipf workload for search (issue 19): Indonesian news text where everyday words
(`pemerintah kabupaten`, `rumah sakit`) are in tens of thousands of articles.

The word-frequency list is derived by hand from Indonesian regional news: function words at
the top (`yang`, `dan`, `di` make a fifth of running text, as in real corpora), then the words
of government, places and people's names, then everyday topics, then affixed forms of them
(`pemerintahan`, `kebanjiran`, `banjirnya`: stemmed search has forms to find), then a long
tail of pseudo-words built from Indonesian syllables and affixes. Frequencies follow Zipf's
law (exponent 1.0) over VOCABULARY_SIZE types. Bodies are about 3 KB; articles are numbered
in publication order (a crawl archives an outlet's listing newest-first, page by page, and
warta's rowids follow; a day of jitter keeps them from being exactly sorted). Deterministic:
article `i` of a corpus is always the same.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator
from typing import Any

import numpy as np
from _synth import SOURCES, _vocabulary

from archive import content_hash

#: Ranks 1..n of the frequency list, in order.
_RANKED = """
yang dan di ini itu dengan untuk dari dalam tidak akan pada juga ke kata oleh sudah telah
karena ada mereka bisa lebih harus kami kita masih saat hal tersebut dapat menjadi para
pemerintah tahun kabupaten kota warga masyarakat daerah provinsi kepala dinas samarinda
balikpapan kalimantan timur desa rumah sebagai bahwa atau namun sehingga agar jika seperti
ketua anggota dewan program kegiatan bantuan jalan pembangunan sakit anak sekolah umum
bupati gubernur wali polisi polres kecamatan kelurahan pihak sejumlah terkait sesuai
menurut ujarnya katanya jelasnya hari bulan pekan lalu depan kemarin pagi siang malam
satu dua tiga empat lima ribu juta miliar persen rupiah data jumlah total sekitar
kesehatan pendidikan ekonomi sosial lingkungan kutai kartanegara bontang berau paser
penajam utara nusantara ibu negara ikn jakarta indonesia nasional dana anggaran proyek
air bersih listrik harga pasar beras minyak gas pertanian nelayan ikan sawit tambang batu
bara hutan sungai mahakam kapal pelabuhan bandara dokter pasien puskesmas guru siswa
mahasiswa pemuda perempuan keluarga pekerja buruh petani olahraga festival budaya wisata
pemerintahan pembangunannya kesehatannya masyarakatnya disampaikan dijelaskan dilaksanakan
meningkatkan memberikan menyampaikan melaksanakan membangun pertumbuhan peningkatan
kenaikan penyaluran pemeriksaan rapat koordinasi sosialisasi evaluasi kunjungan layanan
publik pelayanan pengawasan penanganan pencegahan kebakaran kecelakaan korban pelaku
tersangka kasus hukum pengadilan jaksa partai pemilu calon suara kampanye dprd dpr kpu
bawaslu andi harun rahmad isran noor hadi mulyadi edi damansyah basri rase sri wahyuni
upah minimum banjir longsor jembatan sampah stunting gizi sanitasi investasi pajak
retribusi pendapatan belanja bank usaha mikro kecil menengah digital aplikasi teknologi
perintah memerintahkan diperintahkan pemerintahnya kebanjiran banjirnya membanjiri
pembangunannya dibangun bangunan rumahnya perumahan sakitnya kesakitan pengupahan upahnya
buruhnya perburuhan minimumnya jalanan perjalanan berjalan dijalankan menjalankan
"""

#: Word types in all (the ranked list, then pseudo-words).
VOCABULARY_SIZE = 60_000
ZIPF_S = 1.0
BODY_CHARS = 3000
START = dt.datetime(2019, 1, 1)
SPAN_SECONDS = 6 * 365 * 24 * 3600
JITTER_SECONDS = 24 * 3600
NAMES = ["Sri Wahyuni", "Andi Harun", "Rahmad Mas'ud", "Basri Rase", "Isran Noor",
         "Hadi Mulyadi", "Edi Damansyah", "Fahmi Fadli", "Nurul Hidayah", "Budi Santoso"]
SECTIONS = ["Daerah", "Politik", "Hukum", "Ekonomi", "Pendidikan", "Kesehatan"]
PLACES = ["SAMARINDA", "BALIKPAPAN", "BONTANG", "TENGGARONG", "PENAJAM", "SANGATTA"]


def _words_list() -> list[str]:
    ranked = list(dict.fromkeys(_RANKED.split()))
    tail = [w for w in _vocabulary(VOCABULARY_SIZE + len(ranked), seed=11) if w not in ranked]
    return (ranked + tail)[:VOCABULARY_SIZE]


WORDS = _words_list()
_CUM = list(itertools.accumulate(1 / (rank + 1) ** ZIPF_S for rank in range(len(WORDS))))
#: `random.choices(WORDS, cum_weights=_CUM)` vectorized: the same draws of `rng.random()`, the
#: same bisection (`hi` is the last index, as in `choices`), in numpy: the same words, in a
#: third of the time (bisect_right in Python was two thirds of an article's cost, which held
#: the bulk build of 1,000,000 articles to 200 a second on a busy machine).
_CUM_SEARCH = np.array(_CUM[:-1])
_WORDS_ARRAY = np.array(WORDS, dtype=object)


def _choices(rng: random.Random, k: int) -> list[str]:
    draws = np.array([rng.random() for _ in range(k)]) * _CUM[-1]
    return list(_WORDS_ARRAY[np.searchsorted(_CUM_SEARCH, draws, side="right")])

#: The 20 everyday queries, by class: (class, text, since, until).
QUERIES: list[tuple[str, str, str | None, str | None]] = [
    ("broad", "pemerintah kabupaten", None, None),
    ("broad", "rumah sakit", None, None),
    ("broad", "masyarakat desa", None, None),
    ("broad", "pembangunan jalan", None, None),
    ("broad", "kepala dinas kesehatan", None, None),
    ("narrow", "banjir", None, None),
    ("narrow", "upah minimum buruh", None, None),
    ("narrow", "stunting gizi", None, None),
    ("narrow", "tambang batu bara sungai", None, None),
    ("narrow", "harga beras pasar", None, None),
    ("phrase", '"rumah sakit"', None, None),
    ("phrase", '"ibu kota negara"', None, None),
    ("phrase", '"pemerintah kabupaten"', None, None),
    ("phrase", '"dana desa"', None, None),
    ("phrase", '"air bersih" warga', None, None),
    ("dated", "banjir", "2023-01-01", "2023-06-30"),
    ("dated", "pemerintah kabupaten", "2022-01-01", "2022-12-31"),
    ("dated", "rumah sakit", "2024-01-01", "2024-03-31"),
    ("dated", "upah minimum", "2021-01-01", "2021-12-31"),
    ("dated", "pembangunan jalan", "2020-06-01", "2020-06-30"),
]


def article(index: int, n: int, seed: int = 1) -> dict[str, Any]:
    rng = random.Random(seed * 7_000_003 + index)
    key, _tz, offset, _region = SOURCES[index % len(SOURCES)]
    when = START + dt.timedelta(seconds=int(index * SPAN_SECONDS / max(n, 1))
                                + rng.randrange(JITTER_SECONDS))
    published = when.replace(tzinfo=dt.timezone(dt.timedelta(hours=offset)))
    words = _choices(rng, 520)
    paragraphs, sentence, position = [], [], 0
    place = rng.choice(PLACES)
    size = 0
    while size < BODY_CHARS and position < len(words) - 20:
        length = rng.randint(8, 18)
        text = " ".join(words[position:position + length]).capitalize() + "."
        position += length
        sentence.append(text)
        size += len(text) + 1
        if len(sentence) >= rng.randint(2, 4):
            paragraphs.append(" ".join(sentence))
            sentence = []
    if sentence:
        paragraphs.append(" ".join(sentence))
    paragraphs[0] = f"{place} - {paragraphs[0]}"
    body = "\n\n".join(paragraphs)
    title = " ".join(words[-rng.randint(6, 10):]).title()
    return {
        "url": f"https://{key}.example/berita/{index}",
        "source": key,
        "title": title,
        "body": body,
        "word_count": len(body.split()),
        "content_hash": content_hash(title, body),
        "published_at": published.isoformat(),
        "dateline": place,
        "authors": rng.sample(NAMES, 1),
        "section": rng.choice(SECTIONS),
        "language": "id",
        "http_status": 200,
    }


def batches(n: int, size: int, seed: int = 1) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, n, size):
        yield [article(i, n, seed) for i in range(start, min(n, start + size))]


def source_rows() -> list[tuple[str, str, str]]:
    return [(key, tz, region) for key, tz, _offset, region in SOURCES]
