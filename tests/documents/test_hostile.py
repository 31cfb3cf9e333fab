"""Every file of the hostile corpus (../shared/corpus/hostile, copied into
tests/samples and tests/documents/samples) ends in the state its ATTRIBUTION.md
describes, through the real intake and tasks: upload, open, pages, chunks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from tests.documents.conftest import EXTRA_SAMPLES, SAMPLES, sample

pytestmark = pytest.mark.django_db


def _words(text: str) -> set[str]:
    return {word for word in re.findall(r"[a-z]{3,}", text.lower())}


def _overlap(text: str, reference: str) -> float:
    expected = _words(reference)
    return len(expected & _words(text)) / len(expected)


def test_invalid_pdf_fails_with_a_reason_and_is_kept_for_a_retry(ingest_one, reporter):
    result = ingest_one(sample("invalid.pdf"))
    document = result.document
    assert result.state == "queued"  # taken: it says it is a PDF
    assert document.state == "failed"
    assert document.error_reason == "This file is damaged and can't be read as a PDF."
    assert "pdfium" in document.error_detail
    assert document.pages.count() == 0
    assert default_storage.exists(document.original.name)


@pytest.mark.parametrize("name", ["blank.pdf", "trivial.pdf", "no_contents.pdf"])
def test_empty_pages_are_one_page_without_text(ingest_one, name):
    document = ingest_one(sample(name)).document
    assert document.state == "done"
    assert (document.page_count, document.pages_done) == (1, 1)
    page = document.pages.get()
    assert (page.state, page.text, page.source, page.error) == ("done", "", "none", "")
    assert page.thumbnail


def test_enormous_page_is_rendered_within_the_pixel_budget(ingest_one, settings):
    settings.OCR_MAX_PIXELS = 4_000_000
    document = ingest_one(sample("enormous.pdf")).document
    page = document.pages.get()
    assert document.state == "done"
    assert page.state == "done"
    assert page.width * page.height <= 4_000_000
    assert page.source == "ocr"


@pytest.mark.parametrize("name", ["linn.pdf", "skew.pdf", "ccitt.pdf", "jbig2.pdf"])
def test_scans_of_the_linn_page_read_close_to_its_true_text(ingest_one, name):
    document = ingest_one(sample(name)).document
    page = document.pages.get()
    assert document.state == "done"
    assert page.source == "ocr"
    assert _overlap(page.text, sample("linn.txt").read_text()) > 0.8


def test_scanner_output_with_a_broken_table_is_processed(ingest_one):
    page = ingest_one(sample("kcs.pdf")).document.pages.get()
    assert page.state == "done"
    assert page.source == "ocr"
    assert "Capture" in page.text or "Test" in page.text


def test_a_2400_dpi_scan_is_downsampled_and_read(ingest_one):
    document = ingest_one(sample("2400dpi.pdf")).document
    page = document.pages.get()
    assert document.state == "done"
    assert page.source == "ocr"
    assert max(page.width, page.height) <= 4000
    assert len(page.text.split()) > 50


def test_a_book_page_with_odd_fonts_gets_best_effort_ocr(ingest_one):
    page = ingest_one(sample("c02-22.pdf")).document.pages.get()
    assert page.state == "done"
    assert len(page.text.split()) > 50


def test_every_page_of_a_mixed_document_is_processed(ingest_one, settings):
    settings.OCR_DPI = 100
    document = ingest_one(sample("multipage.pdf")).document
    assert document.state == "done"
    assert (document.page_count, document.pages_done) == (6, 6)
    assert set(document.pages.values_list("state", flat=True)) == {"done"}


def test_french_text_keeps_its_accents_when_french_is_selected(ingest_one):
    page = ingest_one(sample("francais.pdf"), languages="fra").document.pages.get()
    assert page.source == "ocr"
    assert re.search(r"[éèêàçù]", page.text)


def test_a_text_layer_without_a_unicode_map_is_ocrd_instead(ingest_one):
    page = ingest_one(sample("truetype_font_nomapping.pdf")).document.pages.get()
    assert page.source == "ocr"
    assert "Phone" in page.text


def test_text_drawn_as_curves_is_ocrd(ingest_one):
    page = ingest_one(sample("vector.pdf")).document.pages.get()
    assert page.source == "ocr"
    assert len(page.text.split()) >= 5


def test_a_pdf_encrypted_with_an_empty_password_is_processed(ingest_one):
    document = ingest_one(sample("encrypted_empty_user_password.pdf")).document
    assert document.state == "done"
    first = document.pages.order_by("number").first()
    assert first.source == "text"
    assert "Professional Responsibility" in first.text


def test_a_password_protected_pdf_fails_saying_so(ingest_one):
    document = ingest_one(sample("encrypted_user_password.pdf")).document
    assert document.state == "failed"
    assert "password-protected" in document.error_reason
    assert default_storage.exists(document.original.name)


def test_every_file_of_the_shared_hostile_corpus_has_a_tested_copy():
    corpus = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "hostile"
    if not corpus.is_dir():
        pytest.skip("the shared corpus is not next to this checkout")
    for original in corpus.iterdir():
        if original.suffix != ".pdf":
            continue
        copies = [folder / original.name for folder in (SAMPLES, EXTRA_SAMPLES)]
        copy = next((path for path in copies if path.exists()), None)
        assert copy is not None, f"{original.name} is not among the test samples"
        assert copy.read_bytes() == original.read_bytes()
