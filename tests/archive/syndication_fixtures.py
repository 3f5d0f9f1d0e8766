"""Shared stories written for the project, with their truth (issue 17).

Five outlets, each closing every article on its own footer paragraph (boilerplate). Stories:

- `jalan`: a story by kaltimpost copied by sapos (headline changed, the last paragraph cut,
  words edited) and by kaltimtoday (a paragraph of its own added);
- `rilis`: a press release of the provincial health office run by three outlets within a day
  (one with a `(*/)` sign-off, one saying `rilis`);
- `antara`: a wire story run by two outlets, one adding a paragraph, one cutting two;
- near-misses that must stay apart: two different stories on the same flood and day naming
  the same officials (`banjir_a`, `banjir_b`), and a weekly column whose three weeks open
  with the same two paragraphs (`kolom_1` .. `kolom_3`);
- bad input: bodies that are only the outlet's footer, a one-line body, an empty body.

`TRUTH` maps each article key to its story (None: a story of its own); `REGION` to the
regency or city its truth names.
"""

from __future__ import annotations

from typing import Any

FOOTERS = {
    "kaltimpost": "Ikuti berita terkini Kaltim Post di Google News dan kanal WhatsApp kami. "
                  "Kirim informasi dan keluhan Anda ke redaksi melalui nomor pengaduan yang "
                  "tercantum di halaman kontak kami.",
    "sapos": "Baca berita Sapos lainnya di aplikasi kami dan jangan lewatkan informasi penting "
             "seputar Samarinda setiap hari bersama tim redaksi Sapos yang selalu siap melayani.",
    "kaltimtoday": "Dapatkan update berita pilihan dan breaking news setiap hari dari "
                   "Kaltimtoday dengan bergabung di grup Telegram dan mengikuti akun media "
                   "sosial resmi kami.",
    "korankaltim": "Koran Kaltim hadir setiap pagi dengan berita terpercaya dari seluruh "
                   "kabupaten dan kota di Kalimantan Timur untuk pembaca setia di mana pun "
                   "berada.",
    "niagaasia": "Niaga Asia menyajikan berita ekonomi dan bisnis dari perbatasan hingga ibu "
                 "kota provinsi, ikuti kami untuk informasi pasar dan investasi terbaru setiap "
                 "hari.",
}

JALAN = [
    "Pemerintah Kabupaten Kutai Kartanegara menargetkan perbaikan jalan poros Tenggarong "
    "menuju Kota Bangun sepanjang 42 kilometer rampung sebelum akhir tahun anggaran 2024.",
    "Kepala Dinas Pekerjaan Umum Kukar, Wiyono, mengatakan pengerjaan dibagi menjadi tiga "
    "paket lelang agar kontraktor bisa bekerja bersamaan di beberapa titik yang rusak parah.",
    "Menurut dia, kerusakan paling berat berada di ruas Loa Kulu karena jalan itu setiap hari "
    "dilalui truk pengangkut batu bara dengan muatan melebihi batas yang diizinkan.",
    "Anggaran yang disiapkan mencapai Rp 187 miliar dari APBD murni, ditambah bantuan "
    "keuangan provinsi untuk pembangunan drainase di sepanjang sisi jalan yang kerap banjir.",
    "Warga Desa Loa Kulu Kota, Sarmini, berharap perbaikan kali ini benar-benar tuntas karena "
    "selama dua tahun terakhir jalan berlubang sudah menyebabkan belasan kecelakaan.",
    "Dinas PU juga akan memasang jembatan timbang portabel bekerja sama dengan Dinas "
    "Perhubungan untuk menindak truk bermuatan lebih yang merusak jalan.",
]
JALAN_EXTRA = (
    "Sementara itu, anggota DPRD Kukar dari daerah pemilihan Loa Kulu meminta pemerintah "
    "melibatkan tenaga kerja lokal selama pengerjaan proyek agar warga ikut merasakan manfaat.")

RILIS = [
    "Dinas Kesehatan Provinsi Kalimantan Timur menggelar kampanye imunisasi polio serentak "
    "bagi anak usia nol hingga tujuh tahun di sepuluh kabupaten dan kota mulai Senin depan.",
    "Kepala Dinas Kesehatan Kaltim, Jaya Mualimin, dalam siaran pers yang diterima redaksi "
    "menyebutkan sasaran kampanye mencapai 412 ribu anak dengan target cakupan 95 persen.",
    "Vaksin akan diberikan di posyandu, puskesmas, sekolah dan taman kanak-kanak, sedangkan "
    "petugas juga mendatangi rumah warga di wilayah yang sulit dijangkau seperti Mahakam Ulu.",
    "Orang tua diimbau membawa anaknya ke pos imunisasi terdekat meskipun anak sudah pernah "
    "mendapat imunisasi polio sebelumnya, karena dosis tambahan aman dan memperkuat kekebalan.",
    "Dinas Kesehatan telah mendistribusikan lebih dari 900 ribu dosis vaksin tetes ke seluruh "
    "kabupaten dan kota, lengkap dengan rantai dingin untuk menjaga mutu vaksin.",
]

ANTARA = [
    "Bank Indonesia Perwakilan Kalimantan Timur mencatat inflasi tahunan di Balikpapan pada "
    "Mei 2024 sebesar 2,8 persen, lebih rendah dibandingkan bulan sebelumnya.",
    "Kepala Perwakilan BI Kaltim, Budi Widihartanto, di Balikpapan, Selasa, mengatakan "
    "penurunan inflasi terutama didorong oleh turunnya harga cabai rawit dan bawang merah.",
    "Meski demikian, harga beras masih tercatat naik karena pasokan dari Sulawesi Selatan dan "
    "Jawa Timur berkurang setelah musim panen raya berakhir di sejumlah sentra produksi.",
    "Tim Pengendalian Inflasi Daerah terus menggelar operasi pasar murah di enam kecamatan "
    "untuk menjaga daya beli masyarakat menjelang Iduladha.",
    "BI memperkirakan inflasi di Kaltim hingga akhir tahun tetap berada dalam kisaran sasaran "
    "nasional 2,5 persen plus minus satu persen.",
    "Ia menambahkan, pembangunan Ibu Kota Nusantara turut mendorong permintaan bahan bangunan "
    "dan jasa angkutan sehingga perlu diantisipasi dengan menambah pasokan.",
]
ANTARA_EXTRA = (
    "Di Samarinda, pedagang Pasar Segiri mengaku penjualan cabai mulai kembali normal setelah "
    "harga turun dari Rp 90 ribu menjadi Rp 55 ribu per kilogram dalam dua pekan terakhir.")

BANJIR_A = [
    "Banjir kembali merendam sejumlah kawasan di Samarinda setelah hujan deras mengguyur "
    "sejak Minggu malam, dengan ketinggian air mencapai pinggang orang dewasa di Jalan "
    "Pemuda.",
    "Wali Kota Samarinda Andi Harun meninjau lokasi banjir di Kelurahan Temindung Permai "
    "bersama Kepala BPBD Samarinda Suwarso dan memastikan bantuan logistik segera disalurkan.",
    "Sebanyak 1.240 kepala keluarga terdampak dan 86 warga lanjut usia dievakuasi ke masjid "
    "terdekat menggunakan perahu karet milik tim SAR gabungan.",
    "Andi Harun menyebut banjir kali ini dipicu pasang air Sungai Mahakam yang bersamaan dengan "
    "curah hujan tinggi sehingga air dari Sungai Karang Mumus tidak bisa mengalir.",
]
BANJIR_B = [
    "Pemerintah Kota Samarinda menyiapkan anggaran tanggap darurat Rp 5 miliar untuk "
    "menangani dampak banjir yang terjadi pada Senin pagi di sejumlah kecamatan.",
    "Wali Kota Samarinda Andi Harun dalam rapat koordinasi di Balai Kota meminta camat dan "
    "lurah mendata kerusakan rumah warga serta fasilitas umum secara rinci.",
    "Kepala BPBD Samarinda Suwarso melaporkan dapur umum telah didirikan di tiga titik dan "
    "posko kesehatan dibuka untuk melayani warga yang mengalami gatal dan diare.",
    "Rapat juga membahas percepatan proyek pengendalian banjir, termasuk pembangunan kolam "
    "retensi di Bendungan Benanga yang ditargetkan mulai dikerjakan tahun depan.",
]

KOLOM_OPENING = [
    "Catatan Akhir Pekan adalah ruang refleksi redaksi tentang peristiwa yang terjadi di "
    "Bumi Etam sepanjang minggu ini, ditulis secara bergiliran oleh para redaktur kami.",
    "Pendapat dalam kolom ini merupakan pandangan pribadi penulis dan tidak selalu mewakili "
    "sikap redaksi, pembaca dipersilakan mengirim tanggapan melalui surel redaksi.",
]
KOLOM_WEEKS = [
    ["Pekan ini kita menyaksikan antrean panjang kendaraan di SPBU Bontang karena pasokan "
     "solar yang terlambat datang dari depo Balikpapan.",
     "Nelayan di Bontang Kuala mengaku tidak melaut selama tiga hari karena kesulitan "
     "mendapatkan bahan bakar bersubsidi untuk perahu mereka.",
     "Pemerintah daerah perlu memastikan kuota solar nelayan tidak habis dibeli pengecer "
     "yang menjualnya kembali dengan harga jauh lebih mahal.",
     "Kelangkaan semacam ini terus berulang setiap akhir kuartal dan seharusnya sudah bisa "
     "diantisipasi oleh Pertamina bersama pemerintah kota."],
    ["Pembukaan sekolah rakyat di Berau disambut antusias orang tua yang selama ini kesulitan "
     "membiayai pendidikan anak mereka di kampung-kampung pesisir.",
     "Namun fasilitas asrama yang belum rampung membuat sebagian siswa dari Pulau Derawan "
     "harus menumpang di rumah kerabat di Tanjung Redeb.",
     "Guru-guru yang direkrut juga masih berstatus honorer dengan gaji yang dibayar tiga "
     "bulan sekali sehingga banyak yang mencari pekerjaan sampingan.",
     "Program ini baik, tetapi perlu perencanaan yang matang agar tidak berhenti di tengah "
     "jalan ketika anggaran pusat berubah."],
    ["Festival Erau di Tenggarong kembali mendatangkan ribuan wisatawan dan menghidupkan "
     "usaha kecil di sepanjang tepian Sungai Mahakam.",
     "Pedagang kuliner mengaku omzet mereka naik tiga kali lipat selama sepekan penyelenggaraan "
     "festival budaya Kesultanan Kutai tersebut.",
     "Sayangnya, persoalan parkir dan sampah kembali muncul seperti tahun-tahun sebelumnya "
     "tanpa penanganan yang berarti dari panitia.",
     "Ke depan, penyelenggara perlu menyiapkan kantong parkir dan armada kebersihan sejak jauh "
     "hari agar festival makin nyaman bagi pengunjung."],
]

#: Articles no one copied (one per outlet at least), so that each outlet has enough
#: articles for its footer to be seen as boilerplate.
SOLO = {
    "solo_pasar": ("korankaltim", "Harga Daging Sapi di Pasar Tanah Grogot Naik", "PASER", [
        "Harga daging sapi di Pasar Induk Tanah Grogot naik menjadi Rp 150 ribu per kilogram "
        "menjelang Iduladha karena pasokan sapi dari Sulawesi berkurang.",
        "Pedagang daging, Rahmat, mengatakan pembeli mulai mengurangi jumlah belanja dan "
        "beralih ke daging ayam yang harganya lebih terjangkau.",
        "Dinas Perdagangan Paser berjanji menggelar operasi pasar untuk menstabilkan harga "
        "selama dua pekan ke depan."]),
    "solo_tambang": ("niagaasia", "Izin Tambang Pasir di Sangatta Dicabut", "", [
        "Pemerintah Kabupaten Kutai Timur mencabut izin dua perusahaan tambang pasir di "
        "Sangatta Utara karena tidak melakukan reklamasi bekas galian.",
        "Bupati Kutai Timur mengatakan lubang bekas tambang yang dibiarkan terbuka telah "
        "menelan korban anak-anak yang bermain di sekitarnya.",
        "Perusahaan diberi waktu enam bulan untuk menutup lubang dan menanam kembali lahan "
        "sebelum dikenai sanksi pidana lingkungan."]),
    "solo_ikn": ("niagaasia", "Investor Jepang Tinjau Kawasan IKN", "PENAJAM", [
        "Rombongan investor asal Jepang meninjau kawasan inti pusat pemerintahan Ibu Kota "
        "Nusantara di Sepaku untuk menjajaki pembangunan perumahan pegawai.",
        "Otorita IKN menyebut minat investor asing meningkat setelah jalan tol Balikpapan "
        "menuju kawasan inti mulai dapat dilalui kendaraan.",
        "Nilai investasi yang ditawarkan mencapai Rp 20 triliun untuk pembangunan hunian "
        "vertikal dan fasilitas pendukung."]),
    "solo_sekolah": ("kaltimtoday", "Sekolah di Mahakam Ulu Kekurangan Guru", "", [
        "Sejumlah sekolah dasar di Long Apari, Mahakam Ulu, kekurangan guru sehingga satu guru "
        "harus mengajar dua hingga tiga kelas sekaligus.",
        "Kepala sekolah setempat mengatakan guru yang ditempatkan sering tidak bertahan lama "
        "karena akses transportasi sungai yang mahal dan berbahaya.",
        "Pemerintah kabupaten berencana memberikan tunjangan khusus bagi guru yang bersedia "
        "bertugas di kampung-kampung perbatasan."]),
    "solo_bandara": ("sapos", "Penerbangan Samarinda ke Berau Ditambah", "SAMARINDA", [
        "Maskapai penerbangan menambah jadwal rute Samarinda menuju Berau menjadi dua kali "
        "sehari mulai bulan depan seiring naiknya jumlah penumpang.",
        "Pengelola Bandara APT Pranoto menyebut tingkat keterisian pesawat rute tersebut "
        "selalu di atas 80 persen dalam tiga bulan terakhir.",
        "Penambahan jadwal diharapkan mendorong kunjungan wisatawan ke Kepulauan Derawan dan "
        "Maratua."]),
    "solo_ppu": ("kaltimpost", "Petani PPU Panen Jagung", "", [
        "Petani di Babulu, Penajam Paser Utara, memanen jagung di lahan seluas 300 hektare "
        "yang ditanam dengan benih bantuan pemerintah kabupaten.",
        "Hasil panen mencapai enam ton per hektare, lebih tinggi dibandingkan musim tanam "
        "sebelumnya yang terganggu kemarau panjang.",
        "Pemerintah kabupaten berjanji membantu pemasaran jagung ke pabrik pakan ternak di "
        "Balikpapan agar harga di tingkat petani tidak anjlok."]),
}


def _body(source: str, paragraphs: list[str], *, footer: bool = True) -> str:
    return "\n\n".join([*paragraphs, *([FOOTERS[source]] if footer else [])])


def _edit(paragraph: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in paragraph, old
        paragraph = paragraph.replace(old, new)
    return paragraph


def articles() -> list[dict[str, Any]]:
    """The fixture articles as `Archive.write` takes them, each with its `key` in `extra`."""
    out: list[dict[str, Any]] = []

    def add(key: str, source: str, title: str, paragraphs: list[str], published: str,
            dateline: str | None = None, signoff: str | None = None, footer: bool = True
            ) -> None:
        out.append({"url": f"https://{source}.example/berita/{key}", "source": source,
                    "title": title, "body": _body(source, paragraphs, footer=footer),
                    "published_at": published, "dateline": dateline, "signoff": signoff,
                    "language": "id", "key": key})

    add("jalan_kp", "kaltimpost", "Jalan Poros Tenggarong-Kota Bangun Diperbaiki Tahun Ini",
        JALAN, "2024-05-20T09:15:00+08:00", "TENGGARONG")
    add("jalan_sapos", "sapos", "Rp 187 Miliar untuk Jalan Rusak di Kukar",
        [_edit(JALAN[0], ("menargetkan", "memastikan")), JALAN[1],
         _edit(JALAN[2], ("setiap hari", "saban hari")), JALAN[3], JALAN[4]],
        "2024-05-20T13:40:00+08:00")
    add("jalan_today", "kaltimtoday", "Kukar Perbaiki 42 Kilometer Jalan Poros",
        [*JALAN[:5], JALAN_EXTRA, JALAN[5]], "2024-05-21T08:00:00+08:00", "TENGGARONG")
    add("rilis_kp", "kaltimpost", "Kampanye Imunisasi Polio Serentak Dimulai Senin", RILIS,
        "2024-06-03T10:00:00+08:00", "SAMARINDA", signoff="*/")
    add("rilis_kk", "korankaltim", "412 Ribu Anak di Kaltim Jadi Sasaran Imunisasi Polio",
        [_edit(RILIS[0], ("Senin depan", "pekan depan")), *RILIS[1:]],
        "2024-06-03T14:30:00+08:00", "SAMARINDA")
    add("rilis_today", "kaltimtoday", "Dinkes Kaltim Gelar Imunisasi Polio",
        [*RILIS[:4], "Demikian rilis yang disampaikan Dinas Kesehatan Kaltim."],
        "2024-06-04T07:45:00+08:00", "SAMARINDA")
    add("antara_niaga", "niagaasia", "Inflasi Balikpapan Turun Jadi 2,8 Persen", ANTARA,
        "2024-06-04T16:20:00+08:00", "BALIKPAPAN")
    add("antara_sapos", "sapos", "Harga Cabai Turun, Inflasi Balikpapan Melandai",
        [*ANTARA, ANTARA_EXTRA], "2024-06-04T19:00:00+08:00", "BALIKPAPAN")
    add("antara_kk", "korankaltim", "BI: Inflasi Balikpapan 2,8 Persen",
        [ANTARA[0], ANTARA[1], ANTARA[3], ANTARA[4]], "2024-06-05T09:10:00+08:00",
        "BALIKPAPAN")
    add("banjir_a", "sapos", "Andi Harun Tinjau Banjir di Temindung", BANJIR_A,
        "2024-06-10T11:00:00+08:00", "SAMARINDA")
    add("banjir_b", "kaltimpost", "Pemkot Samarinda Siapkan Rp 5 Miliar untuk Korban Banjir",
        BANJIR_B, "2024-06-10T15:30:00+08:00", "SAMARINDA")
    for week, (paragraphs, place) in enumerate(zip(KOLOM_WEEKS, ("Bontang", "Berau",
                                                                 "Kutai Kartanegara"),
                                                   strict=True), 1):
        add(f"kolom_{week}", "korankaltim", f"Catatan Akhir Pekan: {place}",
            [*KOLOM_OPENING, *paragraphs], f"2024-06-{7 * week:02d}T06:00:00+08:00")
    for key, (source, title, dateline, paragraphs) in SOLO.items():
        add(key, source, title, paragraphs, "2024-06-12T10:00:00+08:00", dateline or None)
    # bad input: footer-only bodies, a one-line body, an empty body
    add("footer_only_1", "kaltimpost", "Galeri Foto Hari Ini", [], "2024-06-13T10:00:00+08:00")
    add("footer_only_2", "kaltimpost", "Video Pilihan Redaksi", [], "2024-06-14T10:00:00+08:00")
    add("one_line", "sapos", "Jadwal Imsakiyah", ["Jadwal imsakiyah Samarinda hari ini."],
        "2024-06-14T10:00:00+08:00", footer=False)
    add("empty", "sapos", "Foto: Banjir Samarinda", [], "2024-06-14T11:00:00+08:00",
        footer=False)
    return out


#: article key -> story (articles of one story are copies of one another); None: its own.
TRUTH: dict[str, str | None] = {
    "jalan_kp": "jalan", "jalan_sapos": "jalan", "jalan_today": "jalan",
    "rilis_kp": "rilis", "rilis_kk": "rilis", "rilis_today": "rilis",
    "antara_niaga": "antara", "antara_sapos": "antara", "antara_kk": "antara",
}
#: The presumed original of each story: its earliest publication.
ORIGINALS = {"jalan": "jalan_kp", "rilis": "rilis_kp", "antara": "antara_niaga"}

#: article key -> the regency or city its text is about.
REGION = {
    "jalan_kp": "Kutai Kartanegara", "jalan_sapos": "Kutai Kartanegara",
    "jalan_today": "Kutai Kartanegara", "rilis_kp": "Samarinda", "rilis_kk": "Samarinda",
    "rilis_today": "Samarinda", "antara_niaga": "Balikpapan", "antara_sapos": "Balikpapan",
    "antara_kk": "Balikpapan", "banjir_a": "Samarinda", "banjir_b": "Samarinda",
    "kolom_1": "Bontang", "kolom_2": "Berau", "kolom_3": "Kutai Kartanegara",
    "solo_pasar": "Paser", "solo_tambang": "Kutai Timur", "solo_ikn": "Penajam Paser Utara",
    "solo_sekolah": "Mahakam Ulu", "solo_bandara": "Samarinda",
    "solo_ppu": "Penajam Paser Utara",
}
