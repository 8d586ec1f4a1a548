"""ISO 20022 files of the bank's file exchange, pure: read a pain.001, write a pain.002 and a camt.053, each checked
against the official XSD (schemas/, see its README). No I/O beyond reading the bundled schemas."""
