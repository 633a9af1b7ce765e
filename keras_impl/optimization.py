"""B10-B15 optimization on the TF side, and the one home of every Keras optimizer factory of the project.

Every module that needs a Keras optimizer takes it from here (one name per job): `keras_sgd(α)` is the notes'
plain gradient descent `W := W - α·dW`. `hyper(x)` puts a hyper-parameter in the form Keras keeps exact in the
current floatx (docs/traps.md, trap 1).
"""

from __future__ import annotations

import keras
import numpy as np


def hyper(value: float):
    """A hyper-parameter in the form Keras keeps exact in the current floatx.

    float64: `np.float64`. Keras casts Python-float hyper-parameters (Adam's β1, β2, SGD's momentum) with
    `ops.cast`, which takes them through float32 (`ops.cast(0.9, "float64")` = 0.8999999761581421), and a
    float64 run drifts from the exact one (the notes' Adam(0.1) on (w - 5)²: by 1.9e-5 within 100 steps).
    float32: a plain Python float, as one writes `Adam(0.1)`. An `np.float64` there is not harmless:
    `(g - m) * (1 - β1)` then runs in float64 and is rounded to float32 only when assigned, one rounding fewer
    than float32 arithmetic (w differs by an ulp after one step).
    """
    return np.float64(value) if keras.config.floatx() == "float64" else float(value)


def keras_sgd(learning_rate) -> keras.optimizers.SGD:
    """`SGD(learning_rate=α)`: `variable -= α·gradient`, the notes' update `W := W - α·dW`.

    α goes in through `hyper`. Create the optimizer inside the Keras precision it will run in: its
    learning-rate variable takes floatx when it is built.
    """
    return keras.optimizers.SGD(learning_rate=hyper(learning_rate))
