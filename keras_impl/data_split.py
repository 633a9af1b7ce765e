"""Train/dev/test split with `tf.data` and with `keras.utils.split_dataset` (concept B1).

Mirrors `numpy_impl.data_split`:
- `split_sizes(m, proportions)` is the same rule (m_dev = round(p_dev·m), m_test = round(p_test·m), the rest
  for training); `notes_proportions(m)` the same 60/20/20 vs 98/1/1 choice;
- part 1, `tf.data`: `split_indices_tf_data(permutation, proportions)` mirrors `split_indices(m, proportions,
  seed)`, and `split_with_tf_data(X, Y, permutation, proportions)` mirrors `split_by_permutation(X, Y,
  permutation, proportions)` (and so `train_dev_test_split(X, Y, proportions, seed)` given the NumPy side's
  `split_permutation(m, seed)`): they cut the permutation with `Dataset.take` / `skip`; examples are gathered
  in Keras layout `(n_x,)` per element and `dataset_to_course` stacks a dataset back into course layout
  (X (n_x, m), Y (n_y, m));
- part 2, Keras: `keras_split_dataset(X, Y, proportions, seed)` is two calls of `keras.utils.split_dataset`
  (train vs the rest shuffled with `seed`, then the rest cut into dev and test unshuffled).

What `split_dataset(shuffle=True, seed=s)` does (Keras 3, `keras/src/utils/dataset_utils.py`): it turns the
data into a Python list, calls `random.seed(s)` and `random.shuffle(list)` on Python's *global* `random`
module (so it reseeds the caller's Python RNG as a side effect), keeps the first `left_size` for the left
part and the last `right_size` for the right. Its permutation is Python's Mersenne-Twister shuffle, not
NumPy's: `split_dataset_permutation(m, seed)` rebuilds it, and with it `split_with_tf_data` gives the same
partition (tested), while the same seed in `np.random.permutation` gives another one.
"""

from __future__ import annotations

import random

import keras
import tensorflow as tf

from keras_impl import convert
from numpy_impl.validation import check_count, check_proportions, check_X_Y

# Which NumPy function (numpy_impl.data_split, or numpy_impl.<module>.<name>) each function here mirrors;
# the docs site pairs its code columns from this, parity_tests/test_twins.py checks it. None: no NumPy twin.
MIRRORS = {
    "B1": {
        "notes_proportions": "notes_proportions",
        "split_sizes": "split_sizes",
        "split_indices_tf_data": "split_indices",
        "split_with_tf_data": "split_by_permutation",
        "dataset_to_course": None,
        "split_dataset_permutation": "split_permutation",
        "keras_split_dataset": "train_dev_test_split",
    },
}
# The Keras-block versions and how they map onto the notes' formulas.
KERAS_BLOCKS = {
    "keras_split_dataset": (
        "keras.utils.split_dataset(left_size=m_train, shuffle=True, seed) then the rest cut unshuffled into dev and "
        "test: the notes' train/dev/test split, with Keras's shuffle (Python's random.Random(seed)) in place of "
        "NumPy's permutation."
    ),
}

SMALL_DATA = (0.6, 0.2, 0.2)
BIG_DATA = (0.98, 0.01, 0.01)
BIG_DATA_M = 1_000_000


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


def _check_permutation(permutation) -> tf.Tensor:
    p = tf.convert_to_tensor(permutation)
    if p.shape.rank != 1 or not p.dtype.is_integer or p.shape[0] == 0:
        raise ValueError(f"permutation must be a non-empty 1-D integer array, got {p.dtype.name} of shape "
                         f"{tuple(p.shape)}")
    m = p.shape[0]
    if not bool(tf.reduce_all(tf.sort(p) == tf.range(m, dtype=p.dtype))):
        raise ValueError(f"permutation must hold each of 0..{m - 1} exactly once")
    return tf.cast(p, tf.int64)


# ---------------------------------------------------------------- part 1: tf.data


def _parts(dataset: tf.data.Dataset, sizes) -> list[tf.data.Dataset]:
    m_train, m_dev, _ = sizes
    return [dataset.take(m_train), dataset.skip(m_train).take(m_dev), dataset.skip(m_train + m_dev)]


def split_indices_tf_data(permutation, proportions=SMALL_DATA) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """`Dataset.from_tensor_slices(permutation)` cut by take/skip -> (train_idx, dev_idx, test_idx) int64 tensors."""
    p = _check_permutation(permutation)
    parts = _parts(tf.data.Dataset.from_tensor_slices(p), split_sizes(int(p.shape[0]), proportions))
    return tuple(tf.concat(list(part.batch(1 << 20)), axis=0) for part in parts)


def split_with_tf_data(X, Y, permutation, proportions=SMALL_DATA) -> tuple[tf.data.Dataset, ...]:
    """X (n_x, m), Y (n_y, m) -> (train, dev, test) `tf.data.Dataset`s of (x (n_x,), y (n_y,)) in permutation order."""
    X, Y = check_X_Y(X, Y, binary=False)
    p = _check_permutation(permutation)
    if p.shape[0] != X.shape[1]:
        raise ValueError(f"permutation has {p.shape[0]} entries but X has m = {X.shape[1]} examples")
    x, y = convert.inputs_to_keras(X), convert.labels_to_keras(Y)
    examples = tf.data.Dataset.from_tensor_slices(p).map(lambda i: (tf.gather(x, i), tf.gather(y, i)))
    return tuple(_parts(examples, split_sizes(X.shape[1], proportions)))


def dataset_to_course(dataset: tf.data.Dataset) -> tuple[tf.Tensor, tf.Tensor]:
    """A dataset of (x (n_x,), y (n_y,)) -> X (n_x, m), Y (n_y, m) in course layout (through convert)."""
    x, y = tf.data.Dataset.get_single_element(dataset.batch(1 << 30))
    return convert.inputs_from_keras(x), convert.inputs_from_keras(y)


# ---------------------------------------------------------------- part 2: keras.utils.split_dataset


def split_dataset_permutation(m: int, seed: int) -> tf.Tensor:
    """The order `split_dataset(shuffle=True, seed=seed)` puts m examples in: Python's `random.Random(seed)
    .shuffle(list(range(m)))` (what `random.seed(seed); random.shuffle(...)` does) -> (m,) int64."""
    order = list(range(check_count(m, "m")))
    random.Random(check_count(seed, "seed", minimum=0)).shuffle(order)
    return tf.constant(order, tf.int64)


def keras_split_dataset(X, Y, proportions=SMALL_DATA, seed: int = 0) -> tuple[tf.data.Dataset, ...]:
    """(train, dev, test) from `keras.utils.split_dataset`: train = the first m_train of Keras's shuffle,
    then the remaining m_dev + m_test cut unshuffled into dev and test. Elements (x (n_x,), y (n_y,))."""
    X, Y = check_X_Y(X, Y, binary=False)
    m_train, m_dev, m_test = split_sizes(X.shape[1], proportions)
    seed = check_count(seed, "seed", minimum=0)
    data = (convert.inputs_to_keras(X).numpy(), convert.labels_to_keras(Y).numpy())
    train, rest = keras.utils.split_dataset(data, left_size=m_train, right_size=m_dev + m_test, shuffle=True,
                                            seed=seed)
    dev, test = keras.utils.split_dataset(rest, left_size=m_dev, right_size=m_test, shuffle=False)
    return train, dev, test
