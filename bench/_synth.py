"""Synthetic Indonesian-like news articles for the archive benchmarks.

Deterministic: batch `i` of a corpus built with seed `s` is always the same articles, so
a benchmark can time warta and its baseline on identical rows without keeping them all in
memory. Words follow a Zipf distribution over a vocabulary of VOCABULARY_SIZE types: common
Indonesian news words at the top ranks, then pseudo-Indonesian words built from syllables
and affixes (me-, di-, ber-, -kan, -nya, ...), so that a content word appears in a few
percent of articles, as in a real news corpus, rather than in half of them. Bodies are about
3 KB in paragraphs with a `KOTA -` dateline; each article has ten related headlines drawn
from a shared pool of other articles, so links repeat across articles as on real outlets.
Records carry `word_count` and `content_hash`, as the crawler's normalize pipeline sends
them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator
from typing import Any

from archive import content_hash

_WORDS_TEXT = """
yang dan di ini itu dengan untuk dari dalam tidak akan pada juga ke kata oleh sudah
telah karena ada mereka bisa lebih harus kami kita masih saat hal tersebut dapat menjadi
pemerintah daerah provinsi kabupaten kota warga masyarakat kepala dinas badan desa
kelurahan kecamatan gubernur bupati wali wakil ketua anggota dewan rakyat perwakilan
pemilu partai calon suara kampanye pemungutan pleno panitia pengawas tahapan kerawanan
polisi polres polda kapolres tersangka pelaku korban kecelakaan kebakaran banjir longsor
jalan jembatan pembangunan proyek anggaran dana bantuan sosial program kegiatan pelatihan
sekolah siswa guru pendidikan kesehatan rumah sakit puskesmas dokter pasien stunting gizi
sanitasi air bersih lingkungan sampah sungai hutan tambang batu bara sawit perkebunan
pertanian nelayan ikan pasar harga beras minyak gas listrik bandara pelabuhan kapal
ekonomi investasi usaha mikro kecil menengah pajak retribusi pendapatan belanja bank
digital teknologi informasi aplikasi layanan publik transformasi kepemimpinan komitmen
budaya kerja pelayanan pengawasan penertiban pengendalian pencegahan penanganan
samarinda balikpapan bontang kutai kartanegara timur barat berau paser penajam utara
mahakam ulu kalimantan nusantara ibu kota negara ikn jakarta indonesia nasional
menurut ujarnya katanya jelasnya tegasnya ungkapnya paparnya tambahnya lanjutnya
disampaikan dijelaskan dilaksanakan diharapkan ditargetkan direncanakan dilakukan
meningkatkan menurunkan memberikan menyampaikan melaksanakan mengikuti membangun
pertumbuhan penurunan peningkatan kenaikan penyaluran pendistribusian pemeriksaan
tahun bulan minggu hari pekan lalu depan ini kemarin pagi siang sore malam
satu dua tiga empat lima enam tujuh delapan sembilan sepuluh ratus ribu juta miliar
persen target capaian realisasi data angka jumlah total sekitar hampir lebih kurang
penting besar kecil baru lama tinggi rendah baik buruk cepat lambat mudah sulit
terus kembali segera langsung bersama secara khusus umum utama terkait sesuai
rapat pertemuan koordinasi sosialisasi evaluasi monitoring peninjauan kunjungan
mahasiswa pemuda perempuan anak keluarga lansia disabilitas pekerja buruh petani
olahraga sepak bola turnamen atlet medali juara festival budaya seni wisata
"""

#: Word types. News corpora of 10^5 articles hold tens of thousands of types; 30,000 with a
#: Zipf exponent of 1 puts a rank-1,000 word in about 4% of 3 KB articles.
VOCABULARY_SIZE = 30_000
_SYLLABLE_TEXT = ("ba be bi bo bu da de di do du ga gi gu ja ju ka ke ki ko ku la le li lo lu "
                  "ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su "
                  "ta te ti to tu wa wi ya ngan tan kan lang rang sang")
_SYLLABLES = _SYLLABLE_TEXT.split()
_PREFIXES = ("", "", "me", "di", "ber", "ter", "pe", "per", "ke", "se")
_SUFFIXES = ("", "", "kan", "an", "nya", "i", "lah")


def _vocabulary(size: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    words = list(dict.fromkeys(_WORDS_TEXT.split()))
    seen = set(words)
    while len(words) < size:
        root = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
        word = rng.choice(_PREFIXES) + root + rng.choice(_SUFFIXES)
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


WORDS = _vocabulary(VOCABULARY_SIZE)

PLACES = ["SAMARINDA", "BALIKPAPAN", "BONTANG", "TENGGARONG", "TANJUNG REDEB", "PENAJAM",
          "SANGATTA", "TANA PASER", "JAKARTA", "NUSANTARA"]
NAMES = ["Sri Wahyuni", "Andi Harun", "Rahmad Mas'ud", "Basri Rase", "Isran Noor",
         "Hadi Mulyadi", "Edi Damansyah", "Fahmi Fadli", "Nurul Hidayah", "Budi Santoso",
         "Dewi Lestari", "Agus Salim", "Siti Aminah", "Yusuf Kalla", "Rina Marlina"]
SECTIONS = ["Daerah", "Politik", "Hukum", "Ekonomi", "Pendidikan", "Kesehatan", "Olahraga",
            "Lingkungan"]
#: (key, timezone name, UTC offset hours, region)
SOURCES = [
    ("kaltimpost", "Asia/Makassar", 8, "Kalimantan Timur, Samarinda"),
    ("sapos", "Asia/Makassar", 8, "Kalimantan Timur, Samarinda"),
    ("tribunkaltim", "Asia/Makassar", 8, "Kalimantan Timur, Balikpapan"),
    ("kaltimtoday", "Asia/Makassar", 8, "Kalimantan Timur, Samarinda"),
    ("antarakaltim", "Asia/Makassar", 8, "Kalimantan Timur, Samarinda"),
    ("korankaltim", "Asia/Makassar", 8, "Kalimantan Timur, Samarinda"),
    ("niagaasia", "Asia/Makassar", 8, "Kalimantan Timur, Samarinda"),
    ("jakartanews", "Asia/Jakarta", 7, "DKI Jakarta"),
]
#: Zipf exponent of word frequencies: 1.0 is the classic value for natural-language text.
ZIPF_S = 1.0
#: Target body size in characters (the issue's "about 3 KB").
BODY_CHARS = 3000
RELATED_PER_ARTICLE = 10
START = dt.datetime(2019, 1, 1)
SPAN_SECONDS = 6 * 365 * 24 * 3600

_CUM_WEIGHTS = list(itertools.accumulate(1 / (rank + 1) ** ZIPF_S for rank in range(len(WORDS))))


def _words(rng: random.Random, k: int) -> list[str]:
    return rng.choices(WORDS, cum_weights=_CUM_WEIGHTS, k=k)


def _sentence(rng: random.Random) -> str:
    words = _words(rng, rng.randint(8, 18))
    return " ".join(words).capitalize() + "."


def _body(rng: random.Random, place: str) -> str:
    paragraphs: list[str] = []
    size = 0
    while size < BODY_CHARS:
        paragraph = " ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))
        if not paragraphs:
            paragraph = f"{place} - {paragraph}"
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    return "\n\n".join(paragraphs)


def link_pool_size(n: int) -> int:
    """Distinct related-link targets: a fifth of the corpus, so each repeats ~50 times."""
    return max(50, n // 5)


def article_url(index: int) -> str:
    """The canonical URL of article `index` (related links point at other articles)."""
    return f"https://{SOURCES[index % len(SOURCES)][0]}.example/berita/{index}"


def article(index: int, n: int, seed: int = 1) -> dict[str, Any]:
    """Article `index` of an `n`-article corpus: a record as `Archive.write` takes it."""
    rng = random.Random(seed * 1_000_003 + index)
    key, _tz, offset, _region = SOURCES[index % len(SOURCES)]
    place = rng.choice(PLACES)
    when = START + dt.timedelta(seconds=rng.randrange(SPAN_SECONDS))
    published = when.replace(tzinfo=dt.timezone(dt.timedelta(hours=offset)), microsecond=0)
    title = " ".join(_words(rng, rng.randint(6, 10))).title()
    pool = link_pool_size(n)
    related = [
        {"url": article_url(t),
         "title": f"Judul berita {t}", "block": "top" if p < 7 else "baca-juga", "position": p}
        for p, t in enumerate(rng.sample(range(pool), RELATED_PER_ARTICLE))
    ]
    body = _body(rng, place)
    return {
        "url": article_url(index),
        "source": key,
        "title": title,
        "body": body,
        # As the crawler's normalize pipeline sends them:
        "word_count": len(body.split()),
        "content_hash": content_hash(title, body),
        "published_at": published.isoformat(),
        "published_raw": published.strftime("%d/%m/%Y %H:%M"),
        "dateline": place,
        "authors": rng.sample(NAMES, rng.randint(1, 2)),
        "section": rng.choice(SECTIONS),
        "language": "id",
        "fetched_at": "2025-01-01T00:00:00+00:00",
        "http_status": 200,
        "related": related,
        "provenance": {"body": "jsonld", "published_at": "jsonld", "title": "jsonld"},
    }


def batches(n: int, size: int, seed: int = 1) -> Iterator[list[dict[str, Any]]]:
    """The corpus in batches of `size` articles."""
    for start in range(0, n, size):
        yield [article(i, n, seed) for i in range(start, min(n, start + size))]


def source_rows() -> list[tuple[str, str, str]]:
    """(key, timezone, region) of the synthetic outlets."""
    return [(key, tz, region) for key, tz, _offset, region in SOURCES]
