"""`make bench` stays runnable: its own calls pass the mesh's access control (nothing else runs the bench's setup).

Since end users are checked, the operator's `cli` certificate may only read; the bench's writes (opening its
crowd's accounts, the payments it reads back) go as the edge forwards an end user. This failed once unseen.
"""

from __future__ import annotations

import pytest

from services.runtime.config import Settings
from tools.bench.mesh import Crowd, _some_payments


@pytest.mark.mesh()
def test_the_bench_opens_its_crowds_accounts_and_pays_as_the_edge_forwards_an_end_user(settings: Settings):
    crowd = Crowd(settings, 1)
    assert len(crowd.templates) >= 2  # verified customers with accounts, two each
    assert len(_some_payments(settings, crowd.take(2), count=2)) == 2
