"""What arrives at intake: bytes spooled with their hash, named by their content,
and ZIP archives checked and unpacked within limits.

No database here; ``documents.services.document_ingest`` decides what becomes a
document.
"""

from __future__ import annotations

import functools
import hashlib
import re
import stat
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from documents import pipeline

COPY_BUFFER = 1024 * 1024
ACCEPTED_KINDS = ("pdf", "tiff", "png", "jpeg")
ACCEPTED_LIST = "PDF, TIFF, PNG, JPEG or ZIP"
EXTENSIONS = {"pdf": "pdf", "tiff": "tif", "png": "png", "jpeg": "jpg", "zip": "zip"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "tiff": "image/tiff",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "zip": "application/zip",
}
# Files that operating systems and archivers add to folders; never documents.
_JUNK_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
_LANGUAGE_LIST = re.compile(r"^[A-Za-z_]+(?:\+[A-Za-z_]+)*$")


class Rejected(Exception):
    """An upload (or a file inside one) that is not taken, and why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Spooled:
    """Bytes copied to a local file, with what was learnt on the way."""

    path: Path
    sha256: str
    size: int
    kind: str | None  # pipeline.sniff's answer


def spool(source: BinaryIO, destination: Path, *, max_bytes: int) -> Spooled:
    """Copy ``source`` to ``destination``, hashing as it goes.

    Raises ``Rejected`` for an empty file, or as soon as more than ``max_bytes``
    have arrived.
    """
    digest = hashlib.sha256()
    size = 0
    head = b""
    with destination.open("wb") as out:
        while block := source.read(COPY_BUFFER):
            size += len(block)
            if size > max_bytes:
                raise Rejected(too_large(max_bytes))
            if len(head) < pipeline.SNIFF_BYTES:
                head += block[: pipeline.SNIFF_BYTES - len(head)]
            digest.update(block)
            out.write(block)
    if size == 0:
        raise Rejected("This file is empty.")
    return Spooled(destination, digest.hexdigest(), size, pipeline.sniff(head))


def too_large(max_bytes: int) -> str:
    """The reason given for a file over the size limit."""
    return f"This file is larger than the {format_size(max_bytes)} limit."


def format_size(size: int) -> str:
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            value = size / factor
            return (
                f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
            )
    return f"{size} bytes"


def describe_unsupported(path: Path) -> str:
    """The sentence telling someone why this file was not taken."""
    with path.open("rb") as file:
        head = file.read(pipeline.SNIFF_BYTES)
    what = _name_kind(head)
    return f"This is {what}; upload {ACCEPTED_LIST}."


def _name_kind(head: bytes) -> str:
    signatures = [
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            "a Microsoft Office document (Word, Excel or Outlook)",
        ),
        (b"{\\rtf", "a Rich Text (RTF) document"),
        (b"GIF8", "a GIF image"),
        (b"BM", "a BMP image"),
        (b"Rar!", "a RAR archive"),
        (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
        (b"\x1f\x8b", "a gzip archive"),
        (b"%!PS", "a PostScript file"),
        (b"\x00\x00\x00\x0cjP  ", "a JPEG 2000 image"),
    ]
    for signature, name in signatures:
        if head.startswith(signature):
            return name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "a WebP image"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
            return "a HEIC photo (set the phone to save JPEG, or export as JPEG)"
        return "a video or MP4 file"
    stripped = head.lstrip().lower()
    if stripped.startswith((b"<!doctype html", b"<html")):
        return "a web page (HTML)"
    if stripped.startswith(b"<?xml") or stripped.startswith(b"<svg"):
        return "an XML or SVG file"
    if re.match(rb"(?:received|return-path|from|message-id|mime-version):", stripped):
        return "an email message (save its attachments and upload those)"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "an unknown kind of file"
    return "a plain text file"


def office_kind(path: Path) -> str | None:
    """For a ZIP that is really an Office or OpenDocument file, its description."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100]
                if b"opendocument" in mimetype:
                    return "an OpenDocument file"
                if b"epub" in mimetype:
                    return "an EPUB e-book"
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
        return None
    if "[Content_Types].xml" in names:
        for prefix, what in (
            ("word/", "a Word document"),
            ("xl/", "an Excel spreadsheet"),
            ("ppt/", "a PowerPoint presentation"),
        ):
            if any(name.startswith(prefix) for name in names):
                return what
        return "a Microsoft Office document"
    return None


# --- ZIP archives ----------------------------------------------------------------


@dataclass
class ZipBudget:
    """What is left of one upload's allowance for unpacked files."""

    members: int
    total_bytes: int
    max_depth: int
    member_max_bytes: int


@dataclass(frozen=True)
class ZipMember:
    """A file to take out of an archive: its path inside it and its ZipInfo."""

    name: str
    info: zipfile.ZipInfo


def archive_members(path: Path, *, budget: ZipBudget) -> list[ZipMember]:
    """The files in the archive at ``path``, after checking the whole archive.

    An archive with an unsafe entry (an absolute path, a ``..``, a link), a
    password, or more files or bytes than ``budget`` allows is refused whole:
    it is either hostile or not what the person meant to send. Charges the
    budget for the members returned.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise Rejected("This ZIP archive is damaged and can't be opened.") from error
    members = []
    for info in infos:
        name = info.filename
        unsafe = _unsafe_reason(info)
        if unsafe:
            raise Rejected(
                f"This ZIP archive contains {unsafe} ({_shown(name)}); nothing in it "
                "was imported."
            )
        if info.is_dir() or _is_junk(name):
            continue
        if info.flag_bits & 0x1:
            raise Rejected(
                "This ZIP archive is password-protected; unpack it and upload the "
                "files inside."
            )
        members.append(ZipMember(name, info))
    if not members:
        raise Rejected("This ZIP archive has no files in it.")
    if len(members) > budget.members:
        raise Rejected(
            f"This ZIP archive holds more files than can be taken at once "
            f"({len(members)} here, {budget.members} at most); split it into "
            "smaller archives."
        )
    declared = sum(member.info.file_size for member in members)
    if declared > budget.total_bytes:
        raise Rejected(
            f"This ZIP archive unpacks to more than the "
            f"{format_size(budget.total_bytes)} that can be taken at once; split "
            "it into smaller archives."
        )
    budget.members -= len(members)
    budget.total_bytes -= declared
    return members


def extract_member(
    archive_path: Path, member: ZipMember, destination: Path, *, budget: ZipBudget
) -> Spooled:
    """Copy one member out to ``destination`` as ``spool`` does (zipfile stops at
    the member's declared size and checks its CRC)."""
    if member.info.file_size > budget.member_max_bytes:
        raise Rejected(too_large(budget.member_max_bytes))
    try:
        with (
            zipfile.ZipFile(archive_path) as archive,
            archive.open(member.info) as source,
        ):
            return spool(source, destination, max_bytes=budget.member_max_bytes)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
        raise Rejected(
            "This file in the ZIP archive is damaged or compressed in a way that "
            "can't be unpacked."
        ) from error


def archive_refusal(path: Path, *, budget: ZipBudget) -> str | None:
    """Why the ZIP at ``path`` is refused whole (an Office file, damaged, unsafe,
    password-protected, empty, too many files or bytes), or None.

    Reads only the archive's directory: cheap enough to answer at upload time.
    """
    office = office_kind(path)
    if office:
        return f"This is {office}; upload {ACCEPTED_LIST}."
    try:
        archive_members(path, budget=budget)
    except Rejected as rejected:
        return rejected.reason
    return None


@dataclass(frozen=True)
class Unpacked:
    """One file out of an archive: spooled to a local file, or refused.

    ``name`` is its path inside the uploaded archive (``folder/inner.zip/a.pdf``
    for a file of a nested archive), ``archive`` the archive it came out of as
    shown (``release.zip/folder/inner.zip``).
    """

    name: str
    archive: str
    spooled: Spooled | None
    reason: str = ""


def unpack(
    path: Path, *, label: str, budget: ZipBudget, work: Path, depth: int = 0
) -> Iterator[Unpacked]:
    """The files of the archive at ``path`` (shown as ``label``), in order, with
    archives inside it unpacked in place down to ``budget.max_depth``.

    Raises ``Rejected`` before yielding anything when the archive is refused
    whole. Each spooled file is deleted once the next one is asked for: use it
    before. The same archive and limits always give the same sequence.
    """
    members = archive_members(path, budget=budget)
    for position, member in enumerate(members):
        name = member.name.replace("\\", "/")
        destination = work / f"d{depth}-m{position}"
        try:
            try:
                spooled = extract_member(path, member, destination, budget=budget)
            except Rejected as rejected:
                yield Unpacked(name, label, None, rejected.reason)
                continue
            if spooled.kind == "zip":
                yield from _unpack_nested(
                    spooled,
                    name=name,
                    label=label,
                    budget=budget,
                    work=work,
                    depth=depth + 1,
                )
            elif spooled.kind not in ACCEPTED_KINDS:
                yield Unpacked(name, label, None, describe_unsupported(spooled.path))
            else:
                yield Unpacked(name, label, spooled)
        finally:
            destination.unlink(missing_ok=True)


def _unpack_nested(
    spooled: Spooled,
    *,
    name: str,
    label: str,
    budget: ZipBudget,
    work: Path,
    depth: int,
) -> Iterator[Unpacked]:
    office = office_kind(spooled.path)
    if office:
        yield Unpacked(name, label, None, f"This is {office}; upload {ACCEPTED_LIST}.")
        return
    if depth >= budget.max_depth:
        yield Unpacked(
            name,
            label,
            None,
            f"This ZIP archive is inside another archive {depth} levels deep; "
            f"archives are unpacked {budget.max_depth} levels deep at most. "
            "Unpack it and upload what is inside.",
        )
        return
    inner = unpack(
        spooled.path, label=f"{label}/{name}", budget=budget, work=work, depth=depth
    )
    try:
        for item in inner:
            yield Unpacked(
                f"{name}/{item.name}", item.archive, item.spooled, item.reason
            )
    except Rejected as rejected:
        # Refused whole: raised before the inner archive gave any file.
        yield Unpacked(name, label, None, rejected.reason)


def _unsafe_reason(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    if "\x00" in name:
        return "a file name with a NUL character"
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or re.match(r"^[A-Za-z]:", normalised):
        return "a file with an absolute path"
    if ".." in PurePosixPath(normalised).parts:
        return "a file whose path leads outside the archive"
    mode = info.external_attr >> 16
    if info.create_system == 3 and stat.S_ISLNK(mode):
        return "a symbolic link"
    return None


def _is_junk(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return (
        "__MACOSX" in path.parts
        or path.name.lower() in _JUNK_NAMES
        or path.name.startswith("._")
    )


def _shown(name: str) -> str:
    return clean_name(name, keep_folders=True)[:120]


# --- names -----------------------------------------------------------------------


def clean_name(name: str, *, keep_folders: bool = False) -> str:
    """A file name fit to show and store: no control characters, no folders
    unless asked (a browser on Windows may send ``C:\\fakepath\\x.pdf``)."""
    name = unicodedata.normalize("NFC", name or "")
    name = "".join(
        " " if unicodedata.category(char).startswith("C") else char for char in name
    )
    if not keep_folders:
        name = re.split(r"[\\/]", name)[-1]
    name = re.sub(r"\s+", " ", name).strip().strip(".")
    return name[:255]


def title_from_name(name: str) -> str:
    stem = clean_name(name).rsplit(".", 1)[0] if "." in name else clean_name(name)
    return stem.replace("_", " ").strip()[:255] or "Untitled document"


def download_name(title: str, kind: str) -> str:
    """A safe attachment file name: letters, digits and a few marks, and the
    extension of what the file really is."""
    stem = clean_name(title)
    stem = re.sub(r"[^\w\- ().,]", "_", stem).strip(" ._") or "document"
    extension = EXTENSIONS.get(kind, "bin")
    if stem.lower().endswith(f".{extension}"):
        stem = stem[: -len(extension) - 1]
    return f"{stem[:120]}.{extension}"


# --- OCR languages -----------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def installed_languages() -> tuple[str, ...]:
    """Tesseract's installed languages, without the orientation model."""
    import pytesseract

    try:
        languages = pytesseract.get_languages(config="")
    except (pytesseract.TesseractNotFoundError, OSError, RuntimeError):
        return ()
    return tuple(sorted(code for code in languages if code != "osd"))


def check_languages(languages: str) -> str:
    """``languages`` tidied ("" for the default), or ValueError saying what's wrong."""
    languages = (languages or "").strip()
    if not languages:
        return ""
    if not _LANGUAGE_LIST.match(languages):
        raise ValueError(
            "Give OCR languages as tesseract codes joined by +, such as eng+spa."
        )
    installed = installed_languages()
    missing = [code for code in languages.split("+") if code not in installed]
    if missing:
        raise ValueError(
            f"OCR language {', '.join(missing)} is not installed on this server "
            f"(installed: {', '.join(installed) or 'none'})."
        )
    return languages
