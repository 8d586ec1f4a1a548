"""KEK rotation on the running service: `python -m services.customer.rotate_kek` re-wraps every data key
under the new KEK in resumable, idempotent batches, while the old KEK stays readable until it is done."""

from __future__ import annotations

import subprocess
import sys

import grpc
import pytest
from fintech.common.v1.event_envelope_pb2 import SealedValue
from fintech.customer.v1 import customer_directory_service_pb2 as dsvc

from services.customer.adapters.db import personal_data
from services.customer.config import load_keys
from services.runtime.config import ROOT, Settings
from services.runtime.envelope_encryption import KeyUnavailable
from tests.customer.support import ADMIN, TELLER, Api, data_keys, erase, new_customer, query, register

pytestmark = pytest.mark.mesh("postgres", "kafka", "customer", "risk")


def rotate_kek(*args: str) -> subprocess.CompletedProcess:
    """The operator's command, in a process of its own with the test mesh's environment."""
    return subprocess.run(
        [sys.executable, "-m", "services.customer.rotate_kek", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def wrapped_by(settings: Settings, kek_id: str) -> int:
    return query(settings, "SELECT count(*) FROM customer_data_keys WHERE kek_id = :kek", kek=kek_id)[0][0]


def kek_of(settings: Settings, customer_id: str) -> set[str]:
    rows = query(settings, "SELECT kek_id FROM customer_data_keys WHERE customer_id = :id", id=customer_id)
    return {kek for (kek,) in rows}


def retrieve(api: Api, customer_id: str, claims: str = TELLER):
    return api.call(api.directory.RetrieveCustomer, dsvc.RetrieveCustomerRequest(customer_id=customer_id), claims)


def test_rotation_rewraps_every_data_key_every_customer_still_decrypts_and_erasure_still_shreds(
    api: Api, settings: Settings, mesh
):
    customers = [register(api, new_customer()) for _ in range(5)]
    old = load_keys(settings).active_kek_id
    assert {kek for c in customers for kek in kek_of(settings, c.customer_id)} == {old}

    # 1. A new active KEK, the old one kept to unwrap; the service restarts with both.
    added = rotate_kek("add-kek")
    assert added.returncode == 0, added.stderr
    new = added.stdout.strip()
    keys = load_keys(settings)
    assert keys.active_kek_id == new != old and set(keys.keks) >= {old, new}
    mesh.restart("customer")
    late = register(api, new_customer())
    assert kek_of(settings, late.customer_id) == {new}  # new data keys come wrapped by the new KEK

    # 2. Re-wrap, interrupted after one batch, then resumed; a third run finds nothing left.
    before = wrapped_by(settings, old)
    assert before >= len(customers)
    first = rotate_kek("rewrap", "--batch-size", "2", "--max-batches", "1")
    assert first.returncode == 0 and "re-wrapped 2 data keys" in first.stdout
    assert wrapped_by(settings, old) == before - 2
    refused = rotate_kek("drop-kek", old)  # not while keys still need it
    assert refused.returncode == 1 and f"still wrapped by {old}" in refused.stderr
    for customer in customers:  # meanwhile, customers under either KEK read as before
        assert retrieve(api, customer.customer_id).customer == customer
    rest = rotate_kek("rewrap", "--batch-size", "3")
    assert rest.returncode == 0 and f"re-wrapped {before - 2} data keys under {new}" in rest.stdout
    assert rotate_kek("rewrap").stdout.startswith("re-wrapped 0 data keys")
    assert wrapped_by(settings, old) == 0
    assert query(settings, "SELECT count(*) FROM customer_data_keys WHERE rewrap_time IS NULL AND kek_id <> :new",
                 new=new)[0][0] == 0  # fmt: skip
    total = query(settings, "SELECT count(*) FROM customer_data_keys")[0][0]
    assert rotate_kek("status").stdout.splitlines() == [f"{new}\t{total}\t(active)"]

    # 3. The old KEK goes; with the new one alone, every customer still decrypts.
    dropped = rotate_kek("drop-kek", old)
    assert dropped.returncode == 0, dropped.stderr
    assert set(load_keys(settings).keks) == {new}
    mesh.restart("customer")
    for customer in [*customers, late]:
        assert retrieve(api, customer.customer_id).customer == customer
        ring = data_keys(settings, customer.customer_id)  # unwrapped with the new KEK only
        (blob,) = query(settings, "SELECT family_name FROM customers WHERE customer_id = :id",
                        id=customer.customer_id)[0]  # fmt: skip
        assert ring.open(personal_data.field_ad("family_name"), SealedValue.FromString(bytes(blob))).decode() == (
            customer.family_name
        )
    listed, token = 0, ""
    while True:  # every customer of the database opens (an unreadable key would fail the page)
        page = api.call(api.directory.ListCustomers, dsvc.ListCustomersRequest(page_size=200, page_token=token), ADMIN)
        listed += len(page.customers)
        token = page.next_page_token
        if not token:
            break
    assert listed >= len(customers) + 1

    # Erasure still shreds a re-wrapped key.
    victim = customers[0]
    sealed = SealedValue.FromString(bytes(query(settings, "SELECT family_name FROM customers WHERE customer_id = :id",
                                                id=victim.customer_id)[0][0]))  # fmt: skip
    erase(api, victim.customer_id)
    assert kek_of(settings, victim.customer_id) == set()
    with pytest.raises(KeyUnavailable):
        data_keys(settings, victim.customer_id).open(personal_data.field_ad("family_name"), sealed)
    with pytest.raises(grpc.RpcError) as caught:
        retrieve(api, victim.customer_id, ADMIN)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
