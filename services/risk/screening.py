"""Sanctions screening: fuzzy name matching against the lists the project ships (pure, no I/O after load).

Names are normalised before comparison: transliterated (ø → o, ß → ss, þ → th), diacritics removed,
case-folded, punctuation and hyphens as spaces, and tokens sorted, so `Morozov, Viktor Dragulescu`
compares equal to `Viktor Drăgulescu-Morozov`. Similarity is rapidfuzz's token-set/sort ratio (0-1),
which tolerates typos and a missing middle name; every name and alias of an entry is compared.

What risk keeps of a screening (`screenings`) holds the party's personal data only sealed: `body` is the
screening with the party reduced to its id and type (`redacted`), `sealed_party` the whole party as a SealedValue
under the customer's risk data key (services/risk/keys.py), bound to the field's name. Reading it back (`stored`)
opens the party while the key exists; once the key is shredded the screening reads without it.
"""

from __future__ import annotations

import contextlib
import csv
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from fintech.common.v1.event_envelope_pb2 import SealedValue
from fintech.risk.v1 import sanctions_screening_pb2 as s
from rapidfuzz import fuzz
from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.risk.keys import DataKeys
from services.risk.models import screenings
from services.runtime.envelope_encryption import DataKey, KeyUnavailable, open_sealed, seal

LIST_FILE = Path(__file__).parent / "data" / "sanctions.csv"
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
    def status(self) -> int:
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


# -- what is stored -------------------------------------------------------------------------------------

PARTY_FIELD = "fintech.risk.v1.SanctionsScreening.party"  # the associated data of a sealed party
_STORED = select(screenings.c.body, screenings.c.sealed_party, screenings.c.customer_id).where(
    screenings.c.request_id == bindparam("request_id")
)


def redacted(screening: s.SanctionsScreening) -> s.SanctionsScreening:
    """The screening without the party's personal data: its id and type stay, to look it up and count it."""
    kept = s.SanctionsScreening()
    kept.CopyFrom(screening)
    kept.party.CopyFrom(s.ScreenedParty(party_id=screening.party.party_id, party_type=screening.party.party_type))
    return kept


def sealed_columns(data_key: DataKey, screening: s.SanctionsScreening) -> dict[str, bytes]:
    """The `body` and `sealed_party` columns of a screening: the party only sealed."""
    sealed = seal(data_key, PARTY_FIELD, screening.party.SerializeToString())
    return {"body": redacted(screening).SerializeToString(), "sealed_party": sealed.SerializeToString()}


def opened(body: bytes, sealed_party: bytes | None, data_key: DataKey | None) -> s.SanctionsScreening:
    """A stored screening with its party opened, or without the party's personal data when the key is gone."""
    screening = s.SanctionsScreening.FromString(body)
    if sealed_party and data_key is not None:
        with contextlib.suppress(KeyUnavailable):  # sealed with another key: read as if shredded
            party = open_sealed(data_key, PARTY_FIELD, SealedValue.FromString(sealed_party))
            screening.party.CopyFrom(s.ScreenedParty.FromString(party))
    return screening


async def stored(session: AsyncSession, keys: DataKeys, request_id: uuid.UUID) -> s.SanctionsScreening | None:
    """The screening stored for this request, its party opened while the customer's key exists."""
    row = (await session.execute(_STORED, {"request_id": request_id})).first()
    if row is None:
        return None
    data_key = await keys.key(session, row.customer_id) if row.sealed_party and row.customer_id else None
    return opened(row.body, row.sealed_party, data_key)


async def seal_legacy(session: AsyncSession, keys: DataKeys, *, limit: int = 100) -> int:
    """Seal up to `limit` screenings stored before parties were sealed (no `sealed_party`, the party in `body`);
    returns how many. Several replicas share the work (SKIP LOCKED)."""
    t = screenings.c
    rows = (
        await session.execute(
            select(t.id, t.body, t.customer_id)
            .where(t.sealed_party.is_(None))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for row in rows:
        screening = s.SanctionsScreening.FromString(row.body)
        customer_id = row.customer_id or uuid.UUID(screening.party.party_id)
        columns = sealed_columns(await keys.key(session, customer_id, create=True), screening)
        await session.execute(update(screenings).where(t.id == row.id).values(**columns))
    return len(rows)
