"""The Indonesian parts of an article read from its lines (crawler/extract/indonesian.py)."""

from __future__ import annotations

import pytest

from crawler.extract.indonesian import (
    block_label,
    guess_language,
    inline_related_prefix,
    is_body_junk,
    is_related_label,
    is_sitewide_label,
    parse_dateline,
    parse_signoff,
    parse_staff,
    parse_unmarked_staff,
    person_names,
    split_kicker,
    staff_label,
)
from crawler.extract.places import PLACES, is_place, normalize_place

OUTLET = frozenset({"kompas", "kaltimpost", "liputan6", "tribunnews"})


@pytest.mark.parametrize(
    ("line", "place", "rest"),
    [
        ("JAKARTA - Sekretaris Daerah menjelaskan", "JAKARTA", "Sekretaris Daerah menjelaskan"),
        ("SAMARINDA, Site.com - Wali kota meminta", "SAMARINDA", "Wali kota meminta"),
        ("Balikpapan (ANTARA) - Pemkot Balikpapan", "Balikpapan", "Pemkot Balikpapan"),
        ("LHOKSEUMAWE, KOMPAS.com – Penyidik Polres", "LHOKSEUMAWE", "Penyidik Polres"),
        ("Mataram, NTB (ANTARA News) - Sebanyak 29", "Mataram, NTB", "Sebanyak 29"),
        ("Liputan6.com, Jakarta - Indonesia memasuki", "Jakarta", "Indonesia memasuki"),
        ("Jakarta, KompasOtomotif – Tahun depan", "Jakarta", "Tahun depan"),
        ("TANJUNG REDEB, Kaltimpost — Bupati Berau", "TANJUNG REDEB", "Bupati Berau"),
        ("TRIBUNNEWS.COM - Berikut ini jawaban", None, "Berikut ini jawaban"),
        ("Samarinda, 12/6 (ANTARA) - Pemerintah kota", "Samarinda", "Pemerintah kota"),
        ("Bontang, 12 Juni 2023 – Pemkot Bontang", "Bontang", "Pemkot Bontang"),
        ("SANGATTA- Warga Kutai Timur", "SANGATTA", "Warga Kutai Timur"),
        ("Balikpapan (ANTARA)- Pemkot Balikpapan", "Balikpapan", "Pemkot Balikpapan"),
        ("SAMARINDA | Wali kota meminta", "SAMARINDA", "Wali kota meminta"),
        ("TENGGARONG : Bupati meminta", "TENGGARONG", "Bupati meminta"),
        # mixed-case places of three words, shaped like place names
        ("Penajam Paser Utara - Pemerintah kab", "Penajam Paser Utara", "Pemerintah kab"),
        ("Muara Badak Ulu – Warga", "Muara Badak Ulu", "Warga"),
        ('Hulu Sungai Selatan - "Kami siap', "Hulu Sungai Selatan", '"Kami siap'),
        ("Kutai Kartanegara, (ANTARA) - Warga desa", "Kutai Kartanegara", "Warga desa"),
        ("Tanjung Redeb - Warga desa", "Tanjung Redeb", "Warga desa"),
        ("PENAJAM PASER UTARA - Warga", "PENAJAM PASER UTARA", "Warga"),
        # places of any length the gazetteer knows, in any case
        ("Ogan Komering Ulu Selatan - Pemkab", "Ogan Komering Ulu Selatan", "Pemkab"),
        ("Kepulauan Seribu Utara – Warga", "Kepulauan Seribu Utara", "Warga"),
        ("Kabupaten Penajam Paser Utara - Bupati", "Kabupaten Penajam Paser Utara", "Bupati"),
        ("Penukal Abab Lematang Ilir (ANTARA) - Warga", "Penukal Abab Lematang Ilir", "Warga"),
        ("OGAN KOMERING ULU SELATAN - Warga", "OGAN KOMERING ULU SELATAN", "Warga"),
        ("Loa Janan - Warga", "Loa Janan", "Warga"),
        ("Ujoh Bilang, Kaltimpost - Warga", "Ujoh Bilang", "Warga"),
        ("Samarinda Seberang - Warga", "Samarinda Seberang", "Warga"),
        ("Simpang Pasir - Warga", "Simpang Pasir", "Warga"),
        ("Kuala Lumpur (ANTARA) - Perdana Menteri", "Kuala Lumpur", "Perdana Menteri"),
        # upper-case single words need no gazetteer
        ("SENDAWAR - Warga", "SENDAWAR", "Warga"),
        ("LONGKALI - Warga", "LONGKALI", "Warga"),
    ],
)
def test_datelines_are_cut_from_the_first_paragraph(
    line: str, place: str | None, rest: str
) -> None:
    dateline = parse_dateline(line, outlet_words=OUTLET)
    assert dateline is not None
    assert (dateline.place, dateline.rest) == (place, rest)
    assert line.startswith(dateline.raw)


def test_a_dateline_alone_on_its_line() -> None:
    dateline = parse_dateline("Jakarta -")
    assert dateline is not None and (dateline.place, dateline.rest) == ("Jakarta", "")


def test_a_three_word_place_alone_on_its_line() -> None:
    dateline = parse_dateline("Penajam Paser Utara -")
    assert dateline is not None and (dateline.place, dateline.rest) == ("Penajam Paser Utara", "")


def test_a_bold_lead_without_dash_is_a_dateline() -> None:
    line = "Liputan6.com, Jakarta London Love Story, film kedua dari Screenplay Production"
    dateline = parse_dateline(line, lead_bold="Liputan6.com, Jakarta", outlet_words=OUTLET)
    assert dateline is not None and dateline.place == "Jakarta"
    assert dateline.rest.startswith("London Love Story")


@pytest.mark.parametrize(
    "line",
    [
        "Presiden Joko Widodo - yang hadir di Samarinda - meminta",
        "Menurut dia - ini penting",
        "DEPRESI jadi satu momok yang wajib diwaspadai",
        "Harga cabai naik. Pedagang - yang resah - mengeluh",
        "12 Juni 2023 - Warga datang ke kantor kelurahan",
        "Kutai-Kartanegara menjadi tuan rumah",
        "Contoh : warga diminta mengungsi",
        "Kata Wali Kota : banjir surut besok",
        # three capitalized words and a dash that are no place
        "Warga Kutai Barat - Mereka mengungsi",
        "Pemkab Kutai Timur - Dinas Pendidikan membuka pendaftaran",
        "Andi Harun Saputra - Wali Kota Samarinda - meminta",
        "Sungai Karang Mumus - yang melintasi kota - meluap",
        "Rapat Dengar Pendapat - Komisi III memanggil",
        # people of a place, by a listed role word or any other word before a known place
        "Petani Kutai Barat - mereka mengungsi ke balai desa",
        "Petani Kutai Barat - Mereka mengungsi ke balai desa",
        "Nelayan Muara Badak - Mereka tidak melaut",
        "Nelayan Muara Badak -",
        "Peternak Muara Badak - Mereka kehilangan sapi",
        "Pengrajin Bontang - Mereka memamerkan tenun",
        "Mahasiswa Penajam Paser Utara - Mereka berunjuk rasa",
        "Ogan Komering Ulu Selatan - yang baru dimekarkan - meminta",
        "Pegawai Simpang Pasir - Mereka berkumpul",
        "Senin, 29 Januari 2024 - Warga berkumpul",
    ],
)
def test_sentences_are_not_datelines(line: str) -> None:
    assert parse_dateline(line, outlet_words=OUTLET) is None


@pytest.mark.parametrize(
    ("line", "code", "rest"),
    [
        (
            'bertransformasi digital," paparnya.(*/han)',
            "*/han",
            'bertransformasi digital," paparnya.',
        ),
        ("kata dia. (*/yan)", "*/yan", "kata dia."),
        ("kata dia. ( * / yan )", "*/yan", "kata dia."),
        ("(*/dp/rdh/k8)", "*/dp/rdh/k8", ""),
        ("ujarnya.(adv/rz)", "adv/rz", "ujarnya."),
        # advertorial marks alone, also with the full stop some outlets print after them
        ("ujarnya.(Adv)", "Adv", "ujarnya."),
        ("ujarnya. (adv)", "adv", "ujarnya."),
        ("ujarnya. (ADV)", "ADV", "ujarnya."),
        ("ujarnya.(Adv).", "Adv", "ujarnya."),
        ("ujarnya. (ADV).", "ADV", "ujarnya."),
        ("(Adv).", "Adv", ""),
        ("ujarnya. (Advertorial)", "Advertorial", "ujarnya."),
        ("ujarnya. (ADVERTORIAL).", "ADVERTORIAL", "ujarnya."),
        ("ujarnya. (adv/rz).", "adv/rz", "ujarnya."),
        ("kata dia. (ant/kpl)", "ant/kpl", "kata dia."),
        ("(fyk/ash)", "fyk/ash", ""),
        ("(FHM)", "FHM", ""),
        ("Telkomsel dan Smartfren.(Cas/Isk)", "Cas/Isk", "Telkomsel dan Smartfren."),
        ("kepada agen pelayaran.(dp/rdh/k8)", "dp/rdh/k8", "kepada agen pelayaran."),
        ("(rus/ky/diskominfo kaltim)", "rus/ky/diskominfo kaltim", ""),
        ("ujarnya. (yans/sul/ky/humasprov kaltim)", "yans/sul/ky/humasprov kaltim", "ujarnya."),
        ("(ADV/Diskominfo Kukar)", "ADV/Diskominfo Kukar", ""),
        ("kata Sekda. (adv/diskominfo)", "adv/diskominfo", "kata Sekda."),
        ("(rls/humas pemkot)", "rls/humas pemkot", ""),
    ],
)
def test_signoffs_close_the_last_paragraph(line: str, code: str, rest: str) -> None:
    signoff = parse_signoff(line)
    assert signoff is not None and (signoff.code, signoff.rest) == (code, rest)


@pytest.mark.parametrize(
    "line",
    [
        "dipimpin Partai Golkar (PG)",
        "ujarnya.",
        "(menurut data BPS 2023)",
        "kata dia. (2023)",
        "tutupnya. (dan/atau pihak lain)",
        "kata dia. (adv/atau pihak lain yang ditunjuk)",
        # dates, party names and photo credits closing a sentence stay text
        "Selasa (30/5)",
        "kata dia, Selasa (30/5).",
        "kata dia. (30/5)",
        "Partai Demokrasi Indonesia Perjuangan (PDIP).",
        "kata kader PDIP. (PDIP).",
        "kata dia. (ant/kpl).",
        "kata dia. (*/han).",
        "kata dia (Adv).",
        "tulisnya di akun pribadinya (ist).",
        "(Advertorial di halaman 5)",
    ],
)
def test_parenthesized_text_is_not_a_signoff(line: str) -> None:
    assert parse_signoff(line) is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Penulis : Kontributor Lhokseumawe, Masriadi",
            [("author", "Kontributor Lhokseumawe, Masriadi")],
        ),
        ("Editor: Ervan Hardoko", [("editor", "Ervan Hardoko")]),
        ("Pewarta: Nur Imansyah", [("reporter", "Nur Imansyah")]),
        (
            "Reporter: Rahmat Abdullah | Editor: Evi Wulandari",
            [("reporter", "Rahmat Abdullah"), ("editor", "Evi Wulandari")],
        ),
        ("| Editor: Hendra Saputra |", [("editor", "Hendra Saputra")]),
        (
            "Laporan Wartawan Tribunkaltim.co, Nevrianto Hardi Prasetyo",
            [("reporter", "Nevrianto Hardi Prasetyo")],
        ),
        ("Fotografer: Grandyos Zafna", [("photographer", "Grandyos Zafna")]),
        (
            "Rabu, 24 Mei 2023 - 09:12 WITA | Oleh : Wahyu Hidayat | Dibaca : 341 kali",
            [("author", "Wahyu Hidayat")],
        ),
        ("Ditulis oleh Rahmat Hidayat pada 23 Mei 2023", [("author", "Rahmat Hidayat")]),
        ("Laporan: Rahmat Hidayat", [("reporter", "Rahmat Hidayat")]),
        ("Naskah: Rahmat Hidayat", [("author", "Rahmat Hidayat")]),
        ("Penulis/Editor: Sri Wahyuni", [("author", "Sri Wahyuni"), ("editor", "Sri Wahyuni")]),
        (
            "Reporter/Editor : Sri Wahyuni",
            [("reporter", "Sri Wahyuni"), ("editor", "Sri Wahyuni")],
        ),
        ("Laporan: BPS mencatat inflasi Mei naik 0,3 persen dibanding April", []),
        (
            "(Penulis: Rahmat Hidayat | Editor: Sri Wahyuni)",
            [("author", "Rahmat Hidayat"), ("editor", "Sri Wahyuni")],
        ),
        (
            "[Penulis: Rahmat Hidayat/Editor: Sri Wahyuni]",
            [("author", "Rahmat Hidayat"), ("editor", "Sri Wahyuni")],
        ),
        ("Posted by: Rahmat Hidayat | Selasa, 23 Mei 2023", [("author", "Rahmat Hidayat")]),
        ("Ditulis oleh warga yang tinggal di pesisir pada masa itu sebagai catatan", []),
    ],
)
def test_staff_lines(line: str, expected: list[tuple[str, str]]) -> None:
    assert parse_staff(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Editor Rangga Pratama", [("editor", "Rangga Pratama")]),
        (
            "Penulis Kontributor Samarinda, Hendro Prasetyo | Editor Dita Anggraini",
            [("author", "Kontributor Samarinda, Hendro Prasetyo"), ("editor", "Dita Anggraini")],
        ),
        ("Editor senior itu mengatakan redaksi akan mengoreksi", []),
        ("Penulis muda asal Samarinda", []),
        ("Reporter", []),
    ],
)
def test_credits_without_a_colon(line: str, expected: list[tuple[str, str]]) -> None:
    assert parse_unmarked_staff(line, OUTLET) == expected


def test_a_bare_staff_label_names_its_role() -> None:
    assert [staff_label(t) for t in ("Penulis", "Editor:", "Oleh", "Samarinda")] == [
        "author",
        "editor",
        None,
        None,
    ]


def test_a_staff_line_with_long_names_gives_every_writer() -> None:
    line = "Reporter: Andi Muhammad Fadhil Al Haqqi dan Rina Kusuma Dewi | Editor: Siti Nur Aisyah"
    staff = parse_staff(line)
    assert staff == [
        ("reporter", "Andi Muhammad Fadhil Al Haqqi dan Rina Kusuma Dewi"),
        ("editor", "Siti Nur Aisyah"),
    ]
    assert person_names(staff[0][1]) == ["Andi Muhammad Fadhil Al Haqqi", "Rina Kusuma Dewi"]


def test_a_sentence_starting_with_a_staff_word_is_not_a_staff_line() -> None:
    assert parse_staff("Editor senior itu mengatakan redaksi akan mengoreksi berita") == []


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("Kontributor Lhokseumawe, Masriadi", ["Masriadi"]),
        ("Fino Yurio Kristo - detikinet", ["Fino Yurio Kristo"]),
        ("Dewi Kania / Jurnalis", ["Dewi Kania"]),
        ("By Corry Anestia", ["Corry Anestia"]),
        ("Oleh: Rina Wulandari", ["Rina Wulandari"]),
        ("Budisantoso Budiman dan Agus S", ["Budisantoso Budiman", "Agus S"]),
        ("Kompas Cyber Media", []),
        ("Liputan6.com", []),
        ("Redaksi", []),
        ("Admin Diskominfo", []),
        ("Humas Pemkot Samarinda", []),
        ("https://www.facebook.com/kompascom", []),
        ("Dedy Kurniawan, S.Kom", ["Dedy Kurniawan"]),
        ("Rina Wulandari, S.Sos, M.Si", ["Rina Wulandari"]),
        ("Sri Wahyuni dan Budi Santoso, S.Pd.I", ["Sri Wahyuni", "Budi Santoso"]),
        ("Ahmad Fauzi (ahf)", ["Ahmad Fauzi"]),
        ("Tim Redaksi", []),
        ("Tim Liputan Kaltim", []),
        ("Maria Ulfa, Dewi Sartika", ["Maria Ulfa", "Dewi Sartika"]),
        # long names, several joined: each name is held to the limit, not the whole line
        (
            "Andi Muhammad Fadhil Al Haqqi dan Rina Kusuma Dewi",
            ["Andi Muhammad Fadhil Al Haqqi", "Rina Kusuma Dewi"],
        ),
        (
            "Andi Muhammad Fadhil Al Haqqi, Rina Kusuma Dewi & Abdul Rahman Saleh",
            ["Andi Muhammad Fadhil Al Haqqi", "Rina Kusuma Dewi", "Abdul Rahman Saleh"],
        ),
        (
            "Gusti Muhammad Hatta dan Antung Noor Aisyah Rahmawati - Kaltim Post",
            ["Gusti Muhammad Hatta", "Antung Noor Aisyah Rahmawati"],
        ),
        # particles and titles do not count toward the limit
        (
            "Andi Muhammad Fadhil Al Haqqi Daeng Matola",
            ["Andi Muhammad Fadhil Al Haqqi Daeng Matola"],
        ),
        ("Hj. Siti Nur Aisyah binti Abdul Rahman", ["Hj. Siti Nur Aisyah binti Abdul Rahman"]),
        # sentences stay sentences, `dan` or not
        ("Warga di Samarinda mengungsi ke masjid dan sekolah terdekat", []),
        ("Banjir Rendam Tiga Desa Di Kutai Barat Sejak Senin", []),
        ("Wartawan senior itu menulis dan memotret banjir hari ini", []),
        # a theme's 'posted by' label alone (screen-reader text before the author link)
        ("Diposkan oleh", []),
        ("Posted by", []),
        ("Diposkan oleh Rina Wulandari", ["Rina Wulandari"]),
    ],
)
def test_person_names_from_bylines(byline: str, names: list[str]) -> None:
    assert person_names(byline, OUTLET) == names


def test_baca_juga_lines() -> None:
    assert inline_related_prefix("Baca juga: Banjir Rendam Samarinda") == len("Baca juga: ")
    assert inline_related_prefix("Baca: Jawaban Soal SMP") == len("Baca: ")
    assert inline_related_prefix("Bacaan itu menarik") == 0
    assert inline_related_prefix("Baca Juga ➡️ Banjir Rendam Samarinda") == len("Baca Juga ➡️ ")
    assert inline_related_prefix("Berita Terkait: Banjir Rendam") == len("Berita Terkait: ")
    assert inline_related_prefix("Artikel Terkait : Banjir Rendam") == len("Artikel Terkait : ")
    assert inline_related_prefix("Terkait hal itu, wali kota meminta warga waspada") == 0


@pytest.mark.parametrize(
    "label",
    [
        "Baca Juga",
        "Berita Terkait",
        "Terkait",
        "Berita Lainnya",
        "Foto Video Terkait",
        "Related News",
        "Baca juga:",
    ],
)
def test_related_box_labels(label: str) -> None:
    assert is_related_label(label)


@pytest.mark.parametrize("label", ["Terpopuler", "Berita Terkini", "Pilihan Editor", "Tag"])
def test_site_wide_lists_are_not_related(label: str) -> None:
    assert not is_related_label(label)


@pytest.mark.parametrize(
    "label",
    ["Terpopuler", "TERKINI", "Berita Terkini Lainnya", "Postingan Populer", "Pilihan Editor",
     "Berita Terbaru", "Paling Banyak Dibaca"],
)
def test_site_wide_list_labels(label: str) -> None:
    assert is_sitewide_label(label)


@pytest.mark.parametrize("label", ["Berita Terkait", "Baca Juga", "Terkini di Samarinda Hari Ini"])
def test_other_labels_are_not_site_wide(label: str) -> None:
    assert not is_sitewide_label(label)


def test_block_label_names() -> None:
    assert block_label("Berita Terkait:") == "berita-terkait"


@pytest.mark.parametrize(
    "line",
    [
        "COPYRIGHT © ANTARA 2015",
        "Ikuti perkembangan berita ini dalam topik:",
        "Artikel ini telah tayang di Kompas.com dengan judul Banjir",
        "0 Komentar",
        "Sumber: TribunSolo.com",
        'Simak Video "Melihat Progres Pembangunan Jalan Menuju IKN"',
        "[Gambas:Video 20detik]",
        "- Advertisement -",
        "--- Iklan ---",
        "Cek berita dan artikel lainnya di Google News",
        "Simak update berita pilihan setiap hari melalui WhatsApp Channel kami",
        "Gabung grup Telegram Kabar Kaltim",
        "Dilarang mengambil dan/atau menayangkan ulang sebagian atau keseluruhan artikel ini",
        # reading times
        "• 2 menit baca",
        "3 min read",
        "Waktu baca: 4 menit",
        "5 menit membaca",
    ],
)
def test_junk_lines(line: str) -> None:
    assert is_body_junk(line)


@pytest.mark.parametrize(
    "line",
    [
        "Warga menerima informasi jadwal pemadaman melalui grup WhatsApp kelurahan.",
        "Dilarang mengambil foto di area apron, kata petugas bandara.",
        "Iklan rokok di papan reklame Jalan Juanda akan dicopot pekan depan.",
        "- yang hadir di Samarinda - meminta warga tetap tenang.",
        "Lima menit kemudian, petugas pemadam tiba di lokasi.",
        "2 menit baca berita ini cukup untuk memahami duduk perkaranya.",
    ],
)
def test_article_sentences_are_not_junk(line: str) -> None:
    assert not is_body_junk(line)


def test_language_from_function_words() -> None:
    indonesian = (
        "Wali kota mengatakan bahwa banjir yang terjadi di Samarinda akan segera "
        "ditangani dengan pompa dari dinas, karena warga sudah mengeluh dan tidak "
        "bisa bekerja pada hari ini."
    ) * 2
    english = (
        "The mayor said that the flood in the city will be handled by the agency, "
        "which has pumps, and that the residents have been told to wait."
    ) * 2
    assert guess_language(indonesian) == "id"
    assert guess_language(english) == "en"
    assert guess_language("Samarinda") is None


@pytest.mark.parametrize(
    ("title", "label", "headline"),
    [
        ("VIDEO: Banjir Rendam Samarinda", "VIDEO", "Banjir Rendam Samarinda"),
        ("Foto: Warga Antre Minyak Goreng", "Foto", "Warga Antre Minyak Goreng"),
        ("[EKSKLUSIF] Wawancara Bupati Berau", "EKSKLUSIF", "Wawancara Bupati Berau"),
        ("INFOGRAFIS | Harga Cabai Sepekan", "INFOGRAFIS", "Harga Cabai Sepekan"),
        ("BREAKING NEWS: Kapal Tenggelam", "BREAKING NEWS", "Kapal Tenggelam"),
        ("Cek Fakta: Hoaks Vaksin di Grup WA", "Cek Fakta", "Hoaks Vaksin di Grup WA"),
        # a speaker or a topic before the colon is part of the headline
        ("KPU: Pemilu Tetap Digelar", None, "KPU: Pemilu Tetap Digelar"),
        ("Jokowi: IKN Jalan Terus", None, "Jokowi: IKN Jalan Terus"),
        ("Banjir Samarinda: Warga Mengungsi", None, "Banjir Samarinda: Warga Mengungsi"),
        ("Banjir Rendam Samarinda", None, "Banjir Rendam Samarinda"),
    ],
)
def test_kicker_labels_before_a_headline(title: str, label: str | None, headline: str) -> None:
    assert split_kicker(title) == (label, headline)


KALTIM_REGENCIES_AND_CITIES = (
    "Berau", "Bontang", "Balikpapan", "Kutai Barat", "Kutai Kartanegara", "Kutai Timur",
    "Mahakam Ulu", "Paser", "Penajam Paser Utara", "Samarinda",
)  # fmt: skip


@pytest.mark.parametrize("name", KALTIM_REGENCIES_AND_CITIES)
def test_every_east_kalimantan_regency_and_city_is_in_the_gazetteer(name: str) -> None:
    assert is_place(name) and is_place(name.upper())


@pytest.mark.parametrize(
    "name",
    ["Kotabaru", "Kota Baru", "Banjarbaru", "Banjar Baru", "Sanga-Sanga", "Kab. Paser",
     "Kota Samarinda", "Tojo Una-Una", "Tanjung Redeb", "Tanah Grogot", "Sangatta", "Jenewa",
     "Malinau", "Tarakan", "Papua Pegunungan"],
)  # fmt: skip
def test_gazetteer_spellings(name: str) -> None:
    assert is_place(name)


def test_gazetteer_names_are_stored_normalized() -> None:
    assert [name for name in PLACES if normalize_place(name) != name] == []


@pytest.mark.parametrize("name", ["Warga", "Petani Kutai", "Jalan Sudirman", "Presiden"])
def test_gazetteer_does_not_know_words_that_are_no_places(name: str) -> None:
    assert not is_place(name)
