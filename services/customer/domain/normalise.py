"""Normalisation of identity data for duplicate detection, and keyed blind indexes over it.

PII is stored encrypted, so duplicates are found through blind indexes: HMAC-SHA256 with the
service's pseudonymisation key over the normalised value. Equal identities give equal indexes; the
index reveals nothing without the key, and erasure deletes it with the rest.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

# Letters NFKD does not decompose into a base letter plus marks.
_FOLD = str.maketrans({"ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "æ": "ae", "Æ": "ae",
                       "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th", "ı": "i"})  # fmt: skip
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_DOCUMENT_FILLER = re.compile(r"[\s<-]+")


def normalise_name(name: str) -> str:
    """Case-folded, diacritics and punctuation removed, whitespace collapsed.

    `Zoë O'Brien-Łukasz` -> `zoe o brien lukasz`."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_FOLD))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_ALNUM.sub(" ", stripped.casefold()).strip()


def normalise_document_number(number: str) -> str:
    """Upper case with spaces, hyphens and `<` filler removed."""
    return _DOCUMENT_FILLER.sub("", number).upper()


def blind_index(key: bytes, kind: str, *parts: str) -> str:
    message = "\x1f".join((kind, *parts)).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def document_index(key: bytes, document_type: int, issuing_country: str, number: str) -> str:
    return blind_index(key, "document", str(document_type), issuing_country.upper(), normalise_document_number(number))


def name_birth_index(key: bytes, given_names: str, family_name: str, year: int, month: int, day: int) -> str:
    names = f"{normalise_name(given_names)}|{normalise_name(family_name)}"
    return blind_index(key, "name-dob", names, f"{year:04d}-{month:02d}-{day:02d}")
