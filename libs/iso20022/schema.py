"""The bundled XSDs, and reading an untrusted file safely: entities and external references are refused."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cache
from pathlib import Path
from xml.etree.ElementTree import Element

import xmlschema

SCHEMAS = Path(__file__).parent / "schemas"
# Errors reported per file: enough to fix a file, bounded so a huge broken file cannot make a huge report.
MAX_ERRORS = 20


class Message(Enum):
    PAIN_001 = "pain.001.001.09"
    PAIN_002 = "pain.002.001.03"
    CAMT_053 = "camt.053.001.08"

    @property
    def namespace(self) -> str:
        return f"urn:iso:std:iso:20022:tech:xsd:{self.value}"


@cache
def schema(message: Message) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(SCHEMAS / f"{message.value}.xsd")


class InvalidFile(Exception):
    """The file is not well-formed XML or does not match its message's schema."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Document:
    """A file that matched its schema: its root element (`Document`)."""

    message: Message
    root: Element


def _resource(data: bytes) -> xmlschema.XMLResource:
    # defuse="always": the parser refuses DTDs and entities (billion laughs, external entities) in every file.
    try:
        return xmlschema.XMLResource(data, defuse="always", allow="none")
    except Exception as error:  # ParseError, XMLResourceError, forbidden entities: all mean "not a usable file"
        raise InvalidFile([f"not well-formed XML: {type(error).__name__}: {str(error)[:200]}"]) from None


def validate(message: Message, data: bytes) -> Document:
    """The document in `data` when it is a valid `message`, else InvalidFile naming what is wrong."""
    resource = _resource(data)
    root = resource.root
    if root.tag != f"{{{message.namespace}}}Document":
        raise InvalidFile([f"root element {root.tag} is not {message.value}'s Document"])
    errors = []
    for error in schema(message).iter_errors(resource):
        errors.append(f"{error.path or '/'}: {error.reason or error.message}"[:300])
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        raise InvalidFile(errors)
    return Document(message, root)


def message_id(data: bytes) -> str | None:
    """The group header's MsgId of a file that may be invalid, when it can be read at all (for the status report)."""
    try:
        root = _resource(data).root
    except InvalidFile:
        return None
    for element in root.iter():
        if element.tag.endswith("}GrpHdr"):
            for child in element:
                if child.tag.endswith("}MsgId") and child.text and len(child.text.strip()) <= 35:
                    return child.text.strip()
    return None
