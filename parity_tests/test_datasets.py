"""numpy_impl.datasets: the course's generated data sets and the two bundled real ones, in course layout."""

from __future__ import annotations

import numpy as np
import pytest

from numpy_impl import datasets


def test_planar_flower_is_the_course_draw():
    X, Y = datasets.load_planar_dataset()
    assert X.shape == (2, 400) and Y.shape == (1, 400) and Y.dtype == np.uint8
    assert np.bincount(Y[0]).tolist() == [200, 200]
    # The course seeds the legacy global RNG: the first theta-noise draw after np.random.seed(1) is
    # 1.6243453636632417 (the well-known first randn value), which fixes the first point exactly.
    t0 = 0.0 + 1.6243453636632417 * 0.2
    np.random.seed(1)
    noise_t = np.random.randn(200) * 0.2
    noise_r = np.random.randn(200) * 0.2
    r0 = 4 * np.sin(4 * t0) + noise_r[0]
    assert noise_t[0] == pytest.approx(t0)
    np.testing.assert_allclose(X[:, 0], [r0 * np.sin(t0), r0 * np.cos(t0)], rtol=1e-15)
    X2, _ = datasets.load_planar_dataset()
    np.testing.assert_array_equal(X, X2)


def test_circles_and_moons_shapes_labels_and_determinism():
    train_X, train_Y, test_X, test_Y = datasets.load_circles_dataset()
    assert (train_X.shape, train_Y.shape, test_X.shape, test_Y.shape) == ((2, 300), (1, 300), (2, 100), (1, 100))
    assert np.array_equal(datasets.load_circles_dataset()[0], train_X)
    assert set(np.unique(train_Y)) == {0, 1}
    X, Y = datasets.load_moons_dataset()
    assert X.shape == (2, 300) and Y.shape == (1, 300) and np.bincount(Y[0]).tolist() == [150, 150]


def test_breast_cancer_split_is_standardized_with_training_statistics():
    train_X, train_Y, test_X, test_Y = datasets.load_breast_cancer_data()
    assert train_X.shape == (30, 455) and test_X.shape == (30, 114)
    assert train_Y.shape == (1, 455) and set(np.unique(train_Y)) == {0.0, 1.0}
    np.testing.assert_allclose(train_X.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(train_X.std(axis=1), 1, rtol=1e-12)
    assert not np.allclose(test_X.mean(axis=1), 0, atol=1e-3)  # test set uses the training mu, sigma


def test_digits_one_hot_and_binary():
    train_X, train_Y, test_X, _ = datasets.load_digits_data()
    assert train_X.shape[0] == 64 and train_Y.shape[0] == 10
    np.testing.assert_array_equal(train_Y.sum(axis=0), 1)
    assert 0 <= train_X.min() and train_X.max() <= 1
    _, Yb, _, _ = datasets.load_digits_data(digit=3)
    assert Yb.shape[0] == 1 and 0.05 < Yb.mean() < 0.15
    with pytest.raises(ValueError, match="digit must be one of 0..9"):
        datasets.load_digits_data(digit=11)


def test_loaders_do_not_disturb_the_global_rng():
    np.random.seed(5)
    expected = np.random.rand()
    np.random.seed(5)
    datasets.load_breast_cancer_data()
    assert np.random.rand() == expected
