"""Feature contributions of a prediction from scores alone (the served model is a black box to Triton).

Path attribution: from a reference row (the training medians) to the instance, one input switched at a
time; an input's contribution is the change of the log-odds when it is switched. Averaging the forward
and the reverse order of the inputs (two permutations of Shapley sampling) approximates SHAP values,
and the contributions add up exactly: base value (the reference's log-odds) + contributions = the
instance's log-odds. Pure numpy; the caller scores the rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[Any]

EPSILON = 1e-7


def path_rows(row: Array, reference: Array) -> npt.NDArray[np.float32]:
    """2k + 2 rows for k inputs: the reference, then each input switched in order up to the instance;
    again in reverse order."""
    k = len(row)
    rows = np.empty((2 * k + 2, k), dtype=np.float32)
    for start, order in ((0, range(k)), (k + 1, reversed(range(k)))):
        current = reference.astype(np.float32).copy()
        rows[start] = current
        for step, j in enumerate(order, start=1):
            current[j] = row[j]
            rows[start + step] = current
    return rows


def log_odds(scores: Array) -> npt.NDArray[np.float64]:
    p = np.clip(scores.astype(float), EPSILON, 1 - EPSILON)
    logits: npt.NDArray[np.float64] = np.log(p / (1 - p))
    return logits


def contributions(path_scores: Array, k: int) -> tuple[npt.NDArray[np.float64], float]:
    """(each input's contribution in signature order, base value) from the scores of `path_rows`."""
    logits = log_odds(path_scores)
    forward = np.diff(logits[: k + 1])
    reverse = np.diff(logits[k + 1 :])[::-1]
    return (forward + reverse) / 2, float(logits[0])
