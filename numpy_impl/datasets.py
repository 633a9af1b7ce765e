"""The data sets of the course, generated offline, and two real data sets bundled with scikit-learn.

Shared by both sides (data, not math). Everything is returned in course layout: `X (n_x, m)`, `Y (n_y, m)`.
The generated sets reproduce the course's draws exactly: they seed NumPy's legacy global RNG the way the
course does (see docs/course_api.md), so the same call gives the course's points.
"""

from __future__ import annotations

import numpy as np
import sklearn.datasets


def load_planar_dataset() -> tuple[np.ndarray, np.ndarray]:
    """The planar "flower": `np.random.seed(1)`, m = 400, two petal-shaped classes.

    Returns `X (2, 400)` float64 and `Y (1, 400)` uint8 labels in {0, 1}.
    """
    np.random.seed(1)
    m, a = 400, 4
    N = m // 2  # points per class
    X = np.zeros((m, 2))
    Y = np.zeros((m, 1), dtype="uint8")
    for j in range(2):
        ix = range(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + np.random.randn(N) * 0.2  # theta
        r = a * np.sin(4 * t) + np.random.randn(N) * 0.2  # radius
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return X.T, Y.T


def load_circles_dataset() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The initialization assignment's circles: 300 training and 100 test points, noise 0.05.

    `np.random.seed(1)` before the training draw and `np.random.seed(2)` before the test draw (scikit-learn
    uses the global RNG when no `random_state` is given). Returns `train_X (2, 300), train_Y (1, 300),
    test_X (2, 100), test_Y (1, 100)`.
    """
    np.random.seed(1)
    train_X, train_Y = sklearn.datasets.make_circles(n_samples=300, noise=0.05)
    np.random.seed(2)
    test_X, test_Y = sklearn.datasets.make_circles(n_samples=100, noise=0.05)
    return train_X.T, train_Y.reshape(1, -1), test_X.T, test_Y.reshape(1, -1)


def load_moons_dataset() -> tuple[np.ndarray, np.ndarray]:
    """The optimization assignment's moons: `np.random.seed(3)`, 300 points, noise 0.2.

    Returns `train_X (2, 300)`, `train_Y (1, 300)`.
    """
    np.random.seed(3)
    train_X, train_Y = sklearn.datasets.make_moons(n_samples=300, noise=0.2)
    return train_X.T, train_Y.reshape(1, -1)


def _split_standardize(X: np.ndarray, Y: np.ndarray, test_fraction: float, seed: int, standardize: bool):
    """Seeded split of examples (rows of X) into train/test, then course layout; standardize with train stats."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    rng = np.random.RandomState(seed)  # a private stream: loading data never disturbs the global RNG
    perm = rng.permutation(X.shape[0])
    n_test = int(round(test_fraction * X.shape[0]))
    test, train = perm[:n_test], perm[n_test:]
    train_X, test_X = X[train].T.astype(np.float64), X[test].T.astype(np.float64)
    if standardize:
        mu = train_X.mean(axis=1, keepdims=True)
        sigma = train_X.std(axis=1, keepdims=True)
        sigma[sigma == 0] = 1.0  # constant features (digits' blank border pixels) stay at 0
        train_X, test_X = (train_X - mu) / sigma, (test_X - mu) / sigma
    return train_X, Y[:, train], test_X, Y[:, test]


def load_breast_cancer_data(test_fraction: float = 0.2, seed: int = 0, standardize: bool = True):
    """scikit-learn's bundled Wisconsin breast-cancer data (569 examples, 30 features, binary labels).

    A seeded split, then (by default) each feature standardized with the *training* mean and std.
    Returns `train_X (30, m_train), train_Y (1, m_train), test_X (30, m_test), test_Y (1, m_test)`,
    labels float64 in {0, 1} (1 = benign, scikit-learn's coding).
    """
    data = sklearn.datasets.load_breast_cancer()
    Y = data.target.reshape(1, -1).astype(np.float64)
    return _split_standardize(data.data, Y, test_fraction, seed, standardize)


def load_digits_data(digit: int | None = None, test_fraction: float = 0.2, seed: int = 0,
                     standardize: bool = False):
    """scikit-learn's bundled 8×8 handwritten digits (1797 examples, 64 pixels in 0..16, 10 classes).

    Pixels are scaled to [0, 1] (or standardized with training stats). With `digit=None` the labels are
    one-hot `(10, m)`; with `digit=d` they are the binary task "is it a d?" `(1, m)`.
    Returns `train_X (64, m_train), train_Y, test_X (64, m_test), test_Y`.
    """
    data = sklearn.datasets.load_digits()
    if digit is None:
        Y = np.eye(10)[data.target].T
    else:
        if digit not in range(10):
            raise ValueError(f"digit must be one of 0..9 or None, got {digit!r}")
        Y = (data.target == digit).astype(np.float64).reshape(1, -1)
    X = data.data / 16.0
    return _split_standardize(X, Y, test_fraction, seed, standardize)


def load_regularization_dataset() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A generated 2-D data set on which the regularization assignment's network visibly over-fits.

    The course trains its regularization driver on a 2-D "football" data set (where the goalkeeper should kick
    the ball) that is not available here; this stands in for it with the same sizes: 211 training and 200 test
    points. Two interleaved half-moons with heavy noise (`sklearn.datasets.make_moons(411, noise=0.35)` from a
    private `RandomState(0)`, so the global RNG is not touched), the first 211 points for training. The classes
    overlap, so a network that fits every training point draws a wiggly boundary around the noise: the
    unregularized [2, 20, 3, 1] network after 30000 steps at α = 0.3 scores far better on the training set than on
    the test set. Returns `train_X (2, 211), train_Y (1, 211), test_X (2, 200), test_Y (1, 200)`, labels int.
    """
    X, y = sklearn.datasets.make_moons(n_samples=411, noise=0.35, random_state=np.random.RandomState(0))
    return X[:211].T, y[:211].reshape(1, -1), X[211:].T, y[211:].reshape(1, -1)


def load_sample_images_data() -> np.ndarray:
    """scikit-learn's two bundled photographs (a temple in China, a flower), `(2, 427, 640, 3)` floats in [0, 1].

    Image layout `(m, height, width, channels)` (what augmentation and Keras's image layers take).
    """
    return np.stack(sklearn.datasets.load_sample_images().images).astype(np.float64) / 255.0


def load_digit_images() -> tuple[np.ndarray, np.ndarray]:
    """The 1797 bundled 8×8 digits as images `(1797, 8, 8, 1)` in [0, 1] and their labels `(1797,)` (0..9)."""
    data = sklearn.datasets.load_digits()
    return (data.images / 16.0)[..., None], data.target.copy()
