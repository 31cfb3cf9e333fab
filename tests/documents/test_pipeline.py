"""The processing core on real files, with real PDFium, Pillow and tesseract.

Samples and what each must do are listed in tests/samples/ATTRIBUTION.md. Pages are
read at 150 dpi to keep the suite quick; production reads at 300.
"""

from __future__ import annotations

import os
import re
import struct
import zlib
from collections import Counter
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from documents.pipeline import (
    DEFAULT_MAX_PIXELS,
    MIN_LONG_SIDE,
    SNIFF_BYTES,
    PageResult,
    ProcessingError,
    SourceDocument,
    Word,
    detect_rotation,
    extract_text_layer,
    is_real_text,
    make_thumbnail,
    ocr_page,
    open_document,
    process_page,
    render_page,
    sniff,
)

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
DPI = 150
MAX_PIXELS = 4_000_000
# Word-overlap similarity of OCR text with linn.txt, measured at 150 dpi: linn
# 0.979, skew 0.975, ccitt 0.979, jbig2 0.979. The floor leaves room for other
# tesseract builds.
LINN_SIMILARITY_FLOOR = 0.93

DAMAGED_PDF = "This file is damaged and can't be read as a PDF."
PASSWORD_PROTECTED = (
    "This PDF is password-protected; ask the agency for an unprotected copy."
)


def _open(name: str) -> SourceDocument:
    path = SAMPLES / name
    return open_document(path, kind=sniff(path.read_bytes()[:SNIFF_BYTES]))


@pytest.fixture
def sample() -> Iterator:
    opened: list[SourceDocument] = []

    def open_sample(name: str) -> SourceDocument:
        document = _open(name)
        opened.append(document)
        return document

    yield open_sample
    for document in opened:
        document.close()


def _process(sample, name: str, index: int = 0, **options) -> PageResult:
    options = {"dpi": DPI, "max_pixels": MAX_PIXELS, **options}
    return process_page(sample(name), index, **options)


def _similarity(text: str, truth: str) -> float:
    """Dice overlap of the two texts' lowercase word multisets (1.0 = same words)."""
    ours = Counter(re.findall(r"[a-z0-9]+", text.lower()))
    theirs = Counter(re.findall(r"[a-z0-9]+", truth.lower()))
    return 2 * sum((ours & theirs).values()) / (ours.total() + theirs.total())


def _linn_text() -> str:
    return (SAMPLES / "linn.txt").read_text(encoding="utf-8")


def _assert_boxes_inside_the_page(words: list[Word]) -> None:
    assert words
    for word in words:
        assert word.text.strip()
        assert 0 <= word.left <= 1 and 0 <= word.top <= 1
        assert 0 <= word.width <= 1 and 0 <= word.height <= 1
        assert word.left + word.width <= 1 + 1e-9
        assert word.top + word.height <= 1 + 1e-9
        assert word.conf is None or 0 <= word.conf <= 100


def _assert_jpeg(data: bytes, *, width: int) -> None:
    assert data.startswith(b"\xff\xd8\xff")
    with Image.open(BytesIO(data)) as thumbnail:
        assert thumbnail.width == width


def _png_header_claiming(*, width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` pixels, with no pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


# --- sniffing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("text_layer.pdf", "pdf"),
        ("linn.pdf", "pdf"),
        ("invalid.pdf", "pdf"),
        ("two_pages.tif", "tiff"),
        ("sideways.png", "png"),
        ("phone_photo.jpg", "jpeg"),
    ],
)
def test_sniff_names_each_sample_by_its_first_bytes(name, kind):
    assert sniff((SAMPLES / name).read_bytes()[:SNIFF_BYTES]) == kind


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "pdf"),
        (b"\r\n\x00junk from a mail gateway\n%PDF-1.4\n", "pdf"),
        (b"II*\x00\x08\x00\x00\x00", "tiff"),
        (b"MM\x00*\x00\x00\x00\x08", "tiff"),
        (b"II+\x00\x08\x00\x00\x00", "tiff"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpeg"),
        (b"\xff\xd8\xff\xe1\x00\x10Exif", "jpeg"),
        (b"PK\x03\x04\x14\x00\x00\x00release.pdf%PDF-1.4", "zip"),
        (b"PK\x05\x06" + bytes(18), "zip"),
    ],
)
def test_sniff_reads_magic_bytes_only(head, kind):
    assert sniff(head) == kind


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"<!DOCTYPE html><html><body>Session expired</body></html>",
        b"GIF89a\x01\x00\x01\x00",
        b"Dear Requester, enclosed please find",
        b"\x00" * 64,
        b"%PD",
        b" " * SNIFF_BYTES + b"%PDF-1.4",
    ],
)
def test_sniff_returns_none_for_anything_else(head):
    assert sniff(head) is None


# --- opening --------------------------------------------------------------------


def test_invalid_pdf_is_rejected_as_damaged():
    with pytest.raises(ProcessingError) as caught:
        _open("invalid.pdf")
    assert caught.value.reason == DAMAGED_PDF
    assert "pdfium" in caught.value.detail


def test_pdf_encrypted_with_an_empty_user_password_opens_and_keeps_its_text(sample):
    document = sample("encrypted_empty_user_password.pdf")
    assert document.page_count == 1
    result = process_page(document, 0, dpi=DPI)
    assert result.source == "text"
    assert "Homeland Security" in result.text
    assert result.exemptions == ["b6", "b7c"]


def test_pdf_needing_a_password_is_rejected_with_a_reason():
    with pytest.raises(ProcessingError) as caught:
        _open("encrypted_user_password.pdf")
    assert caught.value.reason == PASSWORD_PROTECTED


def test_zip_archive_is_refused_with_a_reason(tmp_path):
    path = tmp_path / "release.zip"
    path.write_bytes(b"PK\x05\x06" + bytes(18))
    with pytest.raises(ProcessingError) as caught:
        open_document(path, kind=sniff(path.read_bytes()))
    assert "ZIP archive" in caught.value.reason


def test_unknown_kind_is_refused_with_a_reason(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Call the FOIA officer on Monday.")
    with pytest.raises(ProcessingError) as caught:
        open_document(path, kind=sniff(path.read_bytes()))
    assert "PDF, TIFF, PNG or JPEG" in caught.value.reason


def test_truncated_image_is_reported_as_damaged(tmp_path):
    path = tmp_path / "scan.png"
    path.write_bytes((SAMPLES / "sideways.png").read_bytes()[:400])
    with (
        pytest.raises(ProcessingError) as caught,
        open_document(path, kind="png") as document,
    ):
        render_page(document, 0, dpi=DPI)
    assert "damaged" in caught.value.reason


def test_page_count_comes_from_the_file(sample):
    assert sample("text_layer.pdf").page_count == 2
    assert sample("two_pages.tif").page_count == 2
    assert sample("phone_photo.jpg").page_count == 1


def test_page_index_out_of_range_is_a_programming_error(sample):
    with pytest.raises(IndexError):
        process_page(sample("trivial.pdf"), 1)


# --- text layer or OCR ------------------------------------------------------------


def test_real_text_layer_is_kept_with_word_boxes(sample):
    document = sample("text_layer.pdf")
    assert "Report of Investigation" in extract_text_layer(document, 0)

    result = process_page(document, 0, dpi=DPI)
    assert result.source == "text"
    assert result.confidence is None
    assert result.text.splitlines()[0] == "U.S. Department of Homeland Security"
    assert result.exemptions == ["b6", "b7c"]
    # 8.5 x 11 inches at 150 dpi; PDFium rounds sizes up.
    assert result.width == pytest.approx(1275, abs=1)
    assert result.height == pytest.approx(1650, abs=1)
    _assert_jpeg(result.thumbnail, width=200)
    _assert_boxes_inside_the_page(result.words)
    first = result.words[0]
    assert first.text == "U.S."
    # 72 pt from the left and about 72 pt from the top of a 612 x 792 pt page.
    assert first.left == pytest.approx(72 / 612, abs=0.01)
    assert 0.08 < first.top < 0.12


def test_text_layer_word_boxes_follow_the_page_rotation(sample):
    result = process_page(sample("text_layer_rotated.pdf"), 0, dpi=DPI)
    assert result.source == "text"
    assert result.width > result.height  # shown landscape
    first = next(word for word in result.words if word.text == "U.S.")
    # Turned a quarter clockwise, the top-left corner of the text is at the right,
    # near the top, and words run downwards.
    assert first.left > 0.85
    assert first.top == pytest.approx(72 / 612, abs=0.01)
    assert first.height > first.width


def test_font_without_a_unicode_map_goes_to_ocr(sample):
    document = sample("truetype_font_nomapping.pdf")
    assert extract_text_layer(document, 0) is None

    result = process_page(document, 0, dpi=DPI)
    assert result.source == "ocr"
    assert "Phone" in result.text


def test_text_drawn_as_curves_goes_to_ocr(sample):
    document = sample("vector.pdf")
    assert extract_text_layer(document, 0) is None

    result = process_page(document, 0, dpi=DPI)
    assert result.source == "ocr"
    assert "Sample Vector PDF for Testing" in result.text
    assert "should be used" in result.text


def test_scan_whose_only_text_is_a_stamp_goes_to_ocr(sample):
    document = sample("stamped_scan.pdf")
    assert extract_text_layer(document, 0) is None

    result = process_page(document, 0, dpi=DPI)
    assert result.source == "ocr"
    assert "Professional Responsibility" in result.text
    assert "DHS-OPR-2019-000412" in result.text


def test_scan_made_searchable_keeps_its_text_layer(sample):
    result = process_page(sample("searchable_scan.pdf"), 0, dpi=DPI)
    assert result.source == "text"
    assert "two supervisors were present" in result.text


def test_image_pages_have_no_text_layer(sample):
    assert extract_text_layer(sample("two_pages.tif"), 1) is None


@pytest.mark.parametrize(
    "text",
    [
        "U.S. Department of Homeland Security\nMEMORANDUM FOR: Field Office Director",
        "La solicitud de información pública fue recibida el 4 de marzo y será "
        "respondida dentro del plazo legal.",
        "Les documents demandés contiennent des données personnelles protégées.",
        "Закон о свободе информации требует раскрытия документов",
        "情報公開法に基づく開示請求について回答します。行政文書の開示決定通知書",
        "2019 2020 2021\n1,204 1,388 1,502\n17.5% 18.2% 19.0%",
        "DHS ICE CBP FBI DOJ OIG USCIS memo regarding the FOIA request",
        "The LinnSequencer is a state-of-the-art composition tool.",
    ],
)
def test_real_text_is_recognised_in_any_script(text):
    assert is_real_text(text)


def _shifted(text: str) -> str:
    return "".join(
        chr((ord(char) - ord("a") + 3) % 26 + ord("a")) if char.islower() else char
        for char in text
    )


ENGLISH = (
    "The officer met with the detainee in the housing unit and wrote a report "
    "about the incident at the processing center on Tuesday night."
)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  \n\t ",
        '"7+%-',  # what truetype_font_nomapping.pdf yields for "Phone"
        "Page 1 of 3",
        "\ue000\ue001\ue002\ue003 " * 20,
        "\x01\x02\x03\x04 abc " * 10,
        ENGLISH.replace("e", "\ufffd"),
        "!#$%&'()*+,-./:;<=>?@[]^_`{|}~" * 3 + "ab12",
        _shifted(ENGLISH),
    ],
)
def test_junk_is_not_taken_for_text(text):
    assert not is_real_text(text)


# --- blank and odd pages ------------------------------------------------------------


@pytest.mark.parametrize("name", ["blank.pdf", "trivial.pdf", "no_contents.pdf"])
def test_blank_pages_end_empty_without_error(sample, name):
    document = sample(name)
    assert document.page_count == 1
    result = process_page(document, 0, dpi=DPI, max_pixels=MAX_PIXELS)
    assert result.number == 1
    assert result.text == ""
    assert result.source == "none"
    assert result.words == []
    assert result.exemptions == []
    assert result.confidence is None
    _assert_jpeg(result.thumbnail, width=200)


def test_scanner_output_with_broken_table_of_contents_processes_normally(sample):
    result = _process(sample, "kcs.pdf")
    assert result.source == "ocr"
    assert "Capture" in result.text
    assert "Test" in result.text


# --- rendering within budget --------------------------------------------------------


def test_enormous_page_renders_within_the_pixel_budget(sample):
    document = sample("enormous.pdf")
    image = render_page(document, 0, dpi=300, max_pixels=MAX_PIXELS)
    assert image.mode == "L"
    assert image.width * image.height <= MAX_PIXELS
    assert image.info["dpi"][0] < 300

    result = process_page(document, 0, dpi=300, max_pixels=MAX_PIXELS)
    assert result.width * result.height <= MAX_PIXELS
    assert "pixels" in result.text


def test_default_budget_is_a_parameter_and_holds_for_a_300_dpi_letter_page(sample):
    document = sample("linn.pdf")
    assert render_page(document, 0, dpi=300, max_pixels=1_000_000).size == (
        pytest.approx(879, abs=2),
        pytest.approx(1138, abs=2),
    )
    assert DEFAULT_MAX_PIXELS >= 2550 * 3300  # a 300 dpi letter page fits whole


def test_2400_dpi_scan_is_downsampled_to_a_legible_size_and_read(sample):
    document = sample("2400dpi.pdf")
    image = render_page(document, 0, dpi=300)
    # The page is 1.7 x 1.2 inches: 300 dpi would make it 500 pixels wide, too
    # small to read, so it comes out at MIN_LONG_SIDE, still far below 2400 dpi.
    assert max(image.size) == pytest.approx(MIN_LONG_SIDE, abs=1)
    assert 300 < image.info["dpi"][0] < 2400

    result = process_page(document, 0, dpi=300)
    assert result.source == "ocr"
    for word in ("Waterman", "linzen", "liter", "water", "kruidnagel"):
        assert word in result.text


def test_image_pages_are_rendered_within_the_budget_too(sample):
    image = render_page(sample("two_pages.tif"), 0, dpi=DPI, max_pixels=200_000)
    assert image.width * image.height <= 200_000


def test_image_claiming_more_pixels_than_allowed_is_refused(tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header_claiming(width=20_000, height=20_000))
    with (
        pytest.raises(ProcessingError) as caught,
        open_document(path, kind="png") as document,
    ):
        render_page(document, 0)
    assert "too large" in caught.value.reason


def test_image_just_over_the_limit_is_refused_at_render(tmp_path):
    path = tmp_path / "large.png"
    path.write_bytes(_png_header_claiming(width=13_000, height=13_000))
    with (
        pytest.warns(Image.DecompressionBombWarning),
        pytest.raises(ProcessingError) as caught,
        open_document(path, kind="png") as document,
    ):
        render_page(document, 0)
    assert "too large" in caught.value.reason


def test_pdf_page_holding_a_huge_image_is_refused_without_decoding_it(tmp_path):
    pixels = zlib.compress(b"\xff" * 1000)
    path = tmp_path / "huge-image.pdf"
    path.write_bytes(
        b"%PDF-1.4\n"
        b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]"
        b"/Resources<</XObject<</Im1 4 0 R>>>>/Contents 5 0 R>>endobj\n"
        b"4 0 obj<</Type/XObject/Subtype/Image/Width 20000/Height 20000"
        b"/ColorSpace/DeviceRGB/BitsPerComponent 8/Filter/FlateDecode/Length "
        + str(len(pixels)).encode()
        + b">>stream\n"
        + pixels
        + b"\nendstream endobj\n"
        b"5 0 obj<</Length 31>>stream\nq 612 0 0 792 0 0 cm /Im1 Do Q\n"
        b"endstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    with (
        open_document(path, kind="pdf") as document,
        pytest.raises(ProcessingError) as caught,
    ):
        process_page(document, 0, dpi=DPI)
    assert "too large" in caught.value.reason


# --- images: TIFF, phone photos ---------------------------------------------------


def test_multi_page_tiff_is_paged_per_frame(sample):
    document = sample("two_pages.tif")
    first = process_page(document, 0, dpi=DPI)
    second = process_page(document, 1, dpi=DPI)
    assert (first.number, second.number) == (1, 2)
    assert "Homeland Security" in first.text
    assert "two supervisors were present" in second.text
    assert "Homeland" not in second.text


def test_phone_photo_is_turned_upright_by_its_exif_orientation(sample):
    document = sample("phone_photo.jpg")
    image = render_page(document, 0, dpi=DPI)
    assert image.width > image.height  # stored portrait, shown landscape

    result = process_page(document, 0, dpi=DPI)
    assert result.rotated == 0
    assert "reporting agent interviewed a detention" in result.text


# --- orientation and skew ---------------------------------------------------------


def test_orientation_detection_finds_sideways_and_upside_down_pages():
    with Image.open(SAMPLES / "sideways.png") as sideways:
        assert detect_rotation(sideways) == 90
        assert detect_rotation(sideways.rotate(-90, expand=True)) == 0
    with Image.open(SAMPLES / "upside_down.png") as upside_down:
        assert detect_rotation(upside_down) == 180


def test_orientation_detection_answers_0_for_a_page_without_text():
    assert detect_rotation(Image.new("L", (1275, 1650), 255)) == 0


@pytest.mark.parametrize(
    ("name", "rotated"), [("sideways.png", 90), ("upside_down.png", 180)]
)
def test_turned_scans_are_turned_upright_before_reading(sample, name, rotated):
    result = _process(sample, name)
    assert result.rotated == rotated
    assert result.width > result.height  # the half page is landscape upright
    assert result.text.startswith("U.S. Department of Homeland Security")
    assert result.confidence > 80


def test_skewed_scan_reads_as_well_as_the_straight_one(sample):
    # Tesseract copes with this skew by itself: 0.975 against 0.979 for the
    # straight scan; deskewing first gained three words in 740, so the pipeline
    # has no deskew step.
    result = _process(sample, "skew.pdf")
    assert _similarity(result.text, _linn_text()) >= LINN_SIMILARITY_FLOOR


# --- OCR quality ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["linn.pdf", "ccitt.pdf", "jbig2.pdf"])
def test_two_column_scan_reads_close_to_its_true_text(sample, name):
    result = _process(sample, name)
    assert result.source == "ocr"
    assert result.rotated == 0
    assert result.confidence > 85
    assert _similarity(result.text, _linn_text()) >= LINN_SIMILARITY_FLOOR
    assert result.text.startswith("The LinnSequencer\n32 Track MIDI Sequence")


def test_exemptions_are_found_on_a_scanned_page(sample):
    result = _process(sample, "scanned_memo.pdf")
    assert result.source == "ocr"
    assert result.exemptions == ["b6", "b7c"]


def test_labels_on_and_beside_redaction_boxes_are_read(sample):
    # Black box with a white label, black box with a label beside it, gray box
    # with a black label: all three come out.
    result = process_page(sample("redaction_styles.png"), 0, dpi=300)
    assert result.exemptions == ["b6", "b7c", "b5"]
    assert "Medical staff examined him at the clinic." in result.text


def test_ocr_word_boxes_are_fractions_of_the_page(sample):
    result = _process(sample, "scanned_memo.pdf")
    _assert_boxes_inside_the_page(result.words)
    homeland = next(word for word in result.words if word.text == "Homeland")
    # Drawn one inch from the left and one inch from the top of 8.5 x 11 inches.
    assert homeland.top == pytest.approx(1 / 11, abs=0.01)
    assert 1 / 8.5 < homeland.left < 0.5


def test_ocr_keeps_lines_and_paragraphs(sample):
    result = _process(sample, "scanned_memo.pdf")
    lines = result.text.split("\n")
    assert lines[0] == "U.S. Department of Homeland Security"
    assert "MEMORANDUM FOR: Field Office Director, Houston" in lines
    assert "\n\n" in result.text
    assert len(result.words) == len(result.text.split())


def test_ocr_result_reports_mean_word_confidence():
    with Image.open(SAMPLES / "upside_down.png") as scan:
        result = ocr_page(scan.rotate(180))
    confidences = [word.conf for word in result.words]
    mean = sum(confidences) / len(confidences)
    assert result.confidence == pytest.approx(mean, abs=0.01)
    assert os.environ["OMP_THREAD_LIMIT"]


def test_ocr_reads_in_several_languages():
    with Image.open(SAMPLES / "upside_down.png") as scan:
        result = ocr_page(scan.rotate(180), languages="eng+spa")
    assert "Homeland Security" in result.text


def test_ocr_of_a_blank_image_finds_nothing():
    result = ocr_page(Image.new("L", (400, 300), 255))
    assert result == type(result)("", None, [])


def test_malformed_language_list_is_refused():
    with pytest.raises(ValueError):
        ocr_page(Image.new("L", (10, 10), 255), languages="eng; rm -rf /")


def test_missing_language_fails_with_a_reason():
    with pytest.raises(ProcessingError) as caught:
        ocr_page(Image.new("L", (10, 10), 255), languages="zzz")
    assert caught.value.reason == "Text recognition failed on this page."
    assert "zzz" in caught.value.detail


# --- thumbnails -----------------------------------------------------------------


def test_thumbnail_is_a_small_jpeg():
    page = Image.new("L", (1275, 1650), 255)
    _assert_jpeg(make_thumbnail(page), width=200)
    _assert_jpeg(make_thumbnail(page, width=120), width=120)
    data = make_thumbnail(page.convert("1"))
    with Image.open(BytesIO(data)) as thumbnail:
        assert thumbnail.size == (200, 259)


def test_thumbnail_never_enlarges_a_small_image():
    _assert_jpeg(make_thumbnail(Image.new("RGB", (90, 60), "white")), width=90)
