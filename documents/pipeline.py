"""The processing core for released documents: plain functions, no Django, no database.

The steps, in the order ``documents.tasks`` runs them (DESIGN.md, data flow step 4):

1. ``sniff(head)`` names the kind of file from its first bytes (``SNIFF_BYTES``):
   "pdf", "tiff", "png", "jpeg" or "zip", else None. File names and declared
   content types are never consulted; agencies and browsers get both wrong.
2. ``open_document(path, kind=...)`` opens it as a ``SourceDocument`` and counts its
   pages. A PDF encrypted with an empty user password (common for releases that
   only restrict printing or copying) opens like any other; one that needs a
   password, a damaged file or a ZIP archive raises ``ProcessingError``.
3. For each page, ``process_page(source, index, ...)`` returns a ``PageResult``:

   a. ``extract_text_layer`` keeps the page's own text when it is real text (see
      ``is_real_text``). Text drawn with a font that has no Unicode map comes out
      as junk; pages with text drawn as curves, or scans, have none. Either way
      the page goes to OCR. A page that is one big image with only a few words of
      text (a Bates number stamped on a scan) also goes to OCR, or its body would
      be lost.
   b. ``render_page`` renders it in grayscale at the requested dpi, lowered when
      the result would exceed ``max_pixels`` and raised when a small page (an ID
      card, a receipt) would come out too small to read.
   c. A page with no dark pixels at all is blank: empty text, source "none".
   d. Redaction boxes are cleared (black ones inverted, gray ones whitened) on a
      copy, so the exemption labels on and beside them can be read.
   e. ``ocr_page`` reads it with tesseract once. When the result looks misread
      (low confidence), ``detect_rotation`` asks tesseract's orientation
      detection whether the page lies sideways or upside down; if it does, the
      turned page is read again and the better reading wins. Orientation
      detection is not run on every page because it costs about a third of the
      reading itself, and upright pages are the rule.
   f. ``make_thumbnail`` shrinks the upright page; ``find_exemptions`` lists the
      exemption codes cited in the text.

Failures a reporter can act on raise ``ProcessingError(reason, detail)``: ``reason``
is a sentence for the reporter, ``detail`` the technical cause for an administrator.

Renderer: PDFium through pypdfium2, in process. Measured on the OCRmyPDF test
scans, grayscale, one page at a time (poppler's pdftoppm through pdf2image in
brackets): linn 92 ms at 150 dpi, 113 ms at 300 dpi (222, 361); ccitt 47 ms at 300
dpi (182); jbig2 34 ms (288); 2400dpi 61 ms (117); enormous, a 9000 x 9000 pixel
image on a 30-inch page, 1.5 s at 300 dpi (3.6 s). PDFium decodes an embedded image
in full whatever the output size (processing enormous.pdf peaks at about 510 MB
with the default budget), so pages whose images exceed ``SOURCE_PIXEL_LIMIT`` are
refused rather than rendered.

Skew: tesseract reads the OCRmyPDF skewed scan almost as well as the straight one
(word similarity to the true text 0.975 against 0.979 at 150 dpi). Turning it
straight first (1.7 degrees, found by projection profile) brought it to 0.979:
three words in 740, not worth a step on every page, so there is none.

PDFium is not thread-safe: use a ``SourceDocument`` from one thread at a time, and
run pages in parallel in separate processes, as the django-q2 workers do.
"""

from __future__ import annotations

import ctypes
import math
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Literal, NamedTuple

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytesseract
from PIL import (
    Image,
    ImageChops,
    ImageFilter,
    ImageOps,
    ImageStat,
    UnidentifiedImageError,
)

from documents.exemptions import find_exemptions

Kind = Literal["pdf", "tiff", "png", "jpeg", "zip"]
PageSource = Literal["text", "ocr", "none"]

SNIFF_BYTES = 1024
DEFAULT_DPI = 300
# 40 million pixels is a letter page at 600 dpi, or a 20 x 22 inch page at 300
# dpi: enough for any page meant to be read, and 40 MB as an 8-bit image.
DEFAULT_MAX_PIXELS = 40_000_000
# The largest source image decoded at all, embedded in a PDF or uploaded as an
# image: an E-size drawing (36 x 48 in) scanned at 300 dpi is 155 million pixels.
# Decoding one costs up to 480 MB in RGB, which a worker can afford; more cannot.
SOURCE_PIXEL_LIMIT = 160_000_000
# Tesseract wants capital letters at least 20 pixels tall. A small page rendered
# at the requested dpi can fall short (a 2 x 1.5 inch clipping at 150 dpi is 300
# pixels wide), so the long side is brought up to this many pixels.
MIN_LONG_SIDE = 1000
OCR_TIMEOUT_SECONDS = 300
THUMBNAIL_WIDTH = 200
THUMBNAIL_CONTENT_TYPE = "image/jpeg"

# Text-layer quality thresholds; see is_real_text.
MIN_ALNUM = 20
MAX_JUNK_SHARE = 0.05
MIN_ALNUM_SHARE = 0.5
MIN_PLAUSIBLE_WORD_SHARE = 0.6
MIN_VOWEL_SHARE = 0.25
VOWEL_SHARE_SAMPLE = 50
# A page this much covered by images whose text layer has fewer alphanumerics
# than this is treated as a scan with a stamp on it, and OCR'd.
IMAGE_PAGE_COVERAGE = 0.5
STAMP_ALNUM = 200

# Below this mean word confidence a reading may come from a page lying on its
# side, and orientation detection is worth its cost (0.6-1.2 s a page, about a
# third of reading the page, measured on letter pages at 100-300 dpi). Upright
# pages read at 80-96; sideways and upside-down ones at about 30.
ORIENTATION_CHECK_BELOW = 65.0
# Tesseract's orientation confidence for a turned page; the re-read is kept only
# when it beats the first, so a low bar costs time, never accuracy.
MIN_ORIENTATION_CONFIDENCE = 2.0

_LANGUAGES = re.compile(r"^[A-Za-z_]+(?:\+[A-Za-z_]+)*$")
_WORD = re.compile(r"\S+")
_LETTER_RUN = re.compile(r"[^\W\d_]+")
_VOWELS = frozenset("aeiouy")
_CAMEL_CASE = re.compile(r"^[A-Z]?[a-z]+(?:[A-Z][a-z]+)*$")


class ProcessingError(Exception):
    """A file or page that can't be processed, with a reason a reporter can act on.

    ``reason`` is one sentence for the person who uploaded the file; ``detail`` is
    the technical cause, for administrators and logs.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.reason} ({self.detail})" if self.detail else self.reason


class Word(NamedTuple):
    """A word and its box, as fractions (0..1) of the upright page's width and height.

    Fractions map the box onto any rendering of the page, whatever its size.
    ``conf`` is tesseract's confidence (0-100), or None for a text-layer word.
    """

    text: str
    left: float
    top: float
    width: float
    height: float
    conf: float | None


@dataclass(frozen=True)
class OcrResult:
    text: str
    confidence: float | None  # mean word confidence, 0-100; None with no words
    words: list[Word]


@dataclass(frozen=True)
class PageResult:
    """One processed page.

    ``width`` and ``height`` are the pixel size of the page at the dpi used, turned
    upright; word boxes are fractions of it. ``rotated`` is how many degrees the
    rendering was turned clockwise to read it (0, 90, 180 or 270).
    """

    number: int
    text: str
    source: PageSource
    confidence: float | None
    words: list[Word]
    width: int
    height: int
    thumbnail: bytes
    exemptions: list[str]
    rotated: int


# --- 1. sniff -----------------------------------------------------------------


def sniff(head: bytes) -> Kind | None:
    """The kind of file whose first bytes are ``head`` (read ``SNIFF_BYTES``)."""
    # Fixed-offset signatures first: a ZIP or an image may carry "%PDF-" inside.
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")):
        return "tiff"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    # PDF readers accept the header anywhere in the first 1024 bytes, and scanners
    # and mail gateways do put junk in front of it.
    if b"%PDF-" in head[:SNIFF_BYTES]:
        return "pdf"
    return None


# --- 2. open ------------------------------------------------------------------


class SourceDocument:
    """An opened file whose pages can be read. Close it, or use it as a context
    manager: a PDF stays open until then."""

    kind: Kind
    page_count: int

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> SourceDocument:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _PdfSource(SourceDocument):
    def __init__(self, pdf: pdfium.PdfDocument) -> None:
        self.kind = "pdf"
        self.pdf = pdf
        self.page_count = len(pdf)

    def close(self) -> None:
        self.pdf.close()

    @contextmanager
    def page(self, index: int) -> Iterator[pdfium.PdfPage]:
        _check_index(self, index)
        try:
            page = self.pdf[index]
        except pdfium.PdfiumError as error:
            raise ProcessingError(
                f"Page {index + 1} of this PDF is damaged and can't be read.",
                f"pdfium: {error}",
            ) from error
        try:
            yield page
        finally:
            page.close()


class _ImageSource(SourceDocument):
    def __init__(self, path: Path, *, kind: Kind, page_count: int) -> None:
        self.kind = kind
        self.path = path
        self.page_count = page_count

    def close(self) -> None:
        # Pages open the file afresh: decoding at a reduced size (JPEG drafts)
        # changes a Pillow image for good, so one page must not shape the next.
        pass


def open_document(path: str | os.PathLike[str], *, kind: str | None) -> SourceDocument:
    """Open the file at ``path`` as ``kind``, the value ``sniff`` returned for it."""
    if kind == "pdf":
        return _open_pdf(Path(path))
    if kind in ("tiff", "png", "jpeg"):
        return _open_image(Path(path), kind=kind)
    if kind == "zip":
        raise ProcessingError(
            "This is a ZIP archive, not a document; unpack it and upload the files "
            "inside.",
            "zip archive",
        )
    raise ProcessingError(
        "This kind of file can't be processed; upload a PDF, TIFF, PNG or JPEG.",
        f"unrecognised file kind {kind!r}",
    )


def _open_pdf(path: Path) -> SourceDocument:
    try:
        # No password: PDFium then tries the empty user password by itself.
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as error:
        code = getattr(error, "err_code", None)
        detail = f"pdfium error {code}: {error}"
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise ProcessingError(
                "This PDF is password-protected; ask the agency for an unprotected "
                "copy.",
                detail,
            ) from error
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise ProcessingError(
                "This PDF uses a kind of protection that can't be opened; ask the "
                "agency for an unprotected copy.",
                detail,
            ) from error
        if code == pdfium_c.FPDF_ERR_FILE:
            raise ProcessingError(
                "The stored copy of this file can't be opened; an administrator "
                "needs to look at it.",
                detail,
            ) from error
        raise ProcessingError(
            "This file is damaged and can't be read as a PDF.", detail
        ) from error
    return _PdfSource(pdf)


def _open_image(path: Path, *, kind: Kind) -> SourceDocument:
    # Pillow's guard against decompression bombs is process-wide. Set to the same
    # limit the pipeline enforces (the assignment is idempotent), so Pillow warns
    # at this size and refuses at twice it.
    Image.MAX_IMAGE_PIXELS = SOURCE_PIXEL_LIMIT
    try:
        with Image.open(path) as image:
            # Only TIFF pages are pages; the frames of an animated PNG are not.
            page_count = getattr(image, "n_frames", 1) if kind == "tiff" else 1
    except Image.DecompressionBombError as error:
        raise ProcessingError(_TOO_LARGE_IMAGE, str(error)) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ProcessingError(
            "This file is damaged and can't be read as an image.",
            f"{type(error).__name__}: {error}",
        ) from error
    return _ImageSource(path, kind=kind, page_count=page_count)


_TOO_LARGE_IMAGE = (
    "This image is too large to process; ask for a copy scanned at 300 to 600 dpi."
)


def _check_index(document: SourceDocument, index: int) -> None:
    if not 0 <= index < document.page_count:
        raise IndexError(f"page index {index} out of range 0..{document.page_count}")


# --- 3a. text layer -------------------------------------------------------------


class _TextLayer(NamedTuple):
    text: str
    words: list[Word]


def extract_text_layer(document: SourceDocument, index: int) -> str | None:
    """The page's own text, or None when it has none worth keeping."""
    layer = _read_text_layer(document, index)
    return layer.text if layer else None


def is_real_text(text: str) -> bool:
    """Whether ``text`` extracted from a page reads as text rather than junk.

    Junk comes from fonts without a Unicode map (glyph numbers come out as
    control, private-use or replacement characters, or as shifted ASCII such as
    ``"7+%-`` for "Phone") and from pages whose only text is a stray mark. Real
    text, in any script, passes all of:

    - at least ``MIN_ALNUM`` letters and digits (fewer is a stamp or page number,
      which OCR reads as well);
    - at most ``MAX_JUNK_SHARE`` of its visible characters are U+FFFD, private-use,
      control, surrogate or unassigned;
    - at least ``MIN_ALNUM_SHARE`` of its visible characters are letters or digits
      (punctuation soup is not text);
    - at least ``MIN_PLAUSIBLE_WORD_SHARE`` of its words of two or more letters
      look like words: a Latin-script word has a vowel (or is an all-capital
      acronym of up to five letters) and is lowercase, Capitalised, UPPERCASE or
      CamelCase. Words in other scripts are not judged;
    - when it has ``VOWEL_SHARE_SAMPLE`` or more lowercase Latin letters, at least
      ``MIN_VOWEL_SHARE`` of them are a, e, i, o or u. Prose in English, Spanish and
      French runs at 0.35-0.50; text from a font whose letters are shifted
      ("Wkh txlfn eurzq ira" for "The quick brown fox") at about 0.2.
    """
    visible = [char for char in text if not char.isspace()]
    if not visible:
        return False
    junk = sum(1 for char in visible if _is_junk_char(char))
    if junk > MAX_JUNK_SHARE * len(visible):
        return False
    alnum = sum(1 for char in visible if char.isalnum())
    if alnum < MIN_ALNUM or alnum < MIN_ALNUM_SHARE * len(visible):
        return False
    lowercase = [
        char for char in unicodedata.normalize("NFD", text) if "a" <= char <= "z"
    ]
    if len(lowercase) >= VOWEL_SHARE_SAMPLE:
        vowels = sum(1 for char in lowercase if char in "aeiou")
        if vowels < MIN_VOWEL_SHARE * len(lowercase):
            return False
    words = [word for word in _LETTER_RUN.findall(text) if len(word) >= 2]
    if not words:
        return True  # figures only: a table of numbers is still real text
    plausible = sum(1 for word in words if _is_plausible_word(word))
    return plausible >= MIN_PLAUSIBLE_WORD_SHARE * len(words)


def _is_junk_char(char: str) -> bool:
    return char == "\ufffd" or unicodedata.category(char) in ("Co", "Cc", "Cs", "Cn")


def _is_plausible_word(word: str) -> bool:
    bare = word
    if not word.isascii():
        bare = "".join(
            char
            for char in unicodedata.normalize("NFD", word)
            if not unicodedata.combining(char)
        )
        if not bare.isascii():
            return True  # another script; vowels and case rules don't apply
    if word.isupper():
        return len(word) <= 5 or not _VOWELS.isdisjoint(bare.lower())
    if not (word.islower() or _CAMEL_CASE.match(bare)):
        return False
    return not _VOWELS.isdisjoint(bare.lower())


def _read_text_layer(document: SourceDocument, index: int) -> _TextLayer | None:
    if not isinstance(document, _PdfSource):
        _check_index(document, index)
        return None
    with document.page(index) as page:
        textpage = page.get_textpage()
        try:
            count = textpage.count_chars()
            if count <= 0:
                return None
            raw = textpage.get_text_range(0, count)
            # Judged before tidying, which drops control characters: they are one
            # of the signs of junk.
            if not is_real_text(raw):
                return None
            text = _tidy_text(raw)
            alnum = sum(1 for char in text if char.isalnum())
            if alnum < STAMP_ALNUM and _image_coverage(page) >= IMAGE_PAGE_COVERAGE:
                return None
            # Boxes need one character of text per PDFium character; characters
            # outside the Basic Multilingual Plane break that, and then the page
            # keeps its text without boxes.
            words = _text_layer_words(page, textpage, raw) if len(raw) == count else []
            return _TextLayer(text, words)
        finally:
            textpage.close()


def _tidy_text(raw: str) -> str:
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    # PDFium marks soft hyphens and some generated characters with control codes.
    text = "".join(
        char
        for char in text
        if char in "\n\t" or unicodedata.category(char) not in ("Cc", "Cs")
    )
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def _image_coverage(page: pdfium.PdfPage) -> float:
    left, bottom, right, top = page.get_bbox()
    page_area = (right - left) * (top - bottom)
    if page_area <= 0:
        return 0.0
    covered = 0.0
    for image in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=4):
        x0, y0, x1, y1 = image.get_bounds()
        width = min(x1, right) - max(x0, left)
        height = min(y1, top) - max(y0, bottom)
        if width > 0 and height > 0:
            covered += width * height
    return min(1.0, covered / page_area)


def _text_layer_words(
    page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, raw: str
) -> list[Word]:
    left, bottom, right, top = page.get_bbox()
    page_width, page_height = right - left, top - bottom
    rotation = page.get_rotation() % 360
    rect_left, rect_top, rect_right, rect_bottom = (ctypes.c_double() for _ in range(4))
    rect_pointers = [
        ctypes.byref(value) for value in (rect_left, rect_top, rect_right, rect_bottom)
    ]
    count_rects, get_rect = pdfium_c.FPDFText_CountRects, pdfium_c.FPDFText_GetRect
    words = []
    for match in _WORD.finditer(raw):
        word_text = match.group()
        if not word_text.isprintable():
            word_text = _tidy_text(word_text)
            if not word_text:
                continue
        rect_count = count_rects(
            textpage.raw, match.start(), match.end() - match.start()
        )
        if rect_count <= 0:
            continue
        # A word is one rectangle unless it wraps or changes size or baseline.
        u0 = v0 = math.inf
        u1 = v1 = -math.inf
        for rect_index in range(rect_count):
            get_rect(textpage.raw, rect_index, *rect_pointers)
            u0, u1 = min(u0, rect_left.value), max(u1, rect_right.value)
            v0, v1 = min(v0, -rect_top.value), max(v1, -rect_bottom.value)
        box = (
            (u0 - left) / page_width,
            (top + v0) / page_height,
            (u1 - left) / page_width,
            (top + v1) / page_height,
        )
        words.append(_word(word_text, *_turn_box(*box, rotation), None))
    return words


def _turn_box(
    u0: float, v0: float, u1: float, v1: float, rotation: int
) -> tuple[float, float, float, float]:
    """A box in the unrotated page, as it lies on the page shown turned clockwise
    by ``rotation`` degrees (the page's /Rotate, which renderers apply)."""
    if rotation == 90:
        return 1 - v1, u0, 1 - v0, u1
    if rotation == 180:
        return 1 - u1, 1 - v1, 1 - u0, 1 - v0
    if rotation == 270:
        return v0, 1 - u1, v1, 1 - u0
    return u0, v0, u1, v1


def _word(
    text: str, x0: float, y0: float, x1: float, y1: float, conf: float | None
) -> Word:
    # Edges are rounded, not sizes, so a box never pokes past the page by rounding.
    x0 = round(min(1.0, max(0.0, x0)), 5)
    y0 = round(min(1.0, max(0.0, y0)), 5)
    x1 = round(min(1.0, max(0.0, x1)), 5)
    y1 = round(min(1.0, max(0.0, y1)), 5)
    width = round(max(0.0, x1 - x0), 5)
    height = round(max(0.0, y1 - y0), 5)
    return Word(text, x0, y0, width, height, conf)


# --- 3b. render -----------------------------------------------------------------


def render_page(
    document: SourceDocument,
    index: int,
    *,
    dpi: int = DEFAULT_DPI,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> Image.Image:
    """The page as an 8-bit grayscale image of at most ``max_pixels`` pixels.

    PDF pages render at ``dpi``, lowered to fit ``max_pixels`` and raised for
    small pages so the long side reaches ``MIN_LONG_SIDE`` pixels. Image pages keep
    their own resolution, brought down to ``dpi`` when they state a finer one, and
    are turned upright by their EXIF orientation (phone photos). The dpi the
    image ends up at is in ``image.info["dpi"]`` when known.
    """
    if dpi <= 0:
        raise ValueError("dpi must be positive")
    if max_pixels < 10_000:
        raise ValueError("max_pixels must allow a legible page (10,000 or more)")
    if isinstance(document, _PdfSource):
        return _render_pdf_page(document, index, dpi=dpi, max_pixels=max_pixels)
    if isinstance(document, _ImageSource):
        return _render_image_page(document, index, dpi=dpi, max_pixels=max_pixels)
    raise TypeError(f"not an opened document: {document!r}")


def _fit_scale(*, width: float, height: float, scale: float, max_pixels: int) -> float:
    """``scale`` adjusted so a ``width`` x ``height`` source comes out legible and
    within ``max_pixels`` (sizes rounded up, as PDFium does)."""
    long_side = max(width, height)
    scale = max(scale, MIN_LONG_SIDE / long_side)
    if math.ceil(width * scale) * math.ceil(height * scale) > max_pixels:
        scale = math.sqrt(max_pixels / (width * height))
        while math.ceil(width * scale) * math.ceil(height * scale) > max_pixels:
            scale *= 0.999
    return scale


def _render_pdf_page(
    document: _PdfSource, index: int, *, dpi: int, max_pixels: int
) -> Image.Image:
    with document.page(index) as page:
        width, height = page.get_size()
        scale = _fit_scale(
            width=width, height=height, scale=dpi / 72, max_pixels=max_pixels
        )
        image = _render_pdf_at(page, index=index, scale=scale)
    image.info["dpi"] = (scale * 72, scale * 72)
    return image


def _render_pdf_at(page: pdfium.PdfPage, *, index: int, scale: float) -> Image.Image:
    width, height = page.get_size()
    if width <= 0 or height <= 0:
        raise ProcessingError(
            f"Page {index + 1} of this PDF is damaged and can't be read.",
            f"page size {width} x {height} pt",
        )
    for embedded in page.get_objects(
        filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=4
    ):
        pixels_wide, pixels_high = embedded.get_px_size()
        if pixels_wide * pixels_high > SOURCE_PIXEL_LIMIT:
            raise ProcessingError(
                f"Page {index + 1} holds an image too large to process safely.",
                f"embedded image {pixels_wide} x {pixels_high} px exceeds "
                f"{SOURCE_PIXEL_LIMIT} px",
            )
    bitmap = page.render(scale=scale, grayscale=True, may_draw_forms=False)
    try:
        # to_pil shares PDFium's buffer; copy so the image outlives the bitmap.
        return bitmap.to_pil().copy()
    finally:
        bitmap.close()


def _render_image_page(
    document: _ImageSource, index: int, *, dpi: int, max_pixels: int
) -> Image.Image:
    _check_index(document, index)
    try:
        with Image.open(document.path) as source:
            source.seek(index)
            width, height = source.size
            if width * height > SOURCE_PIXEL_LIMIT:
                raise ProcessingError(
                    _TOO_LARGE_IMAGE, f"page {index + 1}: {width} x {height} px"
                )
            stated = source.info.get("dpi")
            stated_dpi = float(stated[0]) if stated and stated[0] else None
            # Scans stating a resolution finer than asked for come down to it;
            # photos and images of unknown resolution keep every pixel they have.
            scale = dpi / stated_dpi if stated_dpi and stated_dpi > dpi else 1.0
            scale = _fit_scale(
                width=width, height=height, scale=scale, max_pixels=max_pixels
            )
            if scale < 1 and source.format == "JPEG":
                # JPEG decodes at 1/2, 1/4 or 1/8 size for little more than the
                # cost of reading the file.
                size = (math.ceil(width * scale), math.ceil(height * scale))
                source.draft("L", size)
            swaps = _swaps(source)
            image = ImageOps.exif_transpose(source.convert("L"))
    except ProcessingError:
        raise
    except Image.DecompressionBombError as error:
        raise ProcessingError(_TOO_LARGE_IMAGE, str(error)) from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ProcessingError(
            f"Page {index + 1} of this image is damaged and can't be read.",
            f"{type(error).__name__}: {error}",
        ) from error
    # The draft may already have shrunk it; resize from where it actually is.
    scale_left = scale * max(width, height) / max(image.size)
    if abs(scale_left - 1) > 0.01:
        size = (
            max(1, math.floor(image.width * scale_left)),
            max(1, math.floor(image.height * scale_left)),
        )
        image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    image.info.pop("dpi", None)
    if stated_dpi:
        effective = stated_dpi * image.width / (height if swaps else width)
        image.info["dpi"] = (effective, effective)
    return image


def _swaps(image: Image.Image) -> bool:
    # EXIF orientations 5-8 turn the picture a quarter, swapping width and height.
    return image.getexif().get(0x0112, 1) in (5, 6, 7, 8)


# --- 3c-d. OCR -----------------------------------------------------------------


def ocr_page(image: Image.Image, *, languages: str = "eng") -> OcrResult:
    """Read ``image`` with tesseract in ``languages`` ("eng", "eng+spa", ...).

    One run of ``image_to_data``: the text is rebuilt from its word rows, a line
    break between lines and a blank line between paragraphs and blocks. Word boxes
    are fractions of the image size.
    """
    if not _LANGUAGES.match(languages):
        raise ValueError(f"not a tesseract language list: {languages!r}")
    with _tesseract_input(image) as path:
        try:
            data = pytesseract.image_to_data(
                path,
                lang=languages,
                output_type=pytesseract.Output.DICT,
                timeout=OCR_TIMEOUT_SECONDS,
            )
        except pytesseract.TesseractError as error:
            raise ProcessingError(
                "Text recognition failed on this page.", f"tesseract: {error}"
            ) from error
        except pytesseract.TesseractNotFoundError as error:
            raise ProcessingError(
                "Text recognition isn't available on this server right now.",
                str(error),
            ) from error
        except RuntimeError as error:  # pytesseract's timeout
            raise ProcessingError(
                "Reading this page took too long; it may be a very dense scan.",
                f"tesseract: {error} after {OCR_TIMEOUT_SECONDS} s",
            ) from error
    return _ocr_result(data, width=image.width, height=image.height)


def _ocr_result(data: dict[str, list], *, width: int, height: int) -> OcrResult:
    words: list[Word] = []
    parts: list[str] = []
    previous: tuple[int, int, int] | None = None
    for position, raw_text in enumerate(data.get("text", [])):
        text = str(raw_text).strip()
        conf = float(data["conf"][position])
        if int(data["level"][position]) != 5 or not text or conf < 0:
            continue
        line = (
            int(data["block_num"][position]),
            int(data["par_num"][position]),
            int(data["line_num"][position]),
        )
        if previous is None:
            pass
        elif line[:2] != previous[:2]:
            parts.append("\n\n")
        elif line != previous:
            parts.append("\n")
        else:
            parts.append(" ")
        parts.append(text)
        previous = line
        left, top = int(data["left"][position]), int(data["top"][position])
        right = left + int(data["width"][position])
        bottom = top + int(data["height"][position])
        words.append(
            _word(
                text, left / width, top / height, right / width, bottom / height, conf
            )
        )
    confidence = (
        round(sum(word.conf or 0.0 for word in words) / len(words), 2)
        if words
        else None
    )
    return OcrResult("".join(parts), confidence, words)


def detect_rotation(image: Image.Image) -> int:
    """Clockwise degrees (0, 90, 180 or 270) that turn ``image`` upright.

    Uses tesseract's orientation detection, which fails on pages with too little
    text; then, and whenever it is unsure, the answer is 0.
    """
    with _tesseract_input(image) as path:
        try:
            osd = pytesseract.image_to_osd(
                path,
                output_type=pytesseract.Output.DICT,
                timeout=OCR_TIMEOUT_SECONDS,
            )
        except (pytesseract.TesseractError, RuntimeError, OSError):
            return 0
    try:
        rotate = int(osd.get("rotate", 0)) % 360
        confidence = float(osd.get("orientation_conf", 0))
    except (TypeError, ValueError):
        return 0
    if rotate not in (90, 180, 270) or confidence < MIN_ORIENTATION_CONFIDENCE:
        return 0
    return rotate


@contextmanager
def _tesseract_input(image: Image.Image) -> Iterator[str]:
    """The path of a file holding ``image`` for tesseract to read."""
    # Tesseract's OpenMP threads fight the one-page-per-core parallelism of the
    # workers and make the whole slower. pytesseract hands tesseract this process's
    # environment and has no way to pass another, so the limit goes in
    # os.environ; setdefault keeps a value an operator chose.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    gray = image if image.mode in ("1", "L") else image.convert("L")
    # No --dpi: telling tesseract the true resolution changed nothing on the test
    # scans except to lose a word on the 2400 dpi one.
    with tempfile.TemporaryDirectory(prefix="foia-ocr-") as folder:
        if _is_bilevel(gray):
            # Tesseract binarises anyway; handing it a page that is already black
            # and white skips its own thresholding pass (about 15% of its CPU on
            # scans) and reads the same words.
            path = Path(folder) / "page.pbm"
            cut = _otsu_threshold(gray)
            gray.point(lambda value: 255 if value > cut else 0).convert("1").save(
                path, format="PPM"
            )
        else:
            # PGM rather than pytesseract's default PNG: no compression, so
            # writing a 300 dpi page takes 2 ms instead of 150.
            path = Path(folder) / "page.pgm"
            gray.save(path, format="PPM")
        yield str(path)


def _otsu_threshold(gray: Image.Image) -> int:
    """The grey level that best separates ink from paper (Otsu's method)."""
    histogram = gray.histogram()
    total = sum(histogram)
    weighted_total = sum(level * count for level, count in enumerate(histogram))
    background = weighted_background = 0.0
    best_level, best_spread = 127, -1.0
    for level, count in enumerate(histogram):
        background += count
        if background == 0:
            continue
        foreground = total - background
        if foreground == 0:
            break
        weighted_background += level * count
        mean_background = weighted_background / background
        mean_foreground = (weighted_total - weighted_background) / foreground
        spread = background * foreground * (mean_background - mean_foreground) ** 2
        if spread > best_spread:
            best_level, best_spread = level, spread
    return best_level


def _is_bilevel(gray: Image.Image) -> bool:
    """At least 98% of the pixels are near black or near white."""
    if gray.mode == "1":
        return True
    histogram = gray.histogram()
    extremes = sum(histogram[:32]) + sum(histogram[224:])
    return extremes >= 0.98 * sum(histogram)


def _confident_words(result: OcrResult) -> float:
    return sum(word.conf or 0.0 for word in result.words) / 100


# --- redaction boxes ------------------------------------------------------------


def _clear_redaction_boxes(image: Image.Image, *, dpi: float) -> Image.Image:
    """``image`` with the fill of its redaction boxes cleared, labels kept.

    Tesseract reads a line holding a redaction box as one smudge: "(b)(6)" beside
    a black box came out as "EEE 15).", white "(b)(6)" inside one as "YC)", and a
    gray box with a black label vanished. A black box is inverted, so its inside
    turns white and a label printed in it black; a gray box has its fill turned
    white, leaving the darker label. Boxes are found on a 50 dpi copy, where body
    text fades to light gray and thin lines are opened away, and then confirmed at
    full size by an even fill with straight edges all round.
    """
    factor = max(1, round(dpi / 50))
    small = image.reduce(factor) if factor > 1 else image
    filled = (
        small.point(lambda value: 0 if value < 215 else 255)
        .filter(ImageFilter.MaxFilter(3))
        .filter(ImageFilter.MinFilter(3))
    )
    if filled.getextrema()[0] == 255:
        return image
    result = image
    for x0, y0, x1, y1 in _dark_rectangles(filled):
        box = _trim_box(
            image,
            (
                max(0, (x0 - 1) * factor),
                max(0, (y0 - 1) * factor),
                min(image.width, (x1 + 1) * factor),
                min(image.height, (y1 + 1) * factor),
            ),
        )
        fill = _box_fill(image, box, dpi=dpi) if box else None
        if box is None or fill is None:
            continue
        inside = image.crop(box)
        if fill < 100:
            cleared = ImageChops.invert(inside)
        else:
            # Anything clearly darker than the fill is the label; the rest goes.
            cut = fill - 40
            cleared = inside.point([255 if v >= cut else v for v in range(256)])
        if result is image:
            result = image.copy()
        result.paste(cleared, box[:2])
    return result


def _dark_rectangles(mask: Image.Image) -> list[tuple[int, int, int, int]]:
    """Bounding boxes of the black areas of ``mask``: bands of rows, split into
    columns, each trimmed to its rows again (enough for axis-aligned boxes)."""
    rectangles = []
    for y0, y1 in _runs(_darkness_by_row(mask), above=0):
        band = mask.crop((0, y0, mask.width, y1))
        for x0, x1 in _runs(_darkness_by_column(band), above=0):
            cell = mask.crop((x0, y0, x1, y1))
            for top, bottom in _runs(_darkness_by_row(cell), above=0):
                rectangles.append((x0, y0 + top, x1, y0 + bottom))
    return rectangles


def _trim_box(
    image: Image.Image, box: tuple[int, int, int, int]
) -> tuple[int, int, int, int] | None:
    """``box`` cut down to its rows and columns darker than half its darkest."""
    region = image.crop(box)
    by_row, by_column = _darkness_by_row(region), _darkness_by_column(region)
    rows = _runs(by_row, above=max(by_row, default=0) // 2)
    columns = _runs(by_column, above=max(by_column, default=0) // 2)
    if not rows or not columns:
        return None
    return (
        box[0] + columns[0][0],
        box[1] + rows[0][0],
        box[0] + columns[-1][1],
        box[1] + rows[-1][1],
    )


def _box_fill(
    image: Image.Image, box: tuple[int, int, int, int], *, dpi: float
) -> int | None:
    """The gray level a redaction box at ``box`` is filled with, or None when the
    area is not one: too small, mostly white, or without even, straight edges
    (a dark patch of a photo, a line of bold text), or a gray background covering
    most of the page."""
    x0, y0, x1, y1 = box
    if y1 - y0 < 0.08 * dpi or x1 - x0 < 0.25 * dpi:
        return None
    fill = int(ImageStat.Stat(image.crop(box)).median[0])
    if fill > 200:
        return None  # white or paper-toned
    if fill >= 100 and (x1 - x0) * (y1 - y0) > 0.5 * image.width * image.height:
        return None  # a gray page background, not a box on the page
    # Edges are sampled a little inside the box, clear of anti-aliasing.
    inset = max(1, round(dpi / 75))
    if x1 - x0 <= 4 * inset or y1 - y0 <= 4 * inset:
        return None
    x0, y0, x1, y1 = x0 + inset, y0 + inset, x1 - inset, y1 - inset
    edges = (
        (x0, y0, x1, y0 + 1),
        (x0, y1 - 1, x1, y1),
        (x0, y0, x0 + 1, y1),
        (x1 - 1, y0, x1, y1),
    )
    for edge in edges:
        stat = ImageStat.Stat(image.crop(edge))
        if abs(stat.mean[0] - fill) > 35 or stat.stddev[0] > 35:
            return None
    return fill


def _darkness_by_row(image: Image.Image) -> bytes:
    return (
        ImageChops.invert(image)
        .resize((1, image.height), Image.Resampling.BOX)
        .tobytes()
    )


def _darkness_by_column(image: Image.Image) -> bytes:
    return (
        ImageChops.invert(image)
        .resize((image.width, 1), Image.Resampling.BOX)
        .tobytes()
    )


def _runs(values: bytes, *, above: int) -> list[tuple[int, int]]:
    """Start and end of each run of values greater than ``above``."""
    runs = []
    start = None
    for position, value in enumerate(values):
        if value > above and start is None:
            start = position
        elif value <= above and start is not None:
            runs.append((start, position))
            start = None
    if start is not None:
        runs.append((start, len(values)))
    return runs


# --- 3e. thumbnail --------------------------------------------------------------


def make_thumbnail(image: Image.Image, *, width: int = THUMBNAIL_WIDTH) -> bytes:
    """JPEG bytes of ``image`` scaled to ``width`` pixels wide (never enlarged)."""
    mode = "RGB" if image.mode in ("RGB", "RGBA", "P", "CMYK") else "L"
    picture = image.convert(mode)
    if picture.width > width:
        height = max(1, round(picture.height * width / picture.width))
        picture = picture.resize(
            (width, height), Image.Resampling.LANCZOS, reducing_gap=3.0
        )
    out = BytesIO()
    picture.save(out, format="JPEG", quality=80, optimize=True)
    return out.getvalue()


# --- the whole page -------------------------------------------------------------


def process_page(
    source: SourceDocument,
    index: int,
    *,
    dpi: int = DEFAULT_DPI,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    languages: str = "eng",
) -> PageResult:
    """Everything stored for page ``index`` (0-based) of ``source``."""
    layer = _read_text_layer(source, index)
    if layer is not None:
        return _text_page(source, index, layer, dpi=dpi, max_pixels=max_pixels)

    image = render_page(source, index, dpi=dpi, max_pixels=max_pixels)
    if image.getextrema()[0] >= 160:
        # Not one dark pixel: a blank page, nothing for tesseract to find.
        return PageResult(
            number=index + 1,
            text="",
            source="none",
            confidence=None,
            words=[],
            width=image.width,
            height=image.height,
            thumbnail=make_thumbnail(image),
            exemptions=[],
            rotated=0,
        )

    rotated, upright, result = _read_upright(image, languages=languages)
    return PageResult(
        number=index + 1,
        text=result.text,
        source="ocr" if result.text else "none",
        confidence=result.confidence,
        words=result.words,
        width=upright.width,
        height=upright.height,
        thumbnail=make_thumbnail(upright),
        exemptions=find_exemptions(result.text),
        rotated=rotated,
    )


def _read_upright(
    image: Image.Image, *, languages: str
) -> tuple[int, Image.Image, OcrResult]:
    """OCR ``image``, turning it first if the reading suggests it lies on its side.

    Returns the clockwise turn applied, the upright image and its reading.
    """
    result = ocr_page(_prepared_for_ocr(image), languages=languages)
    if (
        result.confidence is None
        or result.confidence >= ORIENTATION_CHECK_BELOW
        or len(result.words) < 3
    ):
        return 0, image, result
    rotation = detect_rotation(image)
    if not rotation:
        return 0, image, result
    # PIL turns counter-clockwise.
    turned = image.rotate(-rotation, expand=True)
    if "dpi" in image.info:
        turned.info["dpi"] = image.info["dpi"]
    second = ocr_page(_prepared_for_ocr(turned), languages=languages)
    if _confident_words(second) > _confident_words(result):
        return rotation, turned, second
    return 0, image, result


def _prepared_for_ocr(image: Image.Image) -> Image.Image:
    dpi = image.info.get("dpi")
    # Without a stated dpi, assume the page is about 11 inches on its long side.
    estimate = float(dpi[0]) if dpi and dpi[0] else max(image.size) / 11
    return _clear_redaction_boxes(image, dpi=estimate)


def _text_page(
    source: SourceDocument,
    index: int,
    layer: _TextLayer,
    *,
    dpi: int,
    max_pixels: int,
) -> PageResult:
    if not isinstance(source, _PdfSource):
        raise TypeError("only PDF pages have text layers")
    with source.page(index) as page:
        width, height = page.get_size()
        scale = _fit_scale(
            width=width, height=height, scale=dpi / 72, max_pixels=max_pixels
        )
        thumbnail_scale = min(scale, THUMBNAIL_WIDTH / width)
        preview = _render_pdf_at(page, index=index, scale=thumbnail_scale)
    return PageResult(
        number=index + 1,
        text=layer.text,
        source="text",
        confidence=None,
        words=layer.words,
        width=math.ceil(width * scale),
        height=math.ceil(height * scale),
        thumbnail=make_thumbnail(preview),
        exemptions=find_exemptions(layer.text),
        rotated=0,
    )
