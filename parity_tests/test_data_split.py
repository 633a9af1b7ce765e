"""B1: train/dev/test split, NumPy's seeded permutation cut into three vs the same permutation cut by tf.data,
and what `keras.utils.split_dataset` does with its own shuffling.

Data: the 569 breast-cancer examples (30 features) in course layout, 60/20/20; and the indices of 5·10^4
examples cut 98/1/1 (the notes' big-data proportions, which `notes_proportions` picks from 10^6 examples on).
"""

from __future__ import annotations

import functools
import random

import numpy as np
import pytest
import tensorflow as tf

from keras_impl import data_split as kds
from numpy_impl import data_split as nds
from numpy_impl.datasets import load_breast_cancer_data
from parity_tests.error_parity import same_error
from parity_tests.harness import Mapping, concept

# The textbook⇄Keras mappings of B1, each proved by the rows of the comparison it names.
MAPPINGS = [
    Mapping("B1", "shuffle, then train / dev / test of m_train, m_dev, m_test examples",
            "keras.utils.split_dataset(shuffle=True, seed): the split of Python's random.Random(seed) "
            "shuffle",
            "test_keras_split_dataset"),
]

SEED = 1


@functools.lru_cache(maxsize=1)
def _all_examples():
    X, Y, X_test, Y_test = load_breast_cancer_data(standardize=False)
    return np.hstack([X, X_test]), np.hstack([Y, Y_test])


def _data(dtype):
    X, Y = _all_examples()
    return X.astype(dtype), Y.astype(dtype)


@concept("B1")
def test_sizes(parity):
    for m in (10, 569, 10_000, 999_999, 1_000_000, 3_000_000):
        proportions = nds.notes_proportions(m)
        parity.check(f"(m_train, m_dev, m_test) for m = {m} ({'/'.join(f'{100 * p:g}' for p in proportions)})",
                     "layout", np.array(nds.split_sizes(m, proportions)),
                     np.array(kds.split_sizes(m, kds.notes_proportions(m))))


@concept("B1")
def test_same_partition_small_data(parity):
    X, Y = _data(parity.dtype)
    m = X.shape[1]
    indices = nds.split_indices(m, nds.SMALL_DATA, SEED)
    tf_indices = kds.split_indices_tf_data(nds.split_permutation(m, SEED), kds.SMALL_DATA)
    for name, idx, tf_idx in zip(("train", "dev", "test"), indices, tf_indices, strict=True):
        parity.check(f"{name} indices (tf.data take/skip)", "layout", idx, tf_idx)
    parity.check("times each example is in a part (bincount, 1 everywhere)", "layout",
                 np.bincount(np.concatenate(indices), minlength=m),
                 tf.math.bincount(tf.cast(tf.concat(tf_indices, 0), tf.int32), minlength=m))
    assert np.all(np.bincount(np.concatenate(indices), minlength=m) == 1)
    parts = nds.train_dev_test_split(X, Y, nds.SMALL_DATA, SEED)
    datasets = kds.split_with_tf_data(X, Y, nds.split_permutation(m, SEED), kds.SMALL_DATA)
    tf_parts = [a for ds in datasets for a in kds.dataset_to_course(ds)]
    for name, a, b in zip(("X_train", "Y_train", "X_dev", "Y_dev", "X_test", "Y_test"), parts, tf_parts, strict=True):
        parity.check(f"{name} (tf.data)", "layout", a, b)


@concept("B1")
def test_same_partition_big_data(parity):
    """98/1/1 on 5·10^4 indices (tf.data walks a sliced dataset one element at a time: 10^6 take ~5 s)."""
    m = 50_000
    indices = nds.split_indices(m, nds.BIG_DATA, SEED)
    tf_indices = kds.split_indices_tf_data(nds.split_permutation(m, SEED), kds.BIG_DATA)
    for name, idx, tf_idx in zip(("train", "dev", "test"), indices, tf_indices, strict=True):
        parity.check(f"{name} indices, m = 5·10^4, 98/1/1 (tf.data)", "layout", idx, tf_idx)
    parity.check("times each of 5·10^4 examples is in a part", "layout",
                 np.bincount(np.concatenate(indices), minlength=m),
                 tf.math.bincount(tf.cast(tf.concat(tf_indices, 0), tf.int32), minlength=m))


@concept("B1")
def test_keras_split_dataset(parity):
    """`keras.utils.split_dataset(shuffle=True, seed)` = the split of Python's `random.Random(seed)` shuffle."""
    X, Y = _data(parity.dtype)
    m = X.shape[1]
    state = random.getstate()
    try:
        datasets = kds.keras_split_dataset(X, Y, kds.SMALL_DATA, SEED)
        keras_parts = [a for ds in datasets for a in kds.dataset_to_course(ds)]
    finally:
        random.setstate(state)
    python_order = kds.split_dataset_permutation(m, SEED).numpy()
    parts = nds.split_by_permutation(X, Y, python_order, nds.SMALL_DATA)
    for name, a, b in zip(("X_train", "Y_train", "X_dev", "Y_dev", "X_test", "Y_test"), parts, keras_parts,
                          strict=True):
        parity.check(f"{name}: split_dataset vs NumPy cut of Python's shuffle", "layout", a, b)
    numpy_train = set(nds.split_indices(m, nds.SMALL_DATA, SEED)[0].tolist())
    shared = len(numpy_train & set(python_order[: len(numpy_train)].tolist())) / len(numpy_train)
    parity.note(f"split_dataset(shuffle=True, seed={SEED}) shuffles with Python's random, not NumPy's: its training "
                f"set and that of np.random.seed({SEED}); permutation(m) share {100 * shared:.0f}% of their "
                "examples (chance level: 60%)")


def test_split_dataset_reseeds_python_random():
    """A measured side effect: split_dataset calls random.seed(seed) on Python's global generator."""
    X, Y = _all_examples()
    state = random.getstate()
    try:
        random.seed(12345)
        kds.keras_split_dataset(X, Y, kds.SMALL_DATA, SEED)
        after = random.random()
        reference = random.Random(SEED)
        reference.shuffle(list(range(X.shape[1])))
        assert after == reference.random()
    finally:
        random.setstate(state)


def test_numpy_split_is_seeded_and_differs_from_keras_shuffle():
    m = 569
    assert np.array_equal(nds.split_permutation(m, SEED), nds.split_permutation(m, SEED))
    assert not np.array_equal(nds.split_permutation(m, SEED), kds.split_dataset_permutation(m, SEED).numpy())


BAD = [
    (lambda s: s.split_sizes(0), "m must be an integer >= 1"),
    (lambda s: s.split_sizes(10, (0.6, 0.2)), "proportions must be three numbers > 0"),
    (lambda s: s.split_sizes(10, (0.6, 0.5, -0.1)), "proportions must be three numbers > 0"),
    (lambda s: s.split_sizes(10, (0.6, 0.3, 0.3)), "proportions must sum to 1"),
    (lambda s: s.split_sizes(3, (0.98, 0.01, 0.01)), "every part needs at least one example"),
    (lambda s: s.notes_proportions(True), "m must be an integer >= 1"),
]


@pytest.mark.parametrize("case", range(len(BAD)))
def test_bad_sizes_same_error(case):
    call, match = BAD[case]
    same_error(lambda: call(nds), lambda: call(kds), match=match)


@pytest.mark.parametrize("permutation, match", [
    (np.array([0, 1, 1, 3]), "each of 0..3 exactly once"),
    (np.array([0.0, 1.0, 2.0, 3.0]), "non-empty 1-D integer array"),
    (np.arange(5), "permutation has 5 entries but X has m = 4"),
])
def test_bad_permutation_same_error(permutation, match):
    X, Y = np.arange(8.0).reshape(2, 4), np.array([[0.0, 1.0, 0.0, 1.0]])
    same_error(lambda: nds.split_by_permutation(X, Y, permutation, (0.5, 0.25, 0.25)),
               lambda: kds.split_with_tf_data(X, Y, permutation, (0.5, 0.25, 0.25)), match=match)


def test_bad_layout_same_error():
    X, Y = _all_examples()
    same_error(lambda: nds.train_dev_test_split(X.T, Y), lambda: kds.keras_split_dataset(X.T, Y), match="pass X.T")
