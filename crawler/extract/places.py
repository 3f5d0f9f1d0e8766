"""A gazetteer of the places Indonesian datelines name (`Penajam Paser Utara -`, `Tanjung
Redeb, (ANTARA) -`, `Ogan Komering Ulu Selatan -`).

Where the list comes from: the 38 provinces and the regencies (kabupaten) and cities (kota)
of Indonesia as the Ministry of Home Affairs (Kemendagri) lists its regions as of 2024, the
districts (kecamatan) and main towns of East and North Kalimantan the regional press writes
from, and the foreign capitals and cities wire copy is datelined from. It was written from
memory, not generated from the official file, so it may miss recent splits (new regencies and
the districts split in 2022-2024) and rare spellings; a miss only means the dateline falls
back to the shape rules in `indonesian.py`, which read most of them anyway.

Names are stored normalized by `normalize_place`: lower case, hyphens and dots as spaces,
single spaces (`Sanga-Sanga` -> `sanga sanga`). Both spellings are listed where both are
common (`kotabaru` / `kota baru`, `banjarbaru` / `banjar baru`, `labuhanbatu` / `labuhan
batu`), plus the province and regency abbreviations datelines use (`NTB`, `Kaltim`, `Kukar`,
`PPU`). To add a place, write it in lower case, spelled as `normalize_place` would give it,
in the group it belongs to; a test checks every name is stored normalized.

Lookups are one set membership (`is_place`), made only for a prefix that already has the
shape of a dateline, never a scan of the text.
"""

from __future__ import annotations

PROVINCES = frozenset(
    {
        "aceh", "nanggroe aceh darussalam", "sumatera utara", "sumatera barat", "riau",
        "kepulauan riau", "jambi", "sumatera selatan", "bangka belitung",
        "kepulauan bangka belitung", "bengkulu", "lampung", "jakarta", "dki jakarta",
        "jawa barat", "banten", "jawa tengah", "yogyakarta", "di yogyakarta",
        "daerah istimewa yogyakarta", "jawa timur", "bali", "nusa tenggara barat",
        "nusa tenggara timur", "kalimantan barat", "kalimantan tengah", "kalimantan selatan",
        "kalimantan timur", "kalimantan utara", "sulawesi utara", "gorontalo",
        "sulawesi tengah", "sulawesi barat", "sulawesi selatan", "sulawesi tenggara", "maluku",
        "maluku utara", "papua", "papua barat", "papua barat daya", "papua tengah",
        "papua pegunungan", "papua selatan",
        # abbreviations datelines use (`Mataram, NTB (ANTARA) -`)
        "ntb", "ntt", "diy", "dki", "sumut", "sumbar", "sumsel", "kepri", "babel", "jabar",
        "jateng", "jatim", "kalbar", "kalteng", "kalsel", "kaltim", "kaltara", "sulut",
        "sulteng", "sulsel", "sultra", "sulbar", "malut", "pabar", "jogja", "yogya", "jogjakarta",
    }
)  # fmt: skip
"""The 38 provinces (2022's four new Papuan provinces included) and their short names."""

REGENCIES_AND_CITIES = frozenset(
    {
        # Aceh
        "simeulue", "aceh singkil", "aceh selatan", "aceh tenggara", "aceh timur",
        "aceh tengah", "aceh barat", "aceh besar", "pidie", "bireuen", "aceh utara",
        "aceh barat daya", "gayo lues", "aceh tamiang", "nagan raya", "aceh jaya",
        "bener meriah", "pidie jaya", "banda aceh", "sabang", "langsa", "lhokseumawe",
        "subulussalam",
        # Sumatera Utara
        "nias", "mandailing natal", "tapanuli selatan", "tapanuli tengah", "tapanuli utara",
        "toba", "toba samosir", "labuhanbatu", "labuhan batu", "asahan", "simalungun", "dairi",
        "karo", "deli serdang", "langkat", "nias selatan", "humbang hasundutan",
        "pakpak bharat", "samosir", "serdang bedagai", "batu bara", "batubara",
        "padang lawas utara", "padang lawas", "labuhanbatu selatan", "labuhan batu selatan",
        "labuhanbatu utara", "labuhan batu utara", "nias utara", "nias barat", "sibolga",
        "tanjungbalai", "tanjung balai", "pematangsiantar", "pematang siantar", "siantar",
        "tebing tinggi", "medan", "binjai", "padangsidimpuan", "padang sidempuan",
        "padangsidempuan", "gunungsitoli", "gunung sitoli",
        # Sumatera Barat
        "kepulauan mentawai", "mentawai", "pesisir selatan", "solok", "sijunjung",
        "tanah datar", "padang pariaman", "agam", "lima puluh kota", "limapuluh kota",
        "pasaman", "solok selatan", "dharmasraya", "pasaman barat", "padang", "sawahlunto",
        "padang panjang", "padangpanjang", "bukittinggi", "bukit tinggi", "payakumbuh",
        "pariaman",
        # Riau
        "kuantan singingi", "indragiri hulu", "indragiri hilir", "pelalawan", "siak", "kampar",
        "rokan hulu", "bengkalis", "rokan hilir", "kepulauan meranti", "meranti", "pekanbaru",
        "dumai",
        # Jambi
        "kerinci", "merangin", "sarolangun", "batanghari", "batang hari", "muaro jambi",
        "tanjung jabung timur", "tanjung jabung barat", "tebo", "bungo", "muara bungo",
        "sungai penuh",
        # Sumatera Selatan
        "ogan komering ulu", "ogan komering ilir", "muara enim", "lahat", "musi rawas",
        "musi banyuasin", "banyuasin", "ogan komering ulu selatan", "ogan komering ulu timur",
        "ogan ilir", "empat lawang", "penukal abab lematang ilir", "musi rawas utara",
        "palembang", "prabumulih", "pagar alam", "pagaralam", "lubuklinggau", "lubuk linggau",
        "oku", "oki", "oku selatan", "oku timur", "pali", "muratara", "muba",
        # Bengkulu
        "bengkulu selatan", "rejang lebong", "bengkulu utara", "kaur", "seluma", "mukomuko",
        "muko muko", "lebong", "kepahiang", "bengkulu tengah",
        # Lampung
        "lampung barat", "tanggamus", "lampung selatan", "lampung timur", "lampung tengah",
        "lampung utara", "way kanan", "tulang bawang", "pesawaran", "pringsewu", "mesuji",
        "tulang bawang barat", "pesisir barat", "bandar lampung", "bandarlampung", "metro",
        # Kepulauan Bangka Belitung
        "bangka", "belitung", "bangka barat", "bangka tengah", "bangka selatan",
        "belitung timur", "pangkalpinang", "pangkal pinang",
        # Kepulauan Riau
        "karimun", "bintan", "natuna", "lingga", "kepulauan anambas", "anambas", "batam",
        "tanjungpinang", "tanjung pinang",
        # DKI Jakarta
        "kepulauan seribu", "kepulauan seribu utara", "kepulauan seribu selatan",
        "jakarta selatan", "jakarta timur", "jakarta pusat", "jakarta barat", "jakarta utara",
        # Jawa Barat
        "bogor", "sukabumi", "cianjur", "bandung", "garut", "tasikmalaya", "ciamis", "kuningan",
        "cirebon", "majalengka", "sumedang", "indramayu", "subang", "purwakarta", "karawang",
        "bekasi", "bandung barat", "pangandaran", "depok", "cimahi",  # Banjar: below
        # Jawa Tengah
        "cilacap", "banyumas", "purbalingga", "banjarnegara", "kebumen", "purworejo",
        "wonosobo", "magelang", "boyolali", "klaten", "sukoharjo", "wonogiri", "karanganyar",
        "sragen", "grobogan", "blora", "rembang", "pati", "kudus", "jepara", "demak",
        "semarang", "temanggung", "kendal", "batang", "pekalongan", "pemalang", "tegal",
        "brebes", "salatiga", "surakarta", "solo",
        # DI Yogyakarta
        "kulon progo", "kulonprogo", "bantul", "gunungkidul", "gunung kidul", "sleman",
        # Jawa Timur
        "pacitan", "ponorogo", "trenggalek", "tulungagung", "blitar", "kediri", "malang",
        "lumajang", "jember", "banyuwangi", "bondowoso", "situbondo", "probolinggo",
        "pasuruan", "sidoarjo", "mojokerto", "jombang", "nganjuk", "madiun", "magetan", "ngawi",
        "bojonegoro", "tuban", "lamongan", "gresik", "bangkalan", "sampang", "pamekasan",
        "sumenep", "batu", "surabaya",
        # Banten
        "pandeglang", "lebak", "tangerang", "serang", "cilegon", "tangerang selatan",
        # Bali
        "jembrana", "tabanan", "badung", "gianyar", "klungkung", "bangli", "karangasem",
        "buleleng", "denpasar",
        # Nusa Tenggara Barat
        "lombok barat", "lombok tengah", "lombok timur", "sumbawa", "dompu", "bima",
        "sumbawa barat", "lombok utara", "mataram",
        # Nusa Tenggara Timur
        "sumba barat", "sumba timur", "kupang", "timor tengah selatan", "timor tengah utara",
        "belu", "alor", "lembata", "flores timur", "sikka", "ende", "ngada", "manggarai",
        "rote ndao", "manggarai barat", "sumba tengah", "sumba barat daya", "nagekeo",
        "manggarai timur", "sabu raijua", "malaka",
        # Kalimantan Barat
        "sambas", "bengkayang", "landak", "mempawah", "sanggau", "ketapang", "sintang",
        "kapuas hulu", "sekadau", "melawi", "kayong utara", "kubu raya", "pontianak",
        "singkawang",
        # Kalimantan Tengah
        "kotawaringin barat", "kotawaringin timur", "kapuas", "barito selatan",
        "barito utara", "sukamara", "lamandau", "seruyan", "katingan", "pulang pisau",
        "gunung mas", "barito timur", "murung raya", "palangka raya", "palangkaraya",
        "sampit", "pangkalan bun", "kuala kapuas", "muara teweh",
        # Kalimantan Selatan
        "tanah laut", "kotabaru", "kota baru", "banjar", "barito kuala", "tapin",
        "hulu sungai selatan", "hulu sungai tengah", "hulu sungai utara", "tabalong",
        "tanah bumbu", "balangan", "banjarmasin", "banjarbaru", "banjar baru", "martapura",
        "kandangan", "barabai", "amuntai", "tanjung", "pelaihari", "batulicin", "rantau",
        # Kalimantan Timur
        "paser", "pasir", "tana paser", "kutai barat", "kutai kartanegara", "kutai timur", "berau",
        "penajam paser utara", "mahakam ulu", "balikpapan", "samarinda", "bontang",
        "kukar", "kubar", "kutim", "ppu", "mahulu",
        # Kalimantan Utara
        "malinau", "bulungan", "tana tidung", "nunukan", "tarakan", "ktt",
        # Sulawesi Utara
        "bolaang mongondow", "minahasa", "kepulauan sangihe", "sangihe", "kepulauan talaud",
        "talaud", "minahasa selatan", "minahasa utara", "bolaang mongondow utara",
        "kepulauan siau tagulandang biaro", "siau tagulandang biaro", "sitaro",
        "minahasa tenggara", "bolaang mongondow selatan", "bolaang mongondow timur", "manado",
        "bitung", "tomohon", "kotamobagu",
        # Sulawesi Tengah
        "banggai kepulauan", "banggai", "morowali", "poso", "donggala", "tolitoli", "toli toli",
        "buol", "parigi moutong", "parimo", "tojo una una", "sigi", "banggai laut",
        "morowali utara", "palu", "luwuk",
        # Sulawesi Selatan
        "kepulauan selayar", "selayar", "bulukumba", "bantaeng", "jeneponto", "takalar",
        "gowa", "sinjai", "maros", "pangkajene dan kepulauan", "pangkep", "barru", "bone",
        "soppeng", "wajo", "sidenreng rappang", "sidrap", "pinrang", "enrekang", "luwu",
        "tana toraja", "luwu utara", "luwu timur", "toraja utara", "makassar", "parepare",
        "pare pare", "palopo", "sungguminasa", "watampone", "sengkang", "rantepao", "makale",
        # Sulawesi Tenggara
        "buton", "muna", "konawe", "kolaka", "konawe selatan", "bombana", "wakatobi",
        "kolaka utara", "buton utara", "konawe utara", "kolaka timur", "konawe kepulauan",
        "muna barat", "buton tengah", "buton selatan", "kendari", "baubau", "bau bau",
        # Gorontalo
        "boalemo", "pohuwato", "bone bolango", "gorontalo utara",
        # Sulawesi Barat
        "majene", "polewali mandar", "polman", "mamasa", "mamuju", "pasangkayu",
        "mamuju utara", "mamuju tengah",
        # Maluku
        "kepulauan tanimbar", "maluku tenggara barat", "maluku tenggara", "maluku tengah",
        "buru", "kepulauan aru", "seram bagian barat", "seram bagian timur",
        "maluku barat daya", "buru selatan", "ambon", "tual", "masohi", "saumlaki", "dobo",
        # Maluku Utara
        "halmahera barat", "halmahera tengah", "kepulauan sula", "halmahera selatan",
        "halmahera utara", "halmahera timur", "pulau morotai", "morotai", "pulau taliabu",
        "taliabu", "ternate", "tidore kepulauan", "tidore", "sofifi",
        # Papua
        "jayapura", "kepulauan yapen", "biak numfor", "biak", "sarmi", "keerom", "waropen",
        "supiori", "mamberamo raya", "sentani", "serui",
        # Papua Selatan
        "merauke", "boven digoel", "mappi", "asmat",
        # Papua Tengah
        "nabire", "puncak jaya", "paniai", "mimika", "timika", "puncak", "dogiyai",
        "intan jaya", "deiyai",
        # Papua Pegunungan
        "jayawijaya", "wamena", "pegunungan bintang", "yahukimo", "tolikara",
        "mamberamo tengah", "yalimo", "lanny jaya", "nduga",
        # Papua Barat
        "fakfak", "kaimana", "teluk wondama", "teluk bintuni", "manokwari",
        "manokwari selatan", "pegunungan arfak",
        # Papua Barat Daya
        "sorong", "sorong selatan", "raja ampat", "tambrauw", "maybrat",
    }
)  # fmt: skip
"""Every regency and city (about 514), by the name a dateline gives it (`Kutai Kartanegara`,
not `Kabupaten Kutai Kartanegara`; `is_place` drops such a prefix), with the regency seats
better known than their regency (`Sampit`, `Timika`, `Wamena`)."""

KALIMANTAN_DISTRICTS = frozenset(
    {
        # Samarinda
        "palaran", "samarinda seberang", "samarinda ulu", "samarinda ilir", "samarinda utara",
        "samarinda kota", "sungai kunjang", "sambutan", "sungai pinang", "loa janan ilir",
        # Balikpapan
        "balikpapan selatan", "balikpapan kota", "balikpapan timur", "balikpapan utara",
        "balikpapan tengah", "balikpapan barat",
        # Bontang
        "bontang selatan", "bontang utara", "bontang barat",
        # Kutai Kartanegara
        "tenggarong", "tenggarong seberang", "anggana", "kembang janggut", "kenohan",
        "kota bangun", "kota bangun darat", "loa janan", "loa kulu", "marang kayu",
        "muara badak", "muara jawa", "muara kaman", "muara muntai", "muara wis", "samboja",
        "samboja barat", "sanga sanga", "sangasanga", "sebulu", "tabang",
        # Kutai Timur
        "sangatta", "sangata", "sangatta utara", "sangatta selatan", "teluk pandan",
        "rantau pulung", "bengalon", "kaliorang", "kaubun", "karangan", "sangkulirang",
        "sandaran", "kongbeng", "muara wahau", "busang", "telen", "muara ancalong",
        "muara bengkal", "long mesangat", "batu ampar",
        # Berau
        "tanjung redeb", "tanjungredeb", "gunung tabur", "sambaliung", "teluk bayur", "segah",
        "kelay", "talisayan", "biatan", "tabalar", "pulau derawan", "derawan", "maratua",
        "batu putih", "biduk biduk",
        # Paser
        "tanah grogot", "tanahgrogot", "grogot", "kuaro", "long ikis", "long kali",
        "muara komam", "batu sopang", "muara samu", "batu engau", "tanjung harapan",
        "pasir belengkong",
        # Penajam Paser Utara, and the new capital in it
        "penajam", "waru", "babulu", "sepaku", "ikn", "ibu kota nusantara", "nusantara",
        # Kutai Barat
        "sendawar", "barong tongkok", "melak", "sekolaq darat", "linggang bigung",
        "long iram", "tering", "damai", "nyuatan", "bentian besar", "jempang", "muara lawa",
        "muara pahu", "penyinggahan", "bongan", "siluq ngurai", "mook manaar bulatn",
        # Mahakam Ulu
        "ujoh bilang", "long bagun", "long hubung", "long pahangai", "long apari", "laham",
        # Bulungan
        "tanjung selor", "tanjung palas", "tanjung palas timur", "tanjung palas utara",
        "tanjung palas barat", "tanjung palas tengah", "peso", "peso hilir", "sekatak",
        "bunyu",
        # Malinau
        "malinau kota", "malinau utara", "malinau barat", "malinau selatan", "mentarang",
        "mentarang hulu", "kayan hilir", "kayan hulu", "kayan selatan", "pujungan",
        "bahau hulu", "sungai boh", "long ampung",
        # Nunukan
        "nunukan selatan", "sebatik", "sebatik barat", "sebatik timur", "sebatik utara",
        "sebatik tengah", "sembakung", "lumbis", "krayan", "krayan selatan",
        "sei menggaris", "tulin onsoi", "sebuku",
        # Tana Tidung
        "tideng pale", "sesayap", "sesayap hilir", "tana lia", "muruk rian", "betayau",
        # Tarakan
        "tarakan barat", "tarakan timur", "tarakan tengah", "tarakan utara",
    }
)  # fmt: skip
"""Districts and towns of East Kalimantan and North Kalimantan that the regional press
datelines from, so that `Loa Janan -` or `Ujoh Bilang -` read without their regency."""

TOWNS_ELSEWHERE = frozenset(
    {
        "purwokerto", "cibinong", "cikarang", "soreang", "serpong", "ciputat", "karawaci",
        "labuan bajo", "nusa dua", "kuta", "ubud", "mandalika", "kudus", "tanjung priok",
        "merak", "bakauheni", "gilimanuk", "ketapang", "entikong", "sorong",
    }
)  # fmt: skip
"""Towns elsewhere that datelines name without their regency (ports, crossings, resorts)."""

FOREIGN = frozenset(
    {
        "beijing", "washington", "washington dc", "new york", "kuala lumpur", "singapura",
        "singapore", "jenewa", "geneva", "london", "paris", "tokyo", "seoul", "bangkok",
        "manila", "hanoi", "canberra", "sydney", "melbourne", "moskow", "moscow", "brussel",
        "brussels", "berlin", "den haag", "amsterdam", "kairo", "cairo", "riyadh", "jeddah",
        "mekkah", "makkah", "mekah", "madinah", "doha", "dubai", "abu dhabi", "ankara",
        "istanbul", "teheran", "new delhi", "islamabad", "dili", "bandar seri begawan",
        "kota kinabalu", "tawau", "kuching", "hong kong", "taipei", "gaza", "yerusalem",
        "tel aviv", "kyiv", "kiev", "roma", "vatikan", "wina", "beirut", "baghdad", "ottawa",
        "havana", "phnom penh", "yangon", "naypyidaw", "vientiane", "wellington", "shanghai",
        "guangzhou", "osaka", "davos", "sharm el sheikh", "johor bahru", "penang",
    }
)  # fmt: skip
"""Foreign capitals and cities wire copy is datelined from (`Beijing (ANTARA) -`)."""

PLACES = PROVINCES | REGENCIES_AND_CITIES | KALIMANTAN_DISTRICTS | TOWNS_ELSEWHERE | FOREIGN
"""Every name above, normalized: what `is_place` looks up."""

_ADMIN_WORDS = frozenset({"kabupaten", "kab", "kota", "provinsi", "kecamatan", "kec"})
"""Words a dateline may set before the name (`Kabupaten Berau -`, `Kota Samarinda -`);
tried only when the whole name is not listed, so `Kota Baru` stays a regency."""

_DROP = str.maketrans({"-": " ", ".": " ", "’": "", "'": ""})


def normalize_place(text: str) -> str:
    """The lookup form of a place as shown: lower case, hyphens and dots as spaces, quotes
    dropped, single spaces (`Sanga-Sanga` -> `sanga sanga`, `Kab. Paser` -> `kab paser`)."""
    return " ".join(text.lower().translate(_DROP).split())


def is_place(text: str) -> bool:
    """True when `text` (as shown, any case) names a place of the gazetteer, with or without
    an administrative word before it (`Kabupaten Berau`, `Kota Samarinda`)."""
    key = normalize_place(text)
    if key in PLACES:
        return True
    head, _, name = key.partition(" ")
    return head in _ADMIN_WORDS and name in PLACES
