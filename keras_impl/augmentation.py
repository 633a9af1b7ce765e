"""Data augmentation with `tf.image` and Keras's preprocessing layers (concept B5).

Mirrors `numpy_impl.augmentation` (images `(m, height, width, channels)`, Keras's "channels_last": the same
layout on both sides, no transposes):
- part 1, `tf.image` (same names, arguments and returns): `horizontal_flip` = `tf.image.flip_left_right`,
  `vertical_flip` = `tf.image.flip_up_down`, `random_flip(images, mode, flips)` (the flips given: TF and NumPy
  draw different random numbers), `crop(images, top, left, height, width)` = `tf.image.crop_to_bounding_box`
  per image, `center_crop(images, height, width)`;
- part 2, Keras layers: `keras_flip(images, flips, mode)` feeds given choices to `RandomFlip.transform_images`;
  `keras_random_flip(images, mode, seed)` calls the layer itself (`training=True`) and returns the flags it
  drew, rebuilt; `keras_crop` / `keras_random_crop` do the same for `RandomCrop`; `keras_center_crop` is
  `CenterCrop`; `keras_random_crop_inference` is `RandomCrop(...)(images, training=False)`.

How the layers choose (Keras 3, `keras/src/layers/preprocessing/image_preprocessing/`): a layer made with
`seed=s` owns a `SeedGenerator` whose k-th draw uses the stateless seed `[s, k]` (k = 0, 1, ...).
`RandomFlip` draws one uniform per image, `u = stateless_uniform((m, 1, 1, 1), [s, k], floatx)`, and flips
where `u <= 0.5`; in "horizontal_and_vertical" mode the *same* flag drives both flips. `RandomCrop` draws one
offset for the whole batch: `top = int(uniform((), 0, H - height + 1, [s, k]))`, then `left` with `[s, k+1]`.
Inference: `RandomFlip(training=False)` returns the images unchanged, as documented. `RandomCrop` is documented
to return the largest window of the target aspect ratio, resized (a center crop when it fits), but in the
installed Keras 3.15.1 `RandomCrop(training=False)` returns its input *uncropped* (the inference branch
computes a window and never applies it): `keras_random_crop_inference` shows it and a test pins it;
`CenterCrop` is the layer that does at inference what the docs promise.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from numpy_impl.validation import check_count

# Which NumPy function (numpy_impl.augmentation, or numpy_impl.<module>.<name>) each function here mirrors;
# the docs site pairs its code columns from this, parity_tests/test_twins.py checks it. None: no NumPy twin.
MIRRORS = {
    "B5": {
        "check_images": "check_images",
        "check_flips": "check_flips",
        "horizontal_flip": "horizontal_flip",
        "vertical_flip": "vertical_flip",
        "random_flip": "random_flip",
        "crop": "crop",
        "center_crop": "center_crop",
        "keras_flip": "random_flip",
        "keras_random_flip": "random_flip",
        "keras_crop": "crop",
        "keras_random_crop": "random_crop",
        "keras_center_crop": "center_crop",
        "keras_random_crop_inference": None,
    },
}
# The Keras-block versions and how they map onto the notes' formulas.
KERAS_BLOCKS = {
    "keras_flip": (
        "keras.layers.RandomFlip(mode).transform_images fed the same flip choices: the notes' mirroring, out[i, r, "
        "c] = images[i, r, W-1-c] for a horizontal flip."
    ),
    "keras_random_flip": (
        "RandomFlip(mode, seed) draws its flags by stateless_uniform with seed [seed, 0], flip where u <= 0.5; "
        "rebuilt here, they are fed to NumPy's random_flip."
    ),
    "keras_crop": (
        "keras.layers.RandomCrop(height, width).transform_images fed one (top, left) offset for the batch."
    ),
    "keras_random_crop": (
        "RandomCrop(height, width, seed) in training mode: one offset for the whole batch, rebuilt here and fed to "
        "NumPy's crop."
    ),
    "keras_center_crop": (
        "keras.layers.CenterCrop: top = (H - height) // 2, left = (W - width) // 2, as center_crop."
    ),
    "keras_random_crop_inference": (
        "RandomCrop with training=False returns the images uncropped in this Keras version (where a center crop "
        "might be expected)."
    ),
}

MODES = ("horizontal", "vertical", "horizontal_and_vertical")


def check_images(images, name: str = "images") -> tf.Tensor:
    """A 4-D numeric, finite tensor (m, height, width, channels) with m >= 1 (integers become float64)."""
    t = tf.convert_to_tensor(images)
    if not (t.dtype.is_floating or t.dtype.is_integer or t.dtype == tf.bool):
        raise TypeError(f"{name} must be a numeric array, got dtype {t.dtype.name}")
    if not t.dtype.is_floating:
        t = tf.cast(t, tf.float64)
    if t.shape.rank != 4:
        hint = " (one image: add the batch axis, images[None])" if t.shape.rank == 3 else ""
        raise ValueError(f"{name} must be 4-D (m, height, width, channels), got shape {tuple(t.shape)}{hint}")
    if t.shape[0] == 0:
        raise ValueError(f"{name} holds no images: shape {tuple(t.shape)} has m = 0")
    finite = tf.math.is_finite(t)
    if not bool(tf.reduce_all(finite)):
        bad = int(tf.size(t)) - int(tf.math.count_nonzero(finite))
        raise ValueError(f"{name} must be finite: it holds {bad} NaN/inf value(s)")
    return t


def _check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    return mode


def check_flips(flips, m: int) -> tf.Tensor:
    f = tf.convert_to_tensor(flips)
    if tuple(f.shape) != (m,) or f.dtype != tf.bool:
        raise ValueError(f"flips must be a bool array of shape (m,) = ({m},), got {f.dtype.name} of shape "
                         f"{tuple(int(d) for d in f.shape)}")
    return f


def _check_crop(images, height, width):
    images = check_images(images)
    H, W = images.shape[1], images.shape[2]
    height, width = check_count(height, "height"), check_count(width, "width")
    if height > H or width > W:
        raise ValueError(f"the crop ({height}, {width}) must fit in the images (H, W) = ({H}, {W})")
    return images, height, width


# ---------------------------------------------------------------- part 1: tf.image


def horizontal_flip(images) -> tf.Tensor:
    """`tf.image.flip_left_right`: out[i, r, c] = images[i, r, W-1-c]."""
    return tf.image.flip_left_right(check_images(images))


def vertical_flip(images) -> tf.Tensor:
    """`tf.image.flip_up_down`: out[i, r, c] = images[i, H-1-r, c]."""
    return tf.image.flip_up_down(check_images(images))


def random_flip(images, mode: str = "horizontal", flips=None, seed: int | None = None):
    """Flip image i iff flips[i], with `tf.where` over `tf.image` flips -> (augmented, flips).

    `flips` must be given: TF cannot draw NumPy's random numbers (the argument `seed` exists for the same
    signature and is refused).
    """
    images, mode = check_images(images), _check_mode(mode)
    if flips is None or seed is not None:
        raise ValueError("the TF random_flip takes the flips (m,) bool array; draw them with the NumPy side or "
                         "use keras_random_flip for Keras's own draws")
    flips = check_flips(flips, images.shape[0])
    f = flips[:, None, None, None]
    out = images
    if mode in ("horizontal", "horizontal_and_vertical"):
        out = tf.where(f, tf.image.flip_left_right(out), out)
    if mode in ("vertical", "horizontal_and_vertical"):
        out = tf.where(f, tf.image.flip_up_down(out), out)
    return out, flips


def crop(images, top, left, height: int, width: int) -> tf.Tensor:
    """`tf.image.crop_to_bounding_box(image_i, top_i, left_i, height, width)` for each image.

    top, left: ints (one offset for the batch) or int arrays (m,) -> (m, height, width, C).
    """
    images, height, width = _check_crop(images, height, width)
    m, H, W = images.shape[0], images.shape[1], images.shape[2]
    offsets = []
    for name, given, limit in (("top", top, H - height), ("left", left, W - width)):
        o = tf.convert_to_tensor(given)
        if o.shape.rank == 0:
            o = tf.fill([m], o)
        if tuple(o.shape) != (m,) or not o.dtype.is_integer or bool(tf.reduce_any(o < 0)) or \
                bool(tf.reduce_any(o > limit)):
            raise ValueError(f"{name} must be an integer (or m integers) in [0, {limit}], got {given!r:.60}")
        offsets.append([int(v) for v in o.numpy()])
    return tf.stack([tf.image.crop_to_bounding_box(images[i], t, l, height, width)
                     for i, (t, l) in enumerate(zip(*offsets, strict=True))])


def center_crop(images, height: int, width: int) -> tf.Tensor:
    """The central window: top = (H - height) // 2, left = (W - width) // 2, with `tf.image`."""
    images, height, width = _check_crop(images, height, width)
    return crop(images, (images.shape[1] - height) // 2, (images.shape[2] - width) // 2, height, width)


# ---------------------------------------------------------------- part 2: Keras layers


def _stateless_uniform(shape, seed: int, k: int, maxval: float = 1.0) -> tf.Tensor:
    """The k-th draw of a Keras layer made with `seed=seed`: stateless_uniform with seed [seed, k], in floatx."""
    dtype = keras.config.floatx()
    return tf.random.stateless_uniform(shape, seed=tf.constant([seed, k], tf.int32), minval=tf.cast(0.0, dtype),
                                       maxval=tf.cast(maxval, dtype), dtype=dtype)


def keras_flip(images, flips, mode: str = "horizontal") -> tf.Tensor:
    """`RandomFlip(mode).transform_images` fed the flags `flips (m,)`: the layer's arithmetic on given choices."""
    images, mode = check_images(images), _check_mode(mode)
    flips = check_flips(flips, images.shape[0])
    layer = keras.layers.RandomFlip(mode)
    return layer.transform_images(images, {"flips": flips[:, None, None, None], "input_shape": images.shape})


def keras_random_flip(images, mode: str = "horizontal", seed: int = 0):
    """`RandomFlip(mode, seed=seed)(images, training=True)` and the flags it drew (its first draw: [seed, 0]).

    -> (augmented (m, H, W, C), flips (m,) bool), flips = `stateless_uniform((m, 1, 1, 1), [seed, 0]) <= 0.5`.
    """
    images, mode = check_images(images), _check_mode(mode)
    seed = check_count(seed, "seed", minimum=0)
    out = keras.layers.RandomFlip(mode, seed=seed)(images, training=True)
    flips = _stateless_uniform((images.shape[0], 1, 1, 1), seed, 0) <= 0.5
    return out, tf.reshape(flips, [-1])


def keras_crop(images, top: int, left: int, height: int, width: int) -> tf.Tensor:
    """`RandomCrop(height, width).transform_images` fed one offset (top, left) for the batch."""
    images, height, width = _check_crop(images, height, width)
    H, W = images.shape[1], images.shape[2]
    for name, o, limit in (("top", top, H - height), ("left", left, W - width)):
        if isinstance(o, bool) or not isinstance(o, int) or not 0 <= o <= limit:
            raise ValueError(f"{name} must be an integer in [0, {limit}] (one offset for the batch), got {o!r}")
    return keras.layers.RandomCrop(height, width).transform_images(images, (top, left), training=True)


def keras_random_crop(images, height: int, width: int, seed: int = 0):
    """`RandomCrop(height, width, seed=seed)(images, training=True)` and the offset it drew, rebuilt.

    -> (cropped (m, height, width, C), (top, left)): top = int(uniform(0, H - height + 1, [seed, 0])),
    left = int(uniform(0, W - width + 1, [seed, 1])), one offset for the whole batch.
    """
    images, height, width = _check_crop(images, height, width)
    seed = check_count(seed, "seed", minimum=0)
    H, W = images.shape[1], images.shape[2]
    if not (H > height and W > width):  # else Keras draws nothing and resizes the whole image instead
        raise ValueError(f"keras_random_crop needs images larger than the crop in both axes, got (H, W) = ({H}, {W})"
                         f" for ({height}, {width})")
    out = keras.layers.RandomCrop(height, width, seed=seed)(images, training=True)
    top = int(tf.cast(_stateless_uniform((), seed, 0, float(H - height + 1)), tf.int32))
    left = int(tf.cast(_stateless_uniform((), seed, 1, float(W - width + 1)), tf.int32))
    return out, (top, left)


def keras_center_crop(images, height: int, width: int) -> tf.Tensor:
    """`keras.layers.CenterCrop(height, width)(images)`: top = (H - height) // 2, left = (W - width) // 2."""
    images, height, width = _check_crop(images, height, width)
    return keras.layers.CenterCrop(height, width)(images)


def keras_random_crop_inference(images, height: int, width: int) -> tf.Tensor:
    """`RandomCrop(height, width)(images, training=False)`: in Keras 3.15.1 the images come back uncropped."""
    images, height, width = _check_crop(images, height, width)
    return keras.layers.RandomCrop(height, width)(images, training=False)
