"""The idempotency key of one ordered transaction: the same file sent twice pays each transaction once.

InitiatePayment's key is 8-128 characters of `A-Za-z0-9_.:-`, while ISO 20022's ids are any 1-35 characters, so
the key is a hash of the ids, never the ids themselves. The debtor account is hashed in too: MsgId is unique only
per initiating party, so two customers' files may share ids.
"""

from __future__ import annotations

import hashlib

from libs.iso20022.pain001 import CreditTransfer

PREFIX = "pain001:"


def idempotency_key(transfer: CreditTransfer) -> str:
    ref = transfer.ref
    parts = (ref.msg_id, ref.pmt_inf_id, ref.end_to_end_id, transfer.debtor_account_id)
    # Length-prefixed so ("ab", "c") and ("a", "bc") never hash alike.
    material = "".join(f"{len(part)}:{part}" for part in parts).encode()
    return PREFIX + hashlib.sha256(material).hexdigest()
