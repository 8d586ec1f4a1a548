"""Sanctions screening: fuzzy name matching against the lists the project ships (pure, no I/O after load).

Names are normalised before comparison: transliterated (ø → o, ß → ss, þ → th), diacritics removed,
case-folded, punctuation and hyphens as spaces, and tokens sorted, so `Morozov, Viktor Dragulescu`
compares equal to `Viktor Drăgulescu-Morozov`. Similarity is rapidfuzz's token-set/sort ratio (0-1),
which tolerates typos and a missing middle name; every name and alias of an entry is compared.

What risk keeps of a screening holds the party's personal data only sealed (services/risk/adapters/db/screenings.py);
`redacted` is the screening without it.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from fintech.risk.v1 import sanctions_screening_pb2 as s
from rapidfuzz import fuzz

LIST_FILE = Path(__file__).parent.parent / "data" / "sanctions.csv"
_FOLD = str.maketrans({"ø": "o", "Ø": "O", "ß": "ss", "þ": "th", "Þ": "Th", "đ": "d", "Đ": "D", "ł": "l",
                       "Ł": "L", "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "ð": "d", "Ð": "D"})  # fmt: skip
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.translate(_FOLD))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return " ".join(sorted(_NON_WORD.sub(" ", plain).split()))


def similarity(a: str, b: str) -> float:
    """Similarity (0-1) of two normalised names."""
    if not a or not b:
        return 0.0
    return max(fuzz.token_sort_ratio(a, b), 0.97 * fuzz.token_set_ratio(a, b) if min(len(a), len(b)) > 8 else 0) / 100


@dataclass(frozen=True)
class ListEntry:
    list_entry_id: str
    list_name: str
    list_version: str
    publish_date: date
    party_type: int
    names: tuple[str, ...]  # the primary name first, then aliases
    date_of_birth: date | None
    country_code: str

    @property
    def normalised(self) -> tuple[str, ...]:
        return tuple(normalise(name) for name in self.names)


@lru_cache(maxsize=4)
def load(path: Path = LIST_FILE) -> tuple[ListEntry, ...]:
    with path.open(newline="", encoding="utf-8") as handle:
        return tuple(
            ListEntry(
                list_entry_id=row["list_entry_id"],
                list_name=row["list_name"],
                list_version=row["list_version"],
                publish_date=date.fromisoformat(row["publish_date"]),
                party_type=s.PartyType.Value(f"PARTY_TYPE_{row['entity_type']}"),
                names=(row["name"], *filter(None, row["aliases"].split("|"))),
                date_of_birth=date.fromisoformat(row["date_of_birth"]) if row["date_of_birth"] else None,
                country_code=row["country_code"],
            )
            for row in csv.DictReader(handle)
        )


@dataclass(frozen=True)
class Match:
    entry: ListEntry
    matched_name: str
    score: float
    date_of_birth_matched: bool
    country_matched: bool

    @property
    def status(self) -> s.SanctionsMatchStatus:
        confirmed = (
            self.score >= 0.999
            and self.country_matched
            and (self.date_of_birth_matched or self.entry.date_of_birth is None)
        )
        return s.SANCTIONS_MATCH_STATUS_CONFIRMED_MATCH if confirmed else s.SANCTIONS_MATCH_STATUS_POTENTIAL_MATCH


def screen(
    names: list[str],
    date_of_birth: date | None,
    country_code: str,
    threshold: float,
    entries: tuple[ListEntry, ...] | None = None,
) -> list[Match]:
    """Entries any of the party's names matches at or above `threshold`, best first (one match per entry).

    A date of birth that contradicts the entry's lowers the score by 0.1 (same name, different person),
    so a common name with a different birth date is less likely to reach the threshold.
    """
    wanted = [normalise(name) for name in names if name.strip()]
    matches = []
    for entry in entries or load():
        best, best_name = 0.0, ""
        for listed, original in zip(entry.normalised, entry.names, strict=True):
            for candidate in wanted:
                score = similarity(candidate, listed)
                if score > best:
                    best, best_name = score, original
        dob_matched = bool(date_of_birth and entry.date_of_birth and date_of_birth == entry.date_of_birth)
        if date_of_birth and entry.date_of_birth and not dob_matched:
            best -= 0.1
        if best >= threshold:
            matches.append(
                Match(entry, best_name, round(min(best, 1.0), 4), dob_matched, country_code == entry.country_code)
            )
    return sorted(matches, key=lambda m: -m.score)


def redacted(screening: s.SanctionsScreening) -> s.SanctionsScreening:
    """The screening without the party's personal data: its id and type stay, to look it up and count it."""
    kept = s.SanctionsScreening()
    kept.CopyFrom(screening)
    kept.party.CopyFrom(s.ScreenedParty(party_id=screening.party.party_id, party_type=screening.party.party_type))
    return kept
