"""Path attributions (pure): additive by construction, exact for a model linear in the log-odds."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from services.ml.domain import explain

WEIGHTS = np.array([0.8, -1.5, 0.0, 2.0])


def _linear(rows: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(rows @ WEIGHTS - 0.5)))


def _interacting(rows: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(rows[:, 0] * rows[:, 1] + np.sin(rows[:, 2]) - rows[:, 3])))


values = st.lists(st.floats(-3, 3), min_size=4, max_size=4)


@given(values, values)
def test_a_linear_model_gets_its_own_terms(row, reference):
    row, reference = np.array(row, dtype=np.float32), np.array(reference, dtype=np.float32)
    contributions, base = explain.contributions(_linear(explain.path_rows(row, reference)), 4)
    np.testing.assert_allclose(contributions, WEIGHTS * (row - reference), atol=1e-4)
    assert abs(base - float(explain.log_odds(_linear(reference[None]))[0])) < 1e-9


@given(values, values)
def test_contributions_add_up_to_the_log_odds_of_the_instance(row, reference):
    row, reference = np.array(row, dtype=np.float32), np.array(reference, dtype=np.float32)
    paths = explain.path_rows(row, reference)
    assert paths.shape == (10, 4) and np.array_equal(paths[4], row) and np.array_equal(paths[9], row)
    contributions, base = explain.contributions(_interacting(paths), 4)
    instance = float(explain.log_odds(_interacting(row[None]))[0])
    assert abs(base + contributions.sum() - instance) < 1e-6
    unchanged = row == reference  # an input at its reference value contributes nothing
    assert np.all(contributions[unchanged] == 0)
