"""Generate the synthetic samples in this folder.

Run from the project root: ``.venv/bin/python tests/samples/make_samples.py``.

The output is deterministic (no noise, fixed document ids), so running it again
rewrites the same bytes as long as Pillow and the fonts stay the same. The tests
read the stored files and never call this script, so a machine without the fonts
still runs the suite.

- Text-layer PDFs are written by the small PDF writer below with the standard
  Helvetica font, so they carry a real text layer with no embedded font.
- The encrypted PDFs use the PDF standard security handler, revision 3 (RC4,
  128-bit key), implemented here from the PDF 1.7 specification (ISO 32000-1,
  section 7.6.3, algorithms 2, 3 and 5) because no PDF library that writes
  encryption is a project dependency.
- Scans are drawn with Pillow in a TrueType font found on the machine (Liberation
  or DejaVu), falling back to Pillow's built-in scalable font.

ATTRIBUTION.md lists what each file is for.
"""

from __future__ import annotations

import hashlib
import io
import struct
import time
import zlib
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent

MEMO_HEADER = [
    "U.S. Department of Homeland Security",
    "Office of Professional Responsibility",
    "",
    "MEMORANDUM FOR: Field Office Director, Houston",
    "SUBJECT: Report of Investigation, Case 2019-0412",
    "",
]
MEMO_BODY = [
    "On March 4, 2019, the reporting agent interviewed a detention",
    "officer assigned to the processing center. The officer stated",
    "that the incident occurred during the evening count and that",
    "two supervisors were present. Medical staff examined the",
    "detainee at the clinic and returned him to the housing unit.",
    "The officer provided a written statement, attached as Exhibit 3.",
]
TEXT_LAYER_LINES = [
    *MEMO_HEADER,
    "FROM: Special Agent (b)(6), (b)(7)(C)",
    "",
    *MEMO_BODY,
    "Witness names withheld under 5 U.S.C. 552(b)(6) and (b)(7)(C).",
]

# Fonts looked up by path rather than through fontconfig, so the script has no
# dependency beyond Pillow; the first one found wins.
FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
]


def load_font(*, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size=size)
    return ImageFont.load_default(size=size)


def scanned_page(
    *,
    lines: list[str],
    redacted: list[int] | None = None,
    dpi: int = 150,
    width_in: float = 8.5,
    height_in: float = 11.0,
    point_size: float = 12,
) -> Image.Image:
    """A bilevel page image that looks like a photocopied typed memo.

    Line numbers in ``redacted`` get a black box with the exemption labels after
    it, the way agencies print withheld passages.
    """
    size = (round(width_in * dpi), round(height_in * dpi))
    page = Image.new("L", size, 255)
    draw = ImageDraw.Draw(page)
    font = load_font(size=round(point_size * dpi / 72))
    margin = dpi  # one inch
    leading = round(point_size * 1.6 * dpi / 72)
    y = margin
    for number, line in enumerate(lines):
        if redacted and number in redacted:
            box_width = round(2.2 * dpi)
            draw.rectangle(
                (margin, y, margin + box_width, y + leading * 0.8),
                fill=0,
            )
            draw.text(
                (margin + box_width + dpi // 6, y), "(b)(6), (b)(7)(C)", font=font
            )
        else:
            draw.text((margin, y), line, font=font, fill=0)
        y += leading
    # A slight blur then a threshold gives the soft, uneven strokes of a copier.
    page = page.filter(ImageFilter.GaussianBlur(radius=dpi / 200))
    return page.point(lambda value: 255 if value > 150 else 0).convert("1")


# --- a minimal PDF writer -------------------------------------------------------

PASSWORD_PADDING = bytes.fromhex(
    "28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A"
)
# All permissions granted; bits 1-2 must be zero (PDF 1.7, table 22).
PERMISSIONS = -4


def _md5(data: bytes) -> bytes:
    # MD5 and RC4 are what the PDF standard security handler prescribes.
    return hashlib.md5(data, usedforsecurity=False).digest()


def _rc4(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


def _pad(password: str) -> bytes:
    return (password.encode("latin-1") + PASSWORD_PADDING)[:32]


def _rc4_rounds(key: bytes, data: bytes) -> bytes:
    for round_number in range(20):
        data = _rc4(bytes(byte ^ round_number for byte in key), data)
    return data


class StandardSecurity:
    """Revision 3 of the standard security handler with a 128-bit RC4 key."""

    def __init__(self, *, user_password: str, owner_password: str, doc_id: bytes):
        digest = _md5(_pad(owner_password))
        for _ in range(50):
            digest = _md5(digest)
        self.owner_entry = _rc4_rounds(digest[:16], _pad(user_password))

        digest = _md5(
            _pad(user_password)
            + self.owner_entry
            + struct.pack("<i", PERMISSIONS)
            + doc_id
        )
        for _ in range(50):
            digest = _md5(digest[:16])
        self.file_key = digest[:16]
        self.user_entry = _rc4_rounds(
            self.file_key, _md5(PASSWORD_PADDING + doc_id)
        ) + bytes(16)

    def encrypt(self, *, number: int, data: bytes) -> bytes:
        object_key = _md5(
            self.file_key + number.to_bytes(3, "little") + (0).to_bytes(2, "little")
        )[:16]
        return _rc4(object_key, data)

    def dictionary(self) -> bytes:
        return (
            b"<< /Filter /Standard /V 2 /R 3 /Length 128 /P %d /O <%s> /U <%s> >>"
            % (
                PERMISSIONS,
                self.owner_entry.hex().encode(),
                self.user_entry.hex().encode(),
            )
        )


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252")
    return (
        b"("
        + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
        + b")"
    )


def text_pdf(
    *,
    pages: list[list[str]],
    user_password: str | None = None,
    owner_password: str = "owner-only",
    rotate: int = 0,
    scan: Image.Image | None = None,
    invisible: bool = False,
    origin: tuple[float, float] = (72, 720),
    font_size: float = 11,
    leading: float = 15,
) -> bytes:
    """A letter-size PDF whose pages show ``pages`` in Helvetica.

    ``rotate`` sets each page's /Rotate entry, the way a scanner or an agency's
    software marks a page to be shown turned clockwise. ``scan``, a bilevel image,
    fills each page underneath the text, and ``invisible`` hides the text (PDF text
    render mode 3), which is how OCR software makes a scan searchable.
    """
    doc_id = _md5("\n".join("\n".join(page) for page in pages).encode())
    security = (
        StandardSecurity(
            user_password=user_password, owner_password=owner_password, doc_id=doc_id
        )
        if user_password is not None
        else None
    )
    objects: dict[int, bytes] = {}
    page_numbers = []
    next_number = 5
    xobjects = b""
    if scan is not None:
        bits = zlib.compress(scan.convert("1").tobytes(), 9)
        if security:
            bits = security.encrypt(number=4, data=bits)
        objects[4] = (
            b"<< /Type /XObject /Subtype /Image /Width %d /Height %d "
            b"/ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /FlateDecode "
            b"/Length %d >>\nstream\n"
            % (scan.width, scan.height, len(bits))
            + bits
            + b"\nendstream"
        )
        xobjects = b" /XObject << /Im1 4 0 R >>"
    for lines in pages:
        page_number, content_number = next_number, next_number + 1
        next_number += 2
        page_numbers.append(page_number)
        content = b"q 612 0 0 792 0 0 cm /Im1 Do Q\n" if scan is not None else b""
        content += b"BT /F1 %g Tf %g %g Td %g TL %d Tr\n" % (
            font_size,
            *origin,
            leading,
            3 if invisible else 0,
        )
        content += b"".join(_pdf_string(line) + b" Tj T*\n" for line in lines)
        content += b"ET\n"
        if security:
            content = security.encrypt(number=content_number, data=content)
        objects[content_number] = (
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"
        )
        objects[page_number] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Rotate %d "
            b"/Resources << /Font << /F1 3 0 R >>%s >> /Contents %d 0 R >>"
            % (rotate, xobjects, content_number)
        )
    if scan is None:
        objects[4] = b"null"  # keeps object numbers dense for the xref table
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    kids = b" ".join(b"%d 0 R" % number for number in page_numbers)
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(pages))
    objects[3] = (
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
        b"/Encoding /WinAnsiEncoding >>"
    )
    trailer_extra = b""
    if security:
        objects[next_number] = security.dictionary()
        trailer_extra = b" /Encrypt %d 0 R" % next_number

    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n")
    xref_at = out.tell()
    size = max(objects) + 1
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    for number in range(1, size):
        out.write(b"%010d 00000 n \n" % offsets[number])
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R /ID [<%s> <%s>]%s >>\n"
        % (size, doc_id.hex().encode(), doc_id.hex().encode(), trailer_extra)
    )
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref_at)
    return out.getvalue()


def redaction_styles() -> Image.Image:
    """Half a page with the three ways agencies label a redaction box.

    A white label inside a black box, a black label beside a black box, and a
    black label inside a gray box.
    """
    dpi = 300
    page = Image.new("L", (round(8.5 * dpi), round(5.5 * dpi)), 255)
    draw = ImageDraw.Draw(page)
    font = load_font(size=round(12 * dpi / 72))
    margin, leading = dpi, round(12 * 1.8 * dpi / 72)
    label_offset = round(0.1 * dpi)

    def box(y: int, *, width_in: float, fill: int) -> tuple[int, int]:
        right = margin + round(width_in * dpi)
        pad = dpi // 40
        draw.rectangle((margin, y - pad, right, y + leading - 3 * pad), fill=fill)
        return right, y

    y = margin
    for line, style, label in [
        ("The officer met with the detainee and", "inside", "(b)(6)"),
        ("in the housing unit on Tuesday night.", "beside", "(b)(7)(C)"),
        ("Medical staff examined him at the clinic.", "gray", "(b)(5)"),
    ]:
        draw.text((margin, y), line, font=font, fill=0)
        y += leading
        if style == "inside":
            box(y, width_in=2.5, fill=0)
            draw.text((margin + label_offset, y), label, font=font, fill=255)
        elif style == "beside":
            right, _ = box(y, width_in=2.5, fill=0)
            draw.text((right + label_offset, y), label, font=font, fill=0)
        else:
            box(y, width_in=2.5, fill=170)
            draw.text((margin + label_offset, y), label, font=font, fill=0)
        y += leading
    return page


def phone_photo(*, lines: list[str]) -> bytes:
    """A JPEG whose pixels lie sideways with an EXIF tag saying how to turn them.

    Orientation 6 tells viewers to turn the stored pixels 90 degrees clockwise,
    which is how phones save a portrait shot taken with the phone held sideways.
    """
    upright = scanned_page(lines=lines, dpi=100, width_in=6, height_in=4.5)
    photo = upright.convert("L").point(lambda value: 60 + value * 0.7).convert("RGB")
    stored = photo.rotate(90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    out = io.BytesIO()
    stored.save(out, "JPEG", quality=80, exif=exif.tobytes())
    return out.getvalue()


def main() -> None:
    (HERE / "text_layer.pdf").write_bytes(
        text_pdf(pages=[TEXT_LAYER_LINES, ["Page two of the report.", *MEMO_BODY]])
    )
    (HERE / "text_layer_rotated.pdf").write_bytes(
        text_pdf(pages=[TEXT_LAYER_LINES], rotate=90)
    )
    (HERE / "encrypted_empty_user_password.pdf").write_bytes(
        text_pdf(pages=[TEXT_LAYER_LINES], user_password="")
    )
    (HERE / "encrypted_user_password.pdf").write_bytes(
        text_pdf(pages=[TEXT_LAYER_LINES], user_password="release-2019")
    )

    scan_lines = [
        *MEMO_HEADER,
        "FROM: Special Agent",
        "",
        *MEMO_BODY[:3],
        "",  # replaced by a redaction box and its labels
        *MEMO_BODY[3:],
    ]
    redacted = [len(MEMO_HEADER) + 5]
    scan = scanned_page(lines=scan_lines, redacted=redacted, dpi=200)
    # Fixed dates, or Pillow stamps the time of the run and the bytes change.
    fixed = time.gmtime(1551657600)  # 2019-03-04, the memo's date
    scan.save(
        HERE / "scanned_memo.pdf",
        "PDF",
        resolution=200,
        creationDate=fixed,
        modDate=fixed,
    )

    half_page = scanned_page(lines=[*MEMO_HEADER, *MEMO_BODY], height_in=5.5)
    half_page.rotate(90, expand=True).save(HERE / "sideways.png", optimize=True)
    half_page.rotate(180).save(HERE / "upside_down.png", optimize=True)

    second = scanned_page(lines=MEMO_BODY, height_in=5.5)
    half_page.save(
        HERE / "two_pages.tif",
        save_all=True,
        append_images=[second],
        compression="group4",
        dpi=(150, 150),
    )
    (HERE / "phone_photo.jpg").write_bytes(phone_photo(lines=MEMO_BODY))

    # A scan with only a Bates number as text, and the same scan made searchable
    # with an invisible text layer.
    memo_scan = scanned_page(lines=[*MEMO_HEADER, *MEMO_BODY], dpi=150)
    (HERE / "stamped_scan.pdf").write_bytes(
        text_pdf(
            pages=[["DHS-OPR-2019-000412"]],
            scan=memo_scan,
            origin=(430, 40),
            font_size=9,
        )
    )
    (HERE / "searchable_scan.pdf").write_bytes(
        text_pdf(
            pages=[[*MEMO_HEADER, *MEMO_BODY]],
            scan=memo_scan,
            invisible=True,
            origin=(72, 708),
            font_size=12,
            leading=19.2,
        )
    )
    redaction_styles().save(HERE / "redaction_styles.png", optimize=True)


if __name__ == "__main__":
    main()
