"""Train/dev/test split (concept B1): one seeded permutation, cut into three parts, in course layout.

The notes: split the data into a training set, a dev (hold-out, cross-validation) set and a test set; with
little data (say up to 10^4 examples) 60/20/20; with a lot of data the dev and test sets only need to be big
enough to compare models and to estimate the final error, so ~10^4 examples each are enough: 98/1/1 for
10^6 examples (`notes_proportions`).

The rule (`split_sizes`): m_dev = round(p_dev·m), m_test = round(p_test·m) (Python's round, half to even),
m_train = m - m_dev - m_test, each part at least one example. The permutation is
`np.random.seed(seed); np.random.permutation(m)` (the legacy global generator, like the course); the first
m_train permuted indices are the training set, the next m_dev the dev set, the rest the test set, so every
example lands in exactly one part.
"""

from __future__ import annotations

import numpy as np

from numpy_impl.validation import check_count, check_proportions, check_X_Y

SMALL_DATA = (0.6, 0.2, 0.2)
BIG_DATA = (0.98, 0.01, 0.01)
BIG_DATA_M = 1_000_000  # from here on the notes' "big data" proportions


def notes_proportions(m: int) -> tuple[float, float, float]:
    """(train, dev, test) shares: 60/20/20 below 10^6 examples, 98/1/1 from 10^6 on."""
    m = check_count(m, "m")
    return BIG_DATA if m >= BIG_DATA_M else SMALL_DATA


def split_sizes(m: int, proportions=SMALL_DATA) -> tuple[int, int, int]:
    """(m_train, m_dev, m_test) = (m - m_dev - m_test, round(p_dev·m), round(p_test·m)), each >= 1."""
    m = check_count(m, "m")
    _, p_dev, p_test = check_proportions(proportions)
    m_dev, m_test = round(p_dev * m), round(p_test * m)
    sizes = (m - m_dev - m_test, m_dev, m_test)
    if min(sizes) < 1:
        raise ValueError(f"m = {m} examples split {proportions!r} gives (train, dev, test) = {sizes}: every part "
                         "needs at least one example")
    return sizes


def split_permutation(m: int, seed: int = 0) -> np.ndarray:
    """np.random.seed(seed); np.random.permutation(m) -> (m,) int array."""
    m = check_count(m, "m")
    seed = check_count(seed, "seed", minimum=0)
    np.random.seed(seed)
    return np.random.permutation(m)


def split_indices(m: int, proportions=SMALL_DATA, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The permutation cut into (train_idx (m_train,), dev_idx (m_dev,), test_idx (m_test,))."""
    m_train, m_dev, _ = split_sizes(m, proportions)
    permutation = split_permutation(m, seed)
    return permutation[:m_train], permutation[m_train:m_train + m_dev], permutation[m_train + m_dev:]


def split_by_permutation(X, Y, permutation, proportions=SMALL_DATA):
    """X (n_x, m), Y (n_y, m), permutation (m,) -> (X_train, Y_train, X_dev, Y_dev, X_test, Y_test): the first
    m_train permuted columns, the next m_dev, the rest (X_train (n_x, m_train), Y_train (n_y, m_train), ...).

    Labels are not checked for being binary (any n_y rows of labels or targets).
    """
    X, Y = check_X_Y(X, Y, binary=False)
    p = np.asarray(permutation)
    if p.ndim != 1 or not np.issubdtype(p.dtype, np.integer) or p.size == 0:
        raise ValueError(f"permutation must be a non-empty 1-D integer array, got {p.dtype.name} of shape {p.shape}")
    if not np.array_equal(np.sort(p), np.arange(p.size)):
        raise ValueError(f"permutation must hold each of 0..{p.size - 1} exactly once")
    if p.size != X.shape[1]:
        raise ValueError(f"permutation has {p.size} entries but X has m = {X.shape[1]} examples")
    m_train, m_dev, _ = split_sizes(X.shape[1], proportions)
    parts = []
    for idx in (p[:m_train], p[m_train:m_train + m_dev], p[m_train + m_dev:]):
        parts += [X[:, idx], Y[:, idx]]
    return tuple(parts)


def train_dev_test_split(X, Y, proportions=SMALL_DATA, seed: int = 0):
    """X (n_x, m), Y (n_y, m) -> (X_train, Y_train, X_dev, Y_dev, X_test, Y_test) with the seeded permutation
    `split_permutation(m, seed)`, cut as `split_indices` cuts it (X_train (n_x, m_train), Y_train (n_y, m_train), ...).
    """
    X, Y = check_X_Y(X, Y, binary=False)
    split_sizes(X.shape[1], proportions)
    return split_by_permutation(X, Y, split_permutation(X.shape[1], seed), proportions)
