"""The text of a text file (CSV, TSV, "Unicode text"), whatever encoding it was saved in, and its
delimiter. Used by every reader of people's tables: the organisation import (transfer.readers) and the
official districts (geography.csvfiles: `flask import-districts` and /transfer/districts).

People's spreadsheets arrive as Excel saves them: "CSV UTF-8" (with a byte order mark), plain CSV in
the code page of a Spanish or French Windows (Windows-1252), or "Unicode text" (UTF-16 with a byte
order mark, tab-separated). The order of judgement:

1. a byte order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE) decides;
2. bytes that are valid UTF-8 are UTF-8;
3. bytes with valid UTF-8 sequences (such as "ñ" written as two bytes) and invalid ones mix two
   encodings: refused, naming the first line that is not UTF-8;
4. otherwise charset-normalizer chooses among the encodings Latin American and European spreadsheets
   are saved in (Windows-1252, Mac Roman, DOS 850, UTF-16 without a mark); when another of them reads
   the bytes just as plausibly as different text, the file is refused rather than guessed.

Whatever the encoding, the text is decoded strictly and refused when it holds a replacement character
or a control character (other than tab and line ends): nothing is silently turned into "�"."""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
from dataclasses import dataclass

from charset_normalizer import from_bytes
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from directory_app.errors import ValidationError

_BOMS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32 LE"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32 BE"),
    (b"\xef\xbb\xbf", "utf-8", "UTF-8 (BOM)"),
    (b"\xff\xfe", "utf-16-le", "UTF-16 LE"),
    (b"\xfe\xff", "utf-16-be", "UTF-16 BE"),
)
_CANDIDATES = ("cp1252", "mac_roman", "cp850", "utf_16_le", "utf_16_be")
"""What a file without a byte order mark that is not UTF-8 may be (charset-normalizer's names)."""
ENCODING_NAMES = {
    "cp1252": "Windows-1252 (Latin-1)",
    "mac_roman": "Mac Roman",
    "cp850": "DOS 850",
    "utf_16_le": "UTF-16 LE",
    "utf_16_be": "UTF-16 BE",
}
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_NON_ASCII = re.compile(r"(?=(.?)([^\x00-\x7f])(.?))", re.S)
_TEXT_PUNCTUATION = set("¿¡«»“”‘’„–—…€£°ºª·•×÷§¶©®™\u00a0\u00ad")
_INSIDE_WORD_ONLY = set("·\u00ad")
"""A middle dot (l·l) and a soft hyphen stand between two letters; an apostrophe (l’eau) anywhere."""
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ufffe\uffff]")


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    """The encoding as people name it ("UTF-8", "Windows-1252 (Latin-1)", "UTF-16 LE"...)."""


def has_byte_order_mark(data: bytes) -> bool:
    return any(data.startswith(mark) for mark, _codec, _name in _BOMS)


def decode_text(data: bytes) -> DecodedText:
    """The text of `data` and the name of its encoding, or ValidationError (see the module docstring)."""
    for mark, codec, name in _BOMS:
        if data.startswith(mark):
            return _checked(data[len(mark) :], codec, name, strict_error=True)
    try:
        return _checked(data, "utf-8", "UTF-8")
    except UnicodeDecodeError as exc:
        if _UTF8_SEQUENCE.search(data):
            line = data.count(b"\n", 0, exc.start) + 1
            raise ValidationError(
                _(
                    "Line %(line)s is not UTF-8 while the rest of the file is: the file mixes two encodings. "
                    'Save it again as "CSV UTF-8" and upload it again.',
                    line=line,
                )
            ) from None
    return _detected(data)


def _detected(data: bytes) -> DecodedText:
    matches = [m for m in from_bytes(data, cp_isolation=list(_CANDIDATES)) if m.encoding in ENCODING_NAMES]
    if not matches:
        raise ValidationError(
            _("This file type is not accepted: use CSV, Excel, GeoJSON, GeoPackage or zipped Shapefile.")
        )
    tied = sorted((m for m in matches if m.chaos <= matches[0].chaos), key=lambda m: _oddities(str(m)))
    best = tied[0]  # sorted() is stable: charset-normalizer's order decides among equals
    rivals = [m for m in tied[1:] if _oddities(str(m)) == _oddities(str(best)) and str(m) != str(best)]
    if rivals:
        raise ValidationError(
            _(
                "The encoding of the file is not clear (%(first)s or %(second)s?). Save it again as "
                '"CSV UTF-8" and upload it again.',
                first=ENCODING_NAMES[best.encoding],
                second=ENCODING_NAMES[rivals[0].encoding],
            )
        )
    return _checked(data, best.encoding, ENCODING_NAMES[best.encoding], strict_error=True)


def _oddities(text: str) -> int:
    """How many characters beyond ASCII look like a wrong guess of the code page: symbols that are
    neither letters nor the punctuation of Spanish and French text, punctuation inside a word ("Ni–o"
    is "Niño" read in the wrong code page), a middle dot outside one ("·nica" is "única"), a capital
    after a small letter ("CafŽ" is "Café")."""
    odd = 0
    for match in _NON_ASCII.finditer(text):
        before, char, after = match.group(1), match.group(2), match.group(3)
        inside_word = before.isalpha() and after.isalpha()
        if unicodedata.category(char).startswith("L"):
            odd += char.isupper() and before.islower()
        elif char in _INSIDE_WORD_ONLY:
            odd += not inside_word
        elif char != "’":
            odd += char not in _TEXT_PUNCTUATION or inside_word
    return odd


def _checked(data: bytes, codec: str, name: str, *, strict_error: bool = False) -> DecodedText:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        if not strict_error and codec == "utf-8":
            raise  # decode_text tries the other encodings
        line = data.count(b"\n", 0, exc.start) + 1
        raise ValidationError(
            _("Line %(line)s cannot be read as %(encoding)s text.", line=line, encoding=name)
        ) from None
    text = text.removesuffix("\x1a")  # the end-of-file mark of old DOS programs
    if found := _NOT_TEXT.search(text):
        line = text.count("\n", 0, found.start()) + 1
        code = f"U+{ord(found.group()):04X} {unicodedata.name(found.group(), '')}".strip()
        raise ValidationError(
            _(
                "Line %(line)s holds a character that is not text (%(code)s) when the file is read as "
                '%(encoding)s. Save it again as "CSV UTF-8" and upload it again.',
                line=line,
                code=code,
                encoding=name,
            )
        )
    return DecodedText(text, name)


DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": _l("comma"), ";": _l("semicolon"), "\t": _l("tab")}


def sniff_delimiter(text: str) -> str:
    """The delimiter among `,` `;` and tab that splits the header into the most columns with the
    following rows split alike (the sample read as CSV, so that quoted cells count as one); `,`
    when nothing splits the header."""
    sample = text[: 64 * 1024]
    best, best_score = ",", (0.0, 1)
    for delimiter in DELIMITERS:
        try:
            reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
            records = [r for r in itertools.islice(reader, 51) if r]
        except csv.Error:
            continue
        if not records or len(records[0]) < 2:
            continue
        body = records[1:-1] if len(records) > 2 else records[1:]  # the last may be cut by the sample
        alike = sum(1 for r in body if len(r) == len(records[0])) / len(body) if body else 1.0
        score = (alike, len(records[0]))
        if score > best_score:
            best, best_score = delimiter, score
    return best
