"""B5: data augmentation, NumPy flips and crops vs `tf.image` vs Keras's `RandomFlip` / `RandomCrop` / `CenterCrop`,
equal on the same choices. Images need no download: scikit-learn's two photographs (427×640×3) and its 8×8 digits.

Keras draws its own random numbers (Philox), NumPy its own (Mersenne Twister): the comparisons either feed one
side's choices to the other, or rebuild the choices a seeded Keras layer made (see keras_impl.augmentation)
and give them to NumPy. Every row is a pure data movement: `layout`, exact.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from keras_impl import augmentation as ka
from numpy_impl import augmentation as na
from numpy_impl.datasets import load_digit_images, load_sample_images_data
from parity_tests.error_parity import same_error
from parity_tests.harness import Mapping, concept

# The textbook⇄Keras mappings of B5, each proved by the rows of the comparison it names.
MAPPINGS = [
    Mapping("B5", "mirror an image: out[i, r, c] = image[i, r, W-1-c]",
            "keras.layers.RandomFlip('horizontal').transform_images fed the same flip choices",
            "test_flips"),
    Mapping("B5", "flip each image with probability 1/2",
            "RandomFlip(mode, seed) flips where stateless_uniform([seed, 0]) <= 0.5: the same choices "
            "fed to NumPy",
            "test_random_flip_same_choices"),
    Mapping("B5", "random crops and the central crop",
            "RandomCrop (one offset for the whole batch) and CenterCrop(top = (H - h) // 2, left = (W "
            "- w) // 2)",
            "test_crops_same_choices"),
]

SEED = 3
CROP = (150, 200)


@functools.lru_cache(maxsize=1)
def _photos():
    """The two photographs at half resolution, (2, 214, 320, 3): the same rows, a quarter of the time."""
    return load_sample_images_data()[:, ::2, ::2]


@functools.lru_cache(maxsize=1)
def _digits():
    return load_digit_images()[0][:64]


@concept("B5")
def test_flips(parity):
    photos = _photos().astype(parity.dtype)
    every = np.ones(photos.shape[0], bool)
    parity.check("horizontal flip of the photos (tf.image.flip_left_right)", "layout", na.horizontal_flip(photos),
                 ka.horizontal_flip(photos))
    parity.check("vertical flip of the photos (tf.image.flip_up_down)", "layout", na.vertical_flip(photos),
                 ka.vertical_flip(photos))
    parity.check("horizontal flip (RandomFlip.transform_images, all flags set)", "layout",
                 na.horizontal_flip(photos), ka.keras_flip(photos, every, "horizontal"))
    parity.check("vertical flip (RandomFlip.transform_images, all flags set)", "layout", na.vertical_flip(photos),
                 ka.keras_flip(photos, every, "vertical"))


@concept("B5")
def test_random_flip_same_choices(parity):
    digits = _digits().astype(parity.dtype)
    for mode in na.MODES:
        # NumPy draws, TF and Keras are fed the same flags
        flipped, flips = na.random_flip(digits, mode, seed=SEED)
        parity.check(f"random flip {mode}, NumPy's flags fed to tf.image", "layout", flipped,
                     ka.random_flip(digits, mode, flips)[0])
        parity.check(f"random flip {mode}, NumPy's flags fed to RandomFlip", "layout", flipped,
                     ka.keras_flip(digits, flips, mode))
        # the seeded Keras layer draws; its flags, rebuilt, drive NumPy
        keras_out, keras_flips = ka.keras_random_flip(digits, mode, seed=SEED)
        parity.check(f"RandomFlip({mode!r}, seed={SEED}) vs NumPy with its rebuilt flags", "layout",
                     na.random_flip(digits, mode, flips=keras_flips.numpy())[0], keras_out)
    kept = float(np.mean(keras_flips.numpy()))
    parity.note(f"RandomFlip(seed={SEED}) flipped {100 * kept:.0f}% of 64 digits (its uniforms are drawn in floatx: "
                "the same seed flips other images in float32 and float64); 'horizontal_and_vertical' uses one flag "
                "for both flips (a 180° turn or nothing), never one flip alone")


@concept("B5")
def test_crops_same_choices(parity):
    photos = _photos().astype(parity.dtype)
    height, width = CROP
    cropped, (top, left) = na.random_crop(photos, height, width, seed=SEED)
    parity.check(f"random {height}×{width} crop, one offset per photo, fed to tf.image", "layout", cropped,
                 ka.crop(photos, top, left, height, width))
    keras_out, (k_top, k_left) = ka.keras_random_crop(photos, height, width, seed=SEED)
    parity.check(f"RandomCrop({height}, {width}, seed={SEED}) vs NumPy crop at its rebuilt offset ({k_top}, {k_left})",
                 "layout", na.crop(photos, k_top, k_left, height, width), keras_out)
    one, (b_top, b_left) = na.random_crop(photos, height, width, seed=SEED, per_image=False)
    parity.check("one offset for the batch (NumPy's draw) fed to RandomCrop.transform_images", "layout", one,
                 ka.keras_crop(photos, int(b_top), int(b_left), height, width))
    parity.check(f"center {height}×{width} crop (tf.image)", "layout", na.center_crop(photos, height, width),
                 ka.center_crop(photos, height, width))
    parity.check(f"center {height}×{width} crop (keras.layers.CenterCrop)", "layout",
                 na.center_crop(photos, height, width), ka.keras_center_crop(photos, height, width))
    digits = _digits().astype(parity.dtype)
    d_out, (d_top, d_left) = ka.keras_random_crop(digits, 6, 6, seed=SEED)
    parity.check("RandomCrop(6, 6) on the 8×8 digits vs NumPy at the rebuilt offset", "layout",
                 na.crop(digits, d_top, d_left, 6, 6), d_out)


def test_random_crop_inference_returns_the_input():
    """Keras 3.15.1: RandomCrop(training=False) returns the images uncropped (docs: largest window, resized).

    If this fails after a Keras upgrade, the bug is fixed: then inference should equal the center crop.
    """
    photos = _photos().astype(np.float32)
    out = ka.keras_random_crop_inference(photos, *CROP).numpy()
    assert out.shape == photos.shape and np.array_equal(out, photos)
    assert ka.keras_center_crop(photos, *CROP).shape == (2, *CROP, 3)


def test_random_flip_inference_is_identity():
    import keras
    digits = _digits().astype(np.float32)
    assert np.array_equal(keras.layers.RandomFlip("horizontal_and_vertical", seed=SEED)(digits, training=False),
                          digits)


BAD = [
    (lambda s: s.horizontal_flip(np.zeros((8, 8, 1))), r"must be 4-D .*images\[None\]"),
    (lambda s: s.horizontal_flip(np.zeros((0, 8, 8, 1))), "holds no images"),
    (lambda s: s.vertical_flip(np.full((1, 2, 2, 1), np.nan)), "must be finite"),
    (lambda s: s.random_flip(np.zeros((2, 8, 8, 1)), "diagonal", np.ones(2, bool)), "mode must be one of"),
    (lambda s: s.random_flip(np.zeros((2, 8, 8, 1)), "horizontal", np.ones(3, bool)), "flips must be a bool array"),
    (lambda s: s.crop(np.zeros((2, 8, 8, 1)), 0, 0, 9, 4), r"must fit in the images \(H, W\) = \(8, 8\)"),
    (lambda s: s.crop(np.zeros((2, 8, 8, 1)), 5, 0, 4, 4), r"top must be an integer .* in \[0, 4\]"),
    (lambda s: s.crop(np.zeros((2, 8, 8, 1)), 0, -1, 4, 4), r"left must be an integer .* in \[0, 4\]"),
    (lambda s: s.center_crop(np.zeros((2, 8, 8, 1)), 0, 4), "height must be an integer >= 1"),
]


@pytest.mark.parametrize("case", range(len(BAD)))
def test_bad_input_same_error(case):
    call, match = BAD[case]
    same_error(lambda: call(na), lambda: call(ka), match=match)
