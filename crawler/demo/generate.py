"""Generated articles: the "new articles" an outlet publishes between two crawls.

Deterministic: article number `i` of an outlet always has the same title and text (only its
publication instant comes from the state), so expected values can be computed again at any
time. Titles combine three lists whose lengths are pairwise coprime (13, 11, 17), so the first
2,431 titles are all different; later ones carry a number.
"""

from __future__ import annotations

from datetime import datetime

from crawler.demo.model import Article

TOPICS = (
    "Pendataan Pemilih", "Penanganan Stunting", "Perbaikan Jalan", "Pengendalian Banjir",
    "Reklamasi Lubang Tambang", "Pembangunan IKN", "Harga Bahan Pokok", "Layanan Air Bersih",
    "Vaksinasi Anak", "Penertiban Pasar", "Beasiswa Daerah", "Pengelolaan Sampah",
    "Pelatihan UMKM",
)
PLACES = (
    "Samarinda", "Balikpapan", "Bontang", "Kutai Kartanegara", "Penajam Paser Utara",
    "Kutai Timur", "Berau", "Paser", "Kutai Barat", "Mahakam Ulu", "Sangatta",
)
ANGLES = (
    "Dikebut Pekan Ini", "Jadi Sorotan DPRD", "Dievaluasi Pemprov", "Dikeluhkan Warga",
    "Ditargetkan Rampung Akhir Tahun", "Mulai Diuji Coba", "Dapat Tambahan Anggaran",
    "Libatkan Tokoh Masyarakat", "Diawasi Ketat", "Masuk Prioritas", "Diperluas ke Desa",
    "Dibahas Bersama Kementerian", "Tunggu Regulasi Baru", "Dipantau Inspektorat",
    "Menuai Dukungan", "Diminta Transparan", "Berjalan Bertahap",
)
#: The regency or city of each place (a generated article is about its place).
REGION_OF = {"Sangatta": "Kutai Timur"}
SECTIONS = ("Daerah", "Politik", "Ekonomi", "Lingkungan", "Kesehatan")
AUTHORS = ("Nur Aisyah", "Bayu Pratama", "Yohanes Lewa", "Siti Rahmah", "Agus Salim Tanjung")
EDITORS = ("Maria Ulfa", "Dimas Ardiansyah", "Hasnah Bahar")

OPENINGS = (
    "Pemerintah daerah memastikan program {topic} di {place} berjalan sesuai jadwal yang "
    "disepakati bersama warga.",
    "Sejumlah warga {place} mulai merasakan dampak program {topic} yang digulirkan sejak awal "
    "bulan ini.",
    "Program {topic} di {place} kembali dibahas dalam rapat koordinasi lintas perangkat daerah.",
)
MIDDLES = (
    "Kepala dinas terkait menyebut anggaran tahun ini mencapai Rp{amount} miliar dan akan "
    "dipakai bertahap.",
    "Menurut dia, pendataan di tingkat kelurahan menjadi kunci agar bantuan tepat sasaran.",
    "Pihaknya juga menggandeng perguruan tinggi setempat untuk memantau hasil di lapangan.",
    "Warga diminta melapor melalui kanal pengaduan resmi bila menemukan kendala.",
    "Tahap pertama menyasar {count} kelurahan yang dinilai paling membutuhkan.",
    "Evaluasi dilakukan setiap tiga bulan dan hasilnya dibuka kepada publik.",
    "Anggota DPRD meminta pelaksana program melibatkan ketua RT sejak perencanaan.",
)
CLOSINGS = (
    "\"Kami ingin manfaatnya benar-benar dirasakan warga,\" ujarnya.",
    "Pemerintah daerah menargetkan seluruh tahapan rampung sebelum akhir tahun anggaran.",
    "Laporan perkembangan program akan disampaikan dalam rapat berikutnya.",
)


def generated_title(i: int) -> str:
    title = f"{TOPICS[i % 13]} di {PLACES[i % 11]} {ANGLES[i % 17]}"
    return title if i < 13 * 11 * 17 else f"{title} ({i // (13 * 11 * 17) + 1})"


def _slugify(text: str) -> str:
    out = []
    for ch in text.lower():
        out.append(ch if ch.isalnum() else "-")
    return "-".join(part for part in "".join(out).split("-") if part)


def generated_article(site: str, prefix: str, i: int, published: datetime,
                      related_pool: tuple[str, ...] = (), signoff: str | None = None) -> Article:
    """Article number `i` (0-based) of an outlet's generated series."""
    topic, place = TOPICS[i % 13].lower(), PLACES[i % 11]
    values = {"topic": topic, "place": place, "amount": f"{(i % 9) + 1},{i % 10}",
              "count": (i % 20) + 3}
    paragraphs = [OPENINGS[i % 3].format(**values)]
    for k in range(3):
        paragraphs.append(MIDDLES[(i + 2 * k) % len(MIDDLES)].format(**values))
    paragraphs.append(CLOSINGS[i % 3])
    related = tuple(related_pool[(i + k) % len(related_pool)] for k in range(3)) \
        if related_pool else ()
    title = generated_title(i)
    return Article(
        site=site,
        id=f"{prefix}{i:05d}",
        slug=f"{_slugify(title)}-{i}",
        title=title,
        section=SECTIONS[i % len(SECTIONS)],
        published=published,
        authors=(AUTHORS[i % len(AUTHORS)],),
        editor=EDITORS[i % len(EDITORS)],
        dateline=place.upper(),
        signoff=signoff,
        tags=(TOPICS[i % 13], place),
        related=tuple(dict.fromkeys(related)),
        inline=(),
        caption=None,
        pages=(tuple(paragraphs),),
        generated=True,
        region=REGION_OF.get(place, place),
    )
