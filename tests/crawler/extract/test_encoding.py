"""Bytes to text: declared charsets checked against the bytes (crawler/extract/encoding.py)."""

from __future__ import annotations

import codecs

import pytest

from crawler.extract import extract_article
from crawler.extract.encoding import declared_encoding, decode_html

TEXT = "Kafe “Tepian” di Samarinda — ramai saat ngabuburit, kata Pak Ján"


def test_utf8_without_any_declaration() -> None:
    assert decode_html(TEXT.encode("utf-8")) == (TEXT, "utf-8")


def test_legacy_bytes_with_a_meta_declaration() -> None:
    data = b'<meta charset="windows-1252">' + TEXT.encode("cp1252")
    text, used = decode_html(data)
    assert text.endswith(TEXT) and used == "cp1252"


def test_legacy_bytes_with_the_http_charset() -> None:
    assert decode_html(TEXT.encode("cp1252"), "windows-1252") == (TEXT, "cp1252")


def test_latin1_declared_is_read_as_windows_1252() -> None:
    # browsers read iso-8859-1 as windows-1252, where 0x93/0x94 are curly quotes
    assert decode_html(TEXT.encode("cp1252"), "iso-8859-1") == (TEXT, "cp1252")


def test_utf8_bytes_under_a_wrong_legacy_declaration_stay_utf8() -> None:
    data = b'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
    text, used = decode_html(data + TEXT.encode("utf-8"), "iso-8859-1")
    assert text.endswith(TEXT) and used == "utf-8"


def test_legacy_bytes_under_a_wrong_utf8_declaration_are_read_as_windows_1252() -> None:
    data = b'<meta charset="utf-8">' + TEXT.encode("cp1252")
    text, used = decode_html(data, "utf-8")
    assert text.endswith(TEXT) and used == "cp1252"


def test_a_stray_legacy_byte_in_a_utf8_page_does_not_turn_the_page_to_mojibake() -> None:
    data = (TEXT + " ").encode("utf-8") * 30 + b"\x93kutip\x94"
    text, used = decode_html(data)
    assert used == "utf-8" and text.startswith(TEXT)


@pytest.mark.parametrize(
    ("bom", "codec"), [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le")]
)
def test_a_byte_order_mark_wins(bom: bytes, codec: str) -> None:
    assert decode_html(bom + TEXT.encode(codec), "iso-8859-1")[0] == TEXT


def test_an_unknown_declared_charset_is_ignored() -> None:
    assert decode_html(TEXT.encode("utf-8"), "x-no-such-charset") == (TEXT, "utf-8")


def test_declarations_are_found_in_meta_and_xml() -> None:
    assert declared_encoding(b'<html><head><meta charset="GBK">') == "GBK"
    assert declared_encoding(b'<?xml version="1.0" encoding="ISO-8859-15"?><html>') == "ISO-8859-15"
    assert declared_encoding(b"<html><head><title>x</title>") is None


# -- the bytes a page is parsed from (`core._utf8_bytes`: valid UTF-8 goes to the parser as is) --

def _page(title: str, paragraph: str) -> str:
    return (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            + "".join(f"<p>{paragraph} ({n})</p>" for n in range(30)) + "</article></body></html>")


def test_invisible_characters_of_a_utf8_page_stay_out_of_its_fields() -> None:
    data = _page("Banjir\u200b di Samarinda\u00ad", TEXT).encode("utf-8")
    result = extract_article(data, "https://example.co.id/berita/banjir")
    assert result["title"] == "Banjir di Samarinda"


def test_a_utf8_page_with_a_cut_character_is_read_as_decoded() -> None:
    data = _page("Kafe Tepian Ramai", TEXT).encode("utf-8").replace(
        b"</article>", b"<p>Kata \xe2\x80penjual kopi di tepian sungai itu.</p></article>")
    result = extract_article(data, "https://example.co.id/berita/kafe")
    assert result["title"] == "Kafe Tepian Ramai"
    assert result["body"].startswith(TEXT + " (0)")
    # a cut sequence is one U+FFFD, as Python decodes it (libxml2 on the raw bytes writes two)
    assert result["body"].endswith("Kata \ufffdpenjual kopi di tepian sungai itu.")
