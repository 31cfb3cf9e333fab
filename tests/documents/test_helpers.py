"""Small pieces of intake and the viewer: names, sizes, highlighting."""

from __future__ import annotations

import pytest

from documents import highlight, intake


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("C:\\fakepath\\Release 1.pdf", "Release 1.pdf"),
        ("../../etc/passwd", "passwd"),
        ("memo\x00\r\n.pdf", "memo .pdf"),
        ("  spaced   out .pdf ", "spaced out .pdf"),
        ("", ""),
    ],
)
def test_file_names_lose_folders_and_control_characters(given, kept):
    assert intake.clean_name(given) == kept


def test_download_names_keep_the_real_extension():
    assert intake.download_name("Release 1.pdf", "pdf") == "Release 1.pdf"
    assert intake.download_name("photo.pdf", "jpeg") == "photo.pdf.jpg"
    assert intake.download_name('a"b;c\nd', "tiff") == "a_b_c d.tif"
    assert intake.download_name("", "png") == "document.png"


def test_sizes_read_as_people_write_them():
    assert intake.format_size(200 * 1024 * 1024) == "200 MB"
    assert intake.format_size(1536) == "1.5 KB"
    assert intake.format_size(12) == "12 bytes"


def test_words_of_the_query_are_marked_and_everything_else_escaped():
    text = "Agent queried TECS.\n<b>tecs</b> & ICM; (b)(6) withheld"
    marked = highlight.mark_text(text, "tecs (b)(6)")
    assert marked == (
        "Agent queried <mark>TECS.</mark>\n<mark>&lt;b&gt;tecs&lt;/b&gt;</mark> "
        "&amp; ICM; <mark>(b)(6)</mark> withheld"
    )
    assert highlight.mark_text("<script>", "") == "&lt;script&gt;"


def test_boxes_of_matching_words_are_svg_ready():
    words = [
        ["TECS", 0.1, 0.2, 0.05, 0.01, 93.0],
        ["ICM", 0.3, 0.2, 0.04, 0.01, 90.0],
        ["broken"],
    ]
    assert highlight.boxes(words, "tecs") == [
        ("0.10000", "0.20000", "0.05000", "0.01000")
    ]
    assert highlight.boxes(words, "") == []


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("TECS", "“TECS”"),
        ("TECS  ICM", "“TECS ICM”"),
        ('"queried TECS"', "“queried TECS”"),
        ('"queried TECS" ICM', "“queried TECS” ICM"),
        ('"unclosed phrase', "“unclosed phrase”"),
        ("", ""),
    ],
)
def test_the_viewer_quotes_a_query_once(query, label):
    assert highlight.query_label(query) == label
