"""Building ISO 20022 documents with ElementTree: one namespace per document, elements in schema order."""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree as ET

from libs.iso20022.schema import Message


class Builder:
    def __init__(self, message: Message) -> None:
        self.message = message
        # The message's namespace as the default one, declared on the root; elements are written unqualified
        # under it (ElementTree's default_namespace option refuses the unqualified attributes such as Ccy).
        self.root = ET.Element("Document", xmlns=message.namespace)

    def add(self, parent: ET.Element, name: str, text: str | None = None, **attributes: str) -> ET.Element:
        element = ET.SubElement(parent, name, attributes)
        if text is not None:
            element.text = text
        return element

    def path(self, parent: ET.Element, names: str, text: str | None = None) -> ET.Element:
        """Nested elements `A/B/C` under `parent`, the text on the last."""
        element = parent
        *outer, last = names.split("/")
        for name in outer:
            element = self.add(element, name)
        return self.add(element, last, text)

    def tostring(self) -> bytes:
        data: bytes = ET.tostring(self.root, encoding="UTF-8", xml_declaration=True)
        return data


def iso_datetime(moment: datetime) -> str:
    """ISODateTime in UTC with its offset, to the second."""
    return moment.isoformat(timespec="seconds")
