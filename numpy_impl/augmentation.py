"""Data augmentation (concept B5): flip and crop images to get more training data.

The notes: more training data fights over-fitting, and modified copies of the images one has (mirrored,
cropped) are nearly free extra examples. Images are arrays `images (m, height, width, channels)` (one image
per row, like the course's `train_set_x_orig` before it is flattened to X (n_x, m); the same layout as Keras's
"channels_last", so no transpose is needed on either side).

- `horizontal_flip` mirrors left-right (the width axis), `vertical_flip` upside-down (the height axis);
- `random_flip(images, mode, flips=None, seed=None)` flips image i iff flips[i]; mode "horizontal",
  "vertical" or "horizontal_and_vertical" (one flag per image for *both* flips, as Keras's `RandomFlip`);
  without `flips` they are drawn as `np.random.seed(seed); np.random.rand(m) < 0.5`;
- `crop(images, top, left, height, width)` keeps rows top..top+height-1 and columns left..left+width-1;
  `top`, `left` are one offset for the batch or one per image (m,);
- `random_crop(images, height, width, seed=None, per_image=True)` draws the offsets uniformly among the
  H - height + 1 rows and W - width + 1 columns (one per image, or one for the batch as Keras does);
- `center_crop(images, height, width)`: top = (H - height) // 2, left = (W - width) // 2.
"""

from __future__ import annotations

import numpy as np

from numpy_impl.validation import as_float_array, check_count, check_finite

MODES = ("horizontal", "vertical", "horizontal_and_vertical")


def check_images(images, name: str = "images") -> np.ndarray:
    """A 4-D numeric, finite array (m, height, width, channels) with m >= 1, as floats (float32 stays float32)."""
    arr = as_float_array(images, name)
    if arr.ndim != 4:
        hint = " (one image: add the batch axis, images[None])" if arr.ndim == 3 else ""
        raise ValueError(f"{name} must be 4-D (m, height, width, channels), got shape {arr.shape}{hint}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} holds no images: shape {arr.shape} has m = 0")
    check_finite(arr, name)
    return arr


def horizontal_flip(images) -> np.ndarray:
    """Mirror left-right: out[i, r, c] = images[i, r, W-1-c].  (m, H, W, C) -> (m, H, W, C)."""
    return check_images(images)[:, :, ::-1, :].copy()


def vertical_flip(images) -> np.ndarray:
    """Upside-down: out[i, r, c] = images[i, H-1-r, c].  (m, H, W, C) -> (m, H, W, C)."""
    return check_images(images)[:, ::-1, :, :].copy()


def _check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    return mode


def check_flips(flips, m: int) -> np.ndarray:
    """flips as a bool array (m,): one flag per image."""
    f = np.asarray(flips)
    if f.shape != (m,) or f.dtype != bool:
        raise ValueError(f"flips must be a bool array of shape (m,) = ({m},), got {f.dtype} of shape {f.shape}")
    return f


def random_flip(images, mode: str = "horizontal", flips=None, seed: int | None = None):
    """Flip image i iff flips[i] (drawn with `np.random.seed(seed); rand(m) < 0.5` when not given).

    images (m, H, W, C) -> (augmented (m, H, W, C), flips (m,) bool).
    """
    images, mode = check_images(images), _check_mode(mode)
    m = images.shape[0]
    if flips is None:
        if seed is not None:
            np.random.seed(check_count(seed, "seed", minimum=0))
        flips = np.random.rand(m) < 0.5
    flips = check_flips(flips, m)
    out = images.copy()
    if mode in ("horizontal", "horizontal_and_vertical"):
        out[flips] = out[flips][:, :, ::-1, :]
    if mode in ("vertical", "horizontal_and_vertical"):
        out[flips] = out[flips][:, ::-1, :, :]
    return out, flips


def _check_crop(images, height, width) -> tuple[np.ndarray, int, int]:
    images = check_images(images)
    H, W = images.shape[1:3]
    height, width = check_count(height, "height"), check_count(width, "width")
    if height > H or width > W:
        raise ValueError(f"the crop ({height}, {width}) must fit in the images (H, W) = ({H}, {W})")
    return images, height, width


def crop(images, top, left, height: int, width: int) -> np.ndarray:
    """out[i] = images[i, top_i : top_i + height, left_i : left_i + width].

    images (m, H, W, C); top, left: ints (one offset for the batch) or int arrays (m,) -> (m, height, width, C).
    """
    images, height, width = _check_crop(images, height, width)
    m, H, W = images.shape[:3]
    given = {"top": top, "left": left}
    top = np.broadcast_to(np.asarray(top), (m,)) if np.ndim(top) == 0 else np.asarray(top)
    left = np.broadcast_to(np.asarray(left), (m,)) if np.ndim(left) == 0 else np.asarray(left)
    for name, o, limit in (("top", top, H - height), ("left", left, W - width)):
        if o.shape != (m,) or not np.issubdtype(o.dtype, np.integer) or np.any(o < 0) or np.any(o > limit):
            raise ValueError(f"{name} must be an integer (or m integers) in [0, {limit}], got {given[name]!r:.60}")
    return np.stack([images[i, t:t + height, l:l + width] for i, (t, l) in enumerate(zip(top, left, strict=True))])


def random_crop(images, height: int, width: int, seed: int | None = None, per_image: bool = True):
    """A random height x width window: offsets uniform in [0, H - height] and [0, W - width].

    `np.random.seed(seed)` if given, then `randint` for the tops, then for the lefts (m of each with
    `per_image`, else one of each for the whole batch). Returns (cropped (m, height, width, C), (top, left)).
    """
    images, height, width = _check_crop(images, height, width)
    m, H, W = images.shape[:3]
    if seed is not None:
        np.random.seed(check_count(seed, "seed", minimum=0))
    n = m if per_image else None
    top, left = np.random.randint(0, H - height + 1, size=n), np.random.randint(0, W - width + 1, size=n)
    return crop(images, top, left, height, width), (top, left)


def center_crop(images, height: int, width: int) -> np.ndarray:
    """The central window: top = (H - height) // 2, left = (W - width) // 2.  -> (m, height, width, C)."""
    images, height, width = _check_crop(images, height, width)
    H, W = images.shape[1:3]
    return crop(images, (H - height) // 2, (W - width) // 2, height, width)
