"""Feature contributions of a prediction from scores alone (the served model is a black box to Triton).

Path attribution: from a reference row (the training medians) to the instance, one input switched at a
time; an input's contribution is the change of the log-odds when it is switched. Averaging the forward
and the reverse order of the inputs (two permutations of Shapley sampling) approximates SHAP values,
and the contributions add up exactly: base value (the reference's log-odds) + contributions = the
instance's log-odds. Pure numpy; the caller scores the rows.
"""

from __future__ import annotations

import numpy as np

EPSILON = 1e-7


def path_rows(row: np.ndarray, reference: np.ndarray) -> np.ndarray:
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


def log_odds(scores: np.ndarray) -> np.ndarray:
    p = np.clip(scores.astype(float), EPSILON, 1 - EPSILON)
    return np.log(p / (1 - p))


def contributions(path_scores: np.ndarray, k: int) -> tuple[np.ndarray, float]:
    """(each input's contribution in signature order, base value) from the scores of `path_rows`."""
    logits = log_odds(path_scores)
    forward = np.diff(logits[: k + 1])
    reverse = np.diff(logits[k + 1 :])[::-1]
    return (forward + reverse) / 2, float(logits[0])
