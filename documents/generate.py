"""Synthetic releases: scanned pages drawn with Pillow, and PDFs with a real text
layer. The demo data, the benchmarks and the tests use them; everything is
deterministic for a given seed, so the same call gives the same bytes.
"""

from __future__ import annotations

import io
import random
import time
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

LETTER_INCHES = (8.5, 11.0)
FONT_FILES = [
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
]
# A fixed date keeps Pillow's PDF output identical from run to run.
FIXED_DATE = time.gmtime(1704164645)  # 2024-01-02, in Pillow's format

# Words of the kind agencies release, for text with a known reading.
_VOCABULARY_TEXT = """
the of and to in a is that for on was with as by at from this be an are were
which or have has had not but all been their there they would will officer
agent report detention facility investigation case record records request
department office field director supervisor interview statement witness
medical staff detainee housing unit incident evening count review policy
procedure complaint allegation finding findings evidence custody transfer
processing center security program enforcement removal operations division
memorandum subject reference attached exhibit summary conclusion recommendation
training compliance inspection contract vendor payment invoice contractor
camera footage logbook schedule shift roster assignment duty hours overtime
information system database entry query access user account audit trail
personnel action disciplinary suspension reprimand counseling proposal decision
agency component headquarters regional district local state federal county
public affairs congressional inquiry correspondence letter response received
reviewed approved signed dated copy original draft final version pages number
march april may june july august september october november december january
monday tuesday wednesday thursday friday morning afternoon night week month
year during after before between within under following regarding concerning
"""
VOCABULARY = _VOCABULARY_TEXT.split()

LETTER_OPENINGS = [
    "This letter responds to your Freedom of Information Act request.",
    "We searched the records of the Office of Professional Responsibility.",
    "Enclosed are records responsive to your request.",
]
CASE_SYSTEMS = ["TECS", "ICM", "EARM", "ENFORCE"]


def load_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in FONT_FILES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size=size)
    return ImageFont.load_default(size=size)


def sentences(seed: int, count: int, *, words: tuple[int, int] = (8, 16)) -> list[str]:
    """``count`` sentences of vocabulary words, the same for the same seed."""
    chooser = random.Random(seed)  # noqa: S311 - test data, not secrets
    made = []
    for _ in range(count):
        picked = [chooser.choice(VOCABULARY) for _ in range(chooser.randint(*words))]
        picked[0] = picked[0].capitalize()
        made.append(" ".join(picked) + ".")
    return made


def wrap(text: str, *, width: int = 68) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines


def scanned_page(
    lines: Sequence[str],
    *,
    dpi: int = 150,
    point_size: float = 12,
    redactions: dict[int, str] | None = None,
    copier: bool = True,
    wear: int | None = None,
) -> Image.Image:
    """A letter-size page as a scanner makes it: bilevel, slightly soft strokes.

    ``redactions`` maps line numbers to a label; that line becomes a black box
    with the label printed after it, as agencies mark withheld text. ``wear``
    (a seed) adds what a tired copier adds: a slight tilt, toner specks and
    broken strokes.
    """
    width, height = (round(side * dpi) for side in LETTER_INCHES)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    font = load_font(round(point_size * dpi / 72))
    margin = dpi
    leading = round(point_size * 1.55 * dpi / 72)
    y = margin
    for number, line in enumerate(lines):
        if y + leading > height - margin // 2:
            break
        label = (redactions or {}).get(number)
        if label is not None:
            box_width = round(min(4.5, 1.2 + 0.05 * len(line)) * dpi)
            draw.rectangle((margin, y, margin + box_width, y + leading * 0.8), fill=0)
            draw.text((margin + box_width + dpi // 6, y), label, font=font, fill=0)
        else:
            draw.text((margin, y), line, font=font, fill=0)
        y += leading
    if not copier:
        return page
    threshold = 150
    if wear is not None:
        chooser = random.Random(wear)  # noqa: S311 - test data
        page = page.rotate(
            chooser.uniform(-0.8, 0.8), resample=Image.Resampling.BICUBIC, fillcolor=255
        )
        draw = ImageDraw.Draw(page)
        for _ in range(width * height // 500):
            x, y = chooser.randrange(width), chooser.randrange(height)
            radius = chooser.choice((0, 0, 1, 1, 2))
            draw.ellipse((x, y, x + radius, y + radius), fill=chooser.choice((0, 255)))
        threshold = 95  # a light copy: thin strokes break up
    page = page.filter(ImageFilter.GaussianBlur(radius=dpi / 220))
    return page.point(lambda value: 255 if value > threshold else 0).convert("1")


def images_to_pdf(images: Sequence[Image.Image], *, dpi: int) -> bytes:
    """A PDF of page images (no text layer), as a scanner writes one."""
    out = io.BytesIO()
    first, *rest = images
    first.save(
        out,
        format="PDF",
        save_all=True,
        append_images=rest,
        resolution=dpi,
        creationDate=FIXED_DATE,
        modDate=FIXED_DATE,
        producer="FOIA Workbench sample generator",
    )
    return out.getvalue()


def text_pdf(pages: Sequence[Sequence[str]], *, point_size: float = 11) -> bytes:
    """A PDF whose pages carry ``pages``' lines as real text (Helvetica)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    font = add(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
        b"/Encoding /WinAnsiEncoding >>"
    )
    pages_number = len(objects) + 1
    objects.append(b"")  # the page tree, filled in below
    kids = []
    leading = point_size * 1.4
    for lines in pages:
        commands = [
            b"BT",
            b"/F1 %.1f Tf" % point_size,
            b"%.1f TL" % leading,
            b"72 720 Td",
        ]
        for line in lines:
            commands.append(_pdf_string(line) + b" '")
        commands.append(b"ET")
        stream = b"\n".join(commands)
        content = add(
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
        )
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] "
                b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
                % (pages_number, font, content)
            )
        )
    objects[pages_number - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids),
        len(kids),
    )
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_number)
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, catalog, xref)
    )
    return out.getvalue()


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    escaped = raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"(" + escaped + b")"


# --- releases --------------------------------------------------------------------


def case_number(seed: int) -> str:
    chooser = random.Random(seed)  # noqa: S311 - test data
    return f"OPR-{chooser.randint(2018, 2023)}-{chooser.randint(1000, 99999):05d}"


def letter_lines(seed: int) -> list[str]:
    """A response letter: heading, reference, body and a signature."""
    chooser = random.Random(seed)  # noqa: S311 - test data
    case = case_number(seed)
    body = " ".join(
        [chooser.choice(LETTER_OPENINGS), *sentences(seed, 5, words=(9, 14))]
    )
    return [
        "U.S. Department of Homeland Security",
        "Immigration and Customs Enforcement",
        "Office of Professional Responsibility",
        "",
        f"Re: FOIA case {case}",
        "",
        *wrap(body),
        "",
        f"Records were located in {chooser.choice(CASE_SYSTEMS)} and "
        f"{chooser.choice(CASE_SYSTEMS)}.",
        "Portions are withheld under 5 U.S.C. 552(b)(6) and (b)(7)(C).",
        "",
        "Sincerely,",
        "FOIA Officer",
    ]


def case_summary_lines(seed: int) -> tuple[list[str], dict[int, str]]:
    """A case summary with redacted lines: the lines and the redaction labels."""
    case = case_number(seed)
    chooser = random.Random(seed)  # noqa: S311 - test data
    system = chooser.choice(CASE_SYSTEMS)
    lines = [
        "REPORT OF INVESTIGATION - CASE SUMMARY",
        f"Case number: {case}",
        f"Case management system: {system}",
        "",
        "Subject:",
        "redacted",
        "Reporting agent:",
        "redacted",
        "",
        *wrap(" ".join(sentences(seed + 1, 6, words=(9, 14)))),
        "",
        "Witness statement:",
        "redacted witness name and address",
        *wrap(" ".join(sentences(seed + 2, 3, words=(9, 14)))),
        "",
        f"Related records: TECS query log, ICM case {case}.",
    ]
    labels = ["(b)(6)", "(b)(7)(C)", "(b)(6), (b)(7)(C)"]
    redactions = {
        number: labels[index % len(labels)]
        for index, number in enumerate(
            n for n, line in enumerate(lines) if line.startswith("redacted")
        )
    }
    return lines, redactions
