"""A3: cost functions and their gradients, NumPy (hand-written) vs TF ops + GradientTape and keras.losses."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

import numpy_impl.activations as npa
import numpy_impl.losses as npl
from keras_impl import activations as tfa
from keras_impl import convert
from keras_impl import losses as tfl
from parity_tests.error_parity import same_error
from parity_tests.harness import Mapping, Tol, concept

# The textbook⇄Keras mappings of A3, each proved by the rows of the comparison it names.
MAPPINGS = [
    Mapping("A3", "J_1 = Σ |y - ŷ|, J_2 = Σ (y - ŷ)² (sums)",
            "MeanAbsoluteError, MeanSquaredError average over every element: J = Keras value × n_y·m",
            "test_keras_mae_mse_are_means_of_the_notes_sums"),
    Mapping("A3", "J = -1/m Σ (Y log AL + (1-Y) log(1-AL)), summed over the n_y outputs",
            "BinaryCrossentropy averages over the n_y outputs too: J = Keras value × n_y (the same "
            "for the course's n_y = 1)",
            "test_keras_bce_averages_over_n_y_too"),
    Mapping("A3", "the textbook cross-entropy, inf or nan at AL = 0 or 1",
            "BinaryCrossentropy(from_logits=False) clips AL to [1e-7, 1 - 1e-7]: the course's value "
            "inside the clip range, finite outside it",
            "test_keras_bce_clips_saturated_probabilities"),
    Mapping("A3", "J = -1/m Σ Y log AL over classes and examples",
            "CategoricalCrossentropy(from_logits=False) divides AL by its column sum first: the same "
            "value for a softmax AL, a gradient off by 1/m on every entry, which changes no dZ "
            "through the softmax",
            "test_keras_categorical_renormalises"),
    Mapping("A3", "J from the logits, max(z, 0) - z·y + log(1 + e^(-|z|)), averaged over m",
            "keras_binary_crossentropy(), BinaryCrossentropy(from_logits=True), the one BCE every "
            "Keras model here uses",
            "test_the_project_bce_factory_is_the_notes_J_from_logits"),
]

NUMPY = {  # name -> (J, its gradient w.r.t. the prediction), as the notes name them
    "L1": (npl.L1, npl.L1_backward),
    "L2": (npl.L2, npl.L2_backward),
    "binary_cross_entropy": (npl.binary_cross_entropy, npl.binary_cross_entropy_backward),
    "binary_cross_entropy_from_logits": (npl.binary_cross_entropy_from_logits,
                                         npl.binary_cross_entropy_from_logits_backward),
    "categorical_cross_entropy": (npl.categorical_cross_entropy, npl.categorical_cross_entropy_backward),
    "categorical_cross_entropy_from_logits": (npl.categorical_cross_entropy_from_logits,
                                              npl.categorical_cross_entropy_from_logits_backward),
}
LABELS = {  # name -> (quantity of the cost, quantity of the gradient)
    "L1": ("J_1 = Σ|y - ŷ|", "dyhat = sign(ŷ - y)"),
    "L2": ("J_2 = Σ(y - ŷ)²", "dyhat = 2(ŷ - y)"),
    "binary_cross_entropy": ("BCE J from AL", "dAL = -(Y/AL - (1-Y)/(1-AL))/m"),
    "binary_cross_entropy_from_logits": ("BCE J from Z, |z| <= 1e3", "dZ = (σ(Z) - Y)/m"),
    "categorical_cross_entropy": ("CCE J from AL", "dAL = -Y/(m AL)"),
    "categorical_cross_entropy_from_logits": ("CCE J from Z, |z| <= 1e3", "dZ = (softmax(Z) - Y)/m"),
}
KERAS = {
    "L1": "MeanAbsoluteError × n_y·m",
    "L2": "MeanSquaredError × n_y·m",
    "binary_cross_entropy": "BinaryCrossentropy",
    "binary_cross_entropy_from_logits": "BinaryCrossentropy(from_logits=True)",
    "categorical_cross_entropy": "CategoricalCrossentropy",
    "categorical_cross_entropy_from_logits": "CategoricalCrossentropy(from_logits=True)",
}
EPSILON = 1e-7  # keras.config.epsilon(): BinaryCrossentropy and CategoricalCrossentropy clip to [1e-7, 1 - 1e-7]
EXTREME_Z = [-1e3, -100.0, -40.0, -3.0, -0.5, 0.0, 0.5, 3.0, 40.0, 100.0, 1e3]


ATOL_0 = "atol 0: gradients carry a 1/m and lie below the table's atol/rtol scale; every entry is held relatively"
FLUSH = ("float32: TF flushes subnormal gradients (σ(-100)/m ~ 1e-45) to 0 where NumPy keeps them, a relative "
         "difference of 1 only atol can hold; float64 holds the same gradients relatively per example")


def _grad_tol(parity, name):
    """(tol, why) for a gradient row of the loss `name`: relative (atol 0), except float32 BCE from logits."""
    if name == "binary_cross_entropy_from_logits" and parity.dtype == np.float32:
        return None, FLUSH
    return Tol(parity.tolerance("grad").rtol, 0.0), ATOL_0


def _regression(dtype):
    """yhat, y (3, 5); the first two entries tie (yhat = y), where L1's gradient takes 0."""
    rng = np.random.default_rng(0)
    y = rng.standard_normal((3, 5))
    yhat = y + rng.standard_normal((3, 5))
    yhat[0, :2] = y[0, :2]
    return yhat.astype(dtype), y.astype(dtype)


def _binary(dtype, m=8):
    """AL (1, m) in [0.02, 0.98], inside Keras's clip range, and labels of both kinds."""
    AL = np.random.default_rng(1).uniform(0.02, 0.98, (1, m))
    Y = (np.arange(m) % 2).reshape(1, m)
    return AL.astype(dtype), Y.astype(dtype)


def _extreme_logits(dtype):
    """Z (1, 22): every z of EXTREME_Z once with y = 0 and once with y = 1 (0 included: the kink of |z|)."""
    Z = np.array([EXTREME_Z * 2])
    Y = np.repeat([0.0, 1.0], len(EXTREME_Z)).reshape(1, -1)
    return Z.astype(dtype), Y.astype(dtype)


def _categorical(dtype, C=4, m=6):
    """Z (C, m) with one column spread over ±1e3 (softmax ~ 0 and 1 there), and one-hot Y (C, m)."""
    rng = np.random.default_rng(2)
    Z = rng.standard_normal((C, m)) * 2
    Z[:, 0] = [1e3, 0.0, -1e3, 5.0]
    labels = rng.integers(C, size=m)
    Y = np.arange(C)[:, None] == labels[None, :]
    return Z.astype(dtype), Y.astype(dtype)


def _moderate_softmax(dtype):
    """AL = softmax(Z) (C, m) for moderate Z, every entry well inside [1e-7, 1 - 1e-7], and one-hot Y."""
    Z, Y = _categorical(dtype)
    Z[:, 0] = [1.0, 0.0, -1.0, 0.5]
    return npa.softmax(Z, axis=0), Y


def _inputs(dtype) -> dict:
    return {
        "L1": _regression(dtype),
        "L2": _regression(dtype),
        "binary_cross_entropy": _binary(dtype),
        "binary_cross_entropy_from_logits": _extreme_logits(dtype),
        "categorical_cross_entropy": _moderate_softmax(dtype),
        "categorical_cross_entropy_from_logits": _categorical(dtype),
    }


# ---------------------------------------------------------------- parity: tape

@concept("A3")
def test_costs_and_gradients_match_tape(parity):
    for name, (pred, Y) in _inputs(parity.dtype).items():
        cost, backward = NUMPY[name]
        tf_cost, tf_grad = tfl.cost_and_grad_by_tape(name, pred, Y)
        cost_label, grad_label = LABELS[name]
        parity.check(f"{cost_label} vs tape", "cost", cost(pred, Y), tf_cost)
        tol, why = _grad_tol(parity, name)
        parity.check(f"{grad_label} vs tape", "grad", backward(pred, Y), tf_grad, tol=tol, why=why)


# ---------------------------------------------------------------- parity: keras.losses

@concept("A3")
def test_costs_and_gradients_match_keras(parity):
    # Every loss through its Keras class in Keras layout (m, n_y), scaled to the notes' J (keras_scale).
    # The categorical one from probabilities differs in its gradient: test_keras_categorical_renormalises.
    for name, (pred, Y) in _inputs(parity.dtype).items():
        cost, backward = NUMPY[name]
        keras_cost, keras_grad = tfl.keras_cost_and_grad(name, pred, Y)
        cost_label, grad_label = LABELS[name]
        parity.check(f"{cost_label} vs {KERAS[name]}", "cost", cost(pred, Y), keras_cost)
        if name != "categorical_cross_entropy":
            tol, why = _grad_tol(parity, name)
            parity.check(f"{grad_label} vs {KERAS[name]}", "grad", backward(pred, Y), keras_grad, tol=tol, why=why)


@concept("A3")
def test_keras_mae_mse_are_means_of_the_notes_sums(parity):
    # MAE and MSE average over every element; the notes' J_1 and J_2 sum: J = mean × n_y·m (n_y·m = 15 here).
    yhat, y = _regression(parity.dtype)
    targets, predictions = convert.labels_to_keras(y), convert.labels_to_keras(yhat)
    mae = tfl.keras_loss("L1", parity.dtype.name)(targets, predictions)
    mse = tfl.keras_loss("L2", parity.dtype.name)(targets, predictions)
    parity.check("MeanAbsoluteError = J_1 / (n_y·m)", "cost", npl.L1(yhat, y) / y.size, mae)
    parity.check("MeanSquaredError = J_2 / (n_y·m)", "cost", npl.L2(yhat, y) / y.size, mse)


@concept("A3")
def test_keras_bce_averages_over_n_y_too(parity):
    # Multi-label Y (n_y = 3, m = 5): BinaryCrossentropy averages over the n_y outputs as well, the notes'
    # J = -1/m Σ sums them: J = Keras value × n_y (for the course's n_y = 1 the two are the same).
    rng = np.random.default_rng(3)
    Z = (rng.standard_normal((3, 5)) * 4).astype(parity.dtype)
    Y = rng.integers(0, 2, (3, 5)).astype(parity.dtype)
    keras_cost, keras_dZ = tfl.keras_cost_and_grad("binary_cross_entropy_from_logits", Z, Y)
    parity.check("BCE J (n_y = 3) = BinaryCrossentropy × n_y", "cost", npl.binary_cross_entropy_from_logits(Z, Y),
                 keras_cost)
    parity.check("dZ (n_y = 3) via BinaryCrossentropy × n_y", "grad",
                 npl.binary_cross_entropy_from_logits_backward(Z, Y), keras_dZ)


@concept("A3")
def test_bce_from_logits_per_example_at_large_z(parity):
    # One example at a time (m = 1), so that a tiny loss (z = 40, y = 1: e^-40 = 4e-18) is not hidden in a
    # mean with large ones (z = 1e3, y = 0: 1000). The NumPy stable formula is TF's, in TF's order.
    Z, Y = _extreme_logits(parity.dtype)
    columns = [(Z[:, [i]], Y[:, [i]]) for i in range(Z.shape[1])]
    numpy_L = np.array([npl.binary_cross_entropy_from_logits(z, y) for z, y in columns])
    numpy_dZ = np.array([npl.binary_cross_entropy_from_logits_backward(z, y)[0, 0] for z, y in columns])
    keras_L, keras_dZ = zip(*(tfl.keras_cost_and_grad("binary_cross_entropy_from_logits", z, y) for z, y in columns),
                            strict=True)
    keras_L, keras_dZ = tf.stack(keras_L), tf.stack([g[0, 0] for g in keras_dZ])
    quantity = "BCE {} per example, z in ±{{0, 0.5, 3, 40, 100, 1e3}}, y in {{0, 1}}"
    if parity.dtype == np.float64:
        # Relative accuracy down to e^-100 = 3.7e-44: without an absolute floor, log(1 + e^-|z|) in place of
        # log1p, or σ(z) - 1 in place of -σ(-z), would fail here (they give 0 for e^-40).
        why = "relative only (atol 0): the tiny losses and gradients at |z| = 40, 100 must keep every digit"
        parity.check(quantity.format("L(z, y)"), "cost", numpy_L, keras_L, tol=Tol(1e-12, 0.0), why=why)
        parity.check(quantity.format("dZ"), "grad", numpy_dZ, keras_dZ, tol=Tol(1e-10, 0.0), why=why)
    else:
        # TF flushes float32 subnormals to zero (e^-100 = 3.7e-44 < 1.2e-38): there it gives 0 where NumPy
        # keeps 3.7e-44, a relative difference of 1 that only the absolute floor covers.
        parity.check(quantity.format("L(z, y)"), "cost", numpy_L, keras_L)
        parity.check(quantity.format("dZ"), "grad", numpy_dZ, keras_dZ)
        numpy_values = np.concatenate([numpy_L, numpy_dZ])
        tf_values = np.concatenate([keras_L.numpy(), keras_dZ.numpy()])
        subnormal = (numpy_values != 0) & (np.abs(numpy_values) < np.finfo(np.float32).tiny)
        parity.note(f"BCE from logits: {subnormal.sum()} float32 losses/gradients (|z| = 100) are subnormal in NumPy "
                    f"and flushed to 0 by TF: max rel 1.0 there, max abs diff "
                    f"{np.max(np.abs(numpy_values - tf_values)[subnormal]):.1e}")


@concept("A3")
def test_the_project_bce_factory_is_the_notes_J_from_logits(parity):
    # keras_binary_crossentropy(), the one BCE every Keras model of the project uses: mean over m of the stable
    # per-example loss, on Keras-layout logits; Z spans both signs and |z| up to 6, Y both labels
    rng = np.random.default_rng(9)
    Z = (rng.standard_normal((1, 12)) * 3).astype(parity.dtype)
    Y = rng.integers(0, 2, (1, 12)).astype(parity.dtype)
    bce = tfl.keras_binary_crossentropy()
    parity.check("keras_binary_crossentropy()(Yᵀ, Zᵀ) = BCE J from Z", "cost",
                 npl.binary_cross_entropy_from_logits(Z, Y),
                 bce(convert.labels_to_keras(Y), convert.labels_to_keras(Z)))


@concept("A3")
def test_keras_bce_clips_saturated_probabilities(parity):
    # Trap 3. BinaryCrossentropy(from_logits=False) runs the textbook formula on clip(AL, 1e-7, 1 - 1e-7):
    # equal to the course inside the clip range, finite where the course's formula is inf/nan.
    dtype = parity.dtype.type
    AL = np.array([[1.0, 0.0, 1 - 1e-9, 1e-9, 0.3, 1.0]], dtype=parity.dtype)
    Y = np.array([[0, 1, 0, 1, 1, 1]], dtype=parity.dtype)
    clipped = np.clip(AL, dtype(EPSILON), dtype(1 - EPSILON))
    keras_J, keras_dAL = tfl.keras_cost_and_grad("binary_cross_entropy", AL, Y)
    parity.check("BCE J(clip(AL, 1e-7, 1-1e-7)) vs BinaryCrossentropy, saturated AL", "cost",
                 npl.binary_cross_entropy(clipped, Y), keras_J)
    # the clip passes no gradient outside [1e-7, 1 - 1e-7]: Keras's dAL is the course's inside, 0 outside
    inside = (AL > dtype(EPSILON)) & (AL < dtype(1 - EPSILON))
    parity.check("dAL vs BinaryCrossentropy: course dAL inside the clip, 0 outside", "grad",
                 np.where(inside, npl.binary_cross_entropy_backward(clipped, Y), dtype(0)), keras_dAL,
                 tol=Tol(parity.tolerance("grad").rtol, 0.0), why=ATOL_0)
    with np.errstate(divide="ignore", invalid="ignore"):
        assert np.isnan(npl.binary_cross_entropy(AL, Y)), "textbook formula: 0·log 0 = nan at AL = 1, Y = 1"

    # z = 40, y = 0: σ(40) rounds to 1.0. From logits: exactly 40, NumPy and Keras alike. From the
    # probability: Keras's clip gives -log(1 - (1 - 1e-7)) (16.12 in float64, 15.94 in float32); textbook: inf.
    Z, Y0 = np.array([[40.0]], dtype=parity.dtype), np.array([[0.0]], dtype=parity.dtype)
    A = npa.sigmoid(Z)
    assert A[0, 0] == 1.0
    stable = npl.binary_cross_entropy_from_logits(Z, Y0)
    assert stable == 40.0
    logits_J, _ = tfl.keras_cost_and_grad("binary_cross_entropy_from_logits", Z, Y0)
    parity.check("BCE at z = 40, y = 0 from logits (= 40) vs BinaryCrossentropy(from_logits=True)", "cost",
                 stable, logits_J)
    clipped_J, _ = tfl.keras_cost_and_grad("binary_cross_entropy", A, Y0)
    parity.check("BCE at AL = σ(40), y = 0: J(clip(AL)) vs BinaryCrossentropy", "cost",
                 npl.binary_cross_entropy(np.clip(A, dtype(EPSILON), dtype(1 - EPSILON)), Y0), clipped_J)
    with np.errstate(divide="ignore"):
        textbook = npl.binary_cross_entropy(A, Y0)
    assert textbook == np.inf
    parity.note(f"BCE at z = 40, y = 0: from logits {float(stable):g} (NumPy) / {float(logits_J):g} (Keras), "
                f"Keras from AL = σ(z) {float(clipped_J):.4g} (clipped), textbook {float(textbook)}")


@concept("A3")
def test_keras_sigmoid_output_takes_the_logits_path(parity):
    # Trap 3, the silent switch: keras.activations.sigmoid returns a tensor that carries its logits, and
    # BinaryCrossentropy(from_logits=False) then uses them (no clip); a plain tensor of the same numbers is
    # clipped. That is why keras_cost_and_grad hands Keras plain tensors.
    Z = np.array([[40.0, -3.0, 0.5]], dtype=parity.dtype)
    Y = np.array([[0.0, 1.0, 1.0]], dtype=parity.dtype)
    targets = convert.labels_to_keras(Y)
    a = keras.activations.sigmoid(convert.inputs_to_keras(Z))
    bce = keras.losses.BinaryCrossentropy(from_logits=False, dtype=parity.dtype.name)
    parity.check("BinaryCrossentropy(keras.activations.sigmoid(Z)) = BCE J from Z (logits path)", "cost",
                 npl.binary_cross_entropy_from_logits(Z, Y), bce(targets, a))
    plain = tf.constant(a.numpy())  # the same numbers, without the attached logits
    clipped = np.clip(npa.sigmoid(Z), parity.dtype.type(EPSILON), parity.dtype.type(1 - EPSILON))
    parity.check("BinaryCrossentropy(plain σ(Z)) = BCE J(clip(AL)) (probability path)", "cost",
                 npl.binary_cross_entropy(clipped, Y), bce(targets, plain))


@concept("A3")
def test_keras_categorical_renormalises(parity):
    # CategoricalCrossentropy(from_logits=False) divides each example's AL by its sum S before the clip and
    # the log. The value is the course's (S = 1); the gradient gains ∂/∂AL of (1/m) Σ log S = 1/(m S) = 1/m
    # on every entry. That direction (1, ..., 1) changes no softmax output, so through the softmax Keras's
    # dAL gives the course's dZ = (softmax(Z) - Y)/m.
    AL, Y = _moderate_softmax(parity.dtype)
    m = Y.shape[1]
    keras_J, keras_dAL = tfl.keras_cost_and_grad("categorical_cross_entropy", AL, Y)
    parity.check("CCE J from AL vs CategoricalCrossentropy", "cost", npl.categorical_cross_entropy(AL, Y), keras_J)
    parity.check("dAL + 1/m vs CategoricalCrossentropy (renormalisation)", "grad",
                 npl.categorical_cross_entropy_backward(AL, Y) + 1 / m, keras_dAL)
    Z = np.log(AL)  # logits of AL (softmax(log AL) = AL since the columns sum to 1)
    parity.check("dZ = (softmax(Z) - Y)/m vs softmax VJP of Keras's dAL", "grad",
                 npl.categorical_cross_entropy_from_logits_backward(Z, Y),
                 tfa.backward_by_tape("softmax", keras_dAL, Z), tol=Tol(parity.tolerance("grad").rtol, 0.0), why=ATOL_0)


# ---------------------------------------------------------------- plain tests: values, stability, errors

def test_course_values_of_L1_and_L2():
    yhat = np.array([0.9, 0.2, 0.1, 0.4, 0.9])
    y = np.array([1, 0, 0, 1, 1])
    assert npl.L1(yhat, y) == pytest.approx(1.1, rel=1e-15)
    assert npl.L2(yhat, y) == pytest.approx(0.43, rel=1e-15)
    assert isinstance(npl.L1(yhat, y), float) and isinstance(npl.L2(yhat, y), float)


def test_L1_gradient_is_zero_at_a_tie():
    assert npl.L1_backward(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 4.0])).tolist() == [0.0, 1.0, -1.0]


def test_stable_equals_textbook_where_both_are_finite():
    rng = np.random.default_rng(4)
    Z = rng.standard_normal((1, 50)) * 3
    Y = rng.integers(0, 2, (1, 50))
    assert npl.binary_cross_entropy_from_logits(Z, Y) == pytest.approx(
        npl.binary_cross_entropy(npa.sigmoid(Z), Y), rel=1e-13)
    np.testing.assert_allclose(npl.binary_cross_entropy_from_logits_backward(Z, Y),
                               npl.binary_cross_entropy_backward(npa.sigmoid(Z), Y) * npa.sigmoid_derivative(Z),
                               rtol=1e-12)
    Zc = rng.standard_normal((3, 50))
    Yc = (np.arange(3)[:, None] == rng.integers(3, size=50)[None, :]).astype(float)
    assert npl.categorical_cross_entropy_from_logits(Zc, Yc) == pytest.approx(
        npl.categorical_cross_entropy(npa.softmax(Zc), Yc), rel=1e-13)


def test_stable_versions_are_finite_without_warnings_at_large_z():
    Z, Y = _extreme_logits(np.float64)  # pyproject turns RuntimeWarnings into errors: none may occur
    assert np.isfinite(npl.binary_cross_entropy_from_logits(Z, Y))
    assert np.all(np.isfinite(npl.binary_cross_entropy_from_logits_backward(Z, Y)))
    assert npl.binary_cross_entropy_from_logits_backward(np.array([[40.0]]), np.array([[1]]))[0, 0] == pytest.approx(
        -np.exp(-40.0), rel=1e-15, abs=0)  # kept, not cancelled to 0
    Zc, Yc = _categorical(np.float64)
    assert np.isfinite(npl.categorical_cross_entropy_from_logits(Zc, Yc))


def test_textbook_cross_entropy_is_not_finite_at_saturation():
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        assert npl.binary_cross_entropy(np.array([[1.0, 0.5]]), np.array([[0, 1]])) == np.inf
    with pytest.warns(RuntimeWarning):
        assert np.isnan(npl.binary_cross_entropy(np.array([[1.0, 0.5]]), np.array([[1, 1]])))
    with pytest.warns(RuntimeWarning):
        assert npl.categorical_cross_entropy(np.array([[0.0], [1.0]]), np.array([[1], [0]])) == np.inf


def test_relu_abs_form_would_give_a_wrong_tape_gradient_at_zero():
    # Why keras_impl.losses writes max(z, 0) and -|z| with tf.where: with relu/abs, autodiff differentiates
    # each kinked piece at z = 0 separately and gets -y instead of σ(0) - y = 0.5 - y.
    z, y = tf.constant([[0.0]], tf.float64), tf.constant([[0.0]], tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(z)
        naive = tf.reduce_sum(tf.nn.relu(z) - z * y + tf.math.log1p(tf.exp(-tf.abs(z))))
    assert float(tape.gradient(naive, z)[0, 0]) == 0.0
    assert float(tfl.cost_and_grad_by_tape("binary_cross_entropy_from_logits", z, y)[1][0, 0]) == 0.5


def test_float32_stays_float32():
    AL, Y = _binary(np.float32)
    assert npl.binary_cross_entropy(AL, Y).dtype == np.float32
    assert npl.binary_cross_entropy_backward(AL, Y.astype(np.int64)).dtype == np.float32
    Z, Y = _categorical(np.float32)
    assert npl.categorical_cross_entropy_from_logits_backward(Z, Y).dtype == np.float32


@pytest.mark.parametrize("fn", [npl.L1, npl.L2, npl.L1_backward, npl.L2_backward])
def test_L1_L2_reject_bad_input(fn):
    with pytest.raises(ValueError, match="yhat and y must have the same shape"):
        fn(np.ones(5), np.ones((5, 1)))
    with pytest.raises(ValueError, match="yhat must be finite"):
        fn(np.array([1.0, np.nan]), np.ones(2))
    with pytest.raises(TypeError, match="numeric array"):
        fn(np.array(["a"]), np.ones(1))


BINARY = [npl.binary_cross_entropy, npl.binary_cross_entropy_backward,
          npl.binary_cross_entropy_from_logits, npl.binary_cross_entropy_from_logits_backward]


@pytest.mark.parametrize("fn", BINARY)
def test_binary_cross_entropy_rejects_bad_labels_and_shapes(fn):
    AL = np.full((1, 4), 0.5)
    with pytest.raises(ValueError, match=r"binary labels in \{0, 1\}; found \[2.0\]"):
        fn(AL, np.array([[0, 1, 2, 1]]))
    with pytest.raises(ValueError, match="1-D array of shape"):
        fn(AL, np.array([0, 1, 0, 1]))
    with pytest.raises(ValueError, match="one of them is transposed"):
        fn(AL, np.array([[0], [1], [0], [1]]))
    with pytest.raises(ValueError, match=r"must be 2-D with shape \(n_y, m\)"):
        fn(np.full(4, 0.5), np.array([[0, 1, 0, 1]]))
    with pytest.raises(ValueError, match="must be finite"):
        fn(np.array([[0.5, np.nan, 0.5, 0.5]]), np.array([[0, 1, 0, 1]]))
    with pytest.raises(ValueError, match="Y must be finite"):
        fn(AL, np.array([[0, np.inf, 0, 1]]))


@pytest.mark.parametrize("fn", [npl.binary_cross_entropy, npl.categorical_cross_entropy])
def test_probability_versions_reject_logits(fn):
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\].*from_logits"):
        fn(np.array([[2.0, -1.0], [-1.0, 2.0]]), np.array([[1, 0], [0, 1]]))


@pytest.mark.parametrize("fn", [npl.categorical_cross_entropy, npl.categorical_cross_entropy_backward,
                                npl.categorical_cross_entropy_from_logits,
                                npl.categorical_cross_entropy_from_logits_backward])
def test_categorical_cross_entropy_rejects_non_one_hot(fn):
    AL = np.full((2, 3), 0.5)
    with pytest.raises(ValueError, match="one-hot"):
        fn(AL, np.array([[1, 1, 0], [0, 1, 1]]))
    with pytest.raises(ValueError, match="one of them is transposed"):
        fn(AL, np.array([[1, 0], [0, 1], [1, 0]]))


def test_categorical_cross_entropy_needs_columns_summing_to_one():
    with pytest.raises(ValueError, match="must sum to 1"):
        npl.categorical_cross_entropy(np.array([[0.5, 0.2], [0.2, 0.8]]), np.array([[1, 0], [0, 1]]))


def test_tf_side_rejects_unknown_loss_and_mismatched_shapes():
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        tfl.cost_and_grad_by_tape("hinge", np.ones((1, 2)), np.ones((1, 2)))
    with pytest.raises(ValueError, match="same shape"):
        tfl.keras_cost_and_grad("L1", np.ones((1, 3)), np.ones((3, 1)))


# ---------------------------------------------------------------- error parity: both twins reject alike

_AL, _Yb = _binary(np.float64)
_Zc, _Yc = _categorical(np.float64)
_BAD_PAIRS = {  # loss name -> {case: (prediction, labels, expected message)}
    "binary_cross_entropy": {
        "Y = 3·Y": (_AL, 3 * _Yb, "binary labels"), "Y = 2·Y": (_AL, 2 * _Yb, "binary labels"),
        "AL > 1": (_AL + 1, _Yb, r"probabilities in \[0, 1\]"), "AL < 0": (-_AL, _Yb, r"probabilities in \[0, 1\]"),
        "Y transposed": (_AL, _Yb.T, "one of them is transposed"), "Y 1-D": (_AL, _Yb[0], "1-D"),
        "AL NaN": (_AL * np.nan, _Yb, "AL must be finite"), "m = 0": (_AL[:, :0], _Yb[:, :0], "m = 0"),
        "AL 1-D": (_AL[0], _Yb, "AL must be 2-D"), "Y too few columns": (_AL, _Yb[:, :3], "m = 8 columns"),
    },
    "binary_cross_entropy_from_logits": {
        "Y = 2·Y": (_AL, 2 * _Yb, "binary labels"), "Z inf": (_AL * np.inf, _Yb, "Z must be finite"),
        "Y NaN": (_AL, _Yb * np.nan, "Y must be finite"), "Z complex": (_AL * 1j, _Yb, "must be real"),
    },
    "categorical_cross_entropy": {
        "not one-hot": (softmax_AL := npa.softmax(_Zc), np.ones_like(_Yc), "one-hot"),
        "columns do not sum to 1": (softmax_AL * 0.5, _Yc, "sum to 1"),
        "logits given": (_Zc, _Yc, r"probabilities in \[0, 1\]"),
    },
    "categorical_cross_entropy_from_logits": {
        "Y = 2·Y": (_Zc, 2 * _Yc, "binary labels"), "Y transposed": (_Zc, _Yc.T, "transposed"),
    },
    "L1": {"shapes differ": (_AL, _Yb.T, "same shape"), "yhat NaN": (_AL * np.nan, _Yb, "yhat must be finite")},
    "L2": {"y inf": (_AL, np.where(_Yb == 1, np.inf, _Yb), "y must be finite"),
           "yhat strings": (np.full(_AL.shape, "a"), _Yb, "numeric")},
}
BAD = {}  # case -> (numpy call, tf call, expected message)
for name, cases in _BAD_PAIRS.items():
    cost, backward = NUMPY[name]
    for k, (pred, Y, msg) in cases.items():
        BAD[f"{name}: {k}"] = (lambda c=cost, p=pred, Y=Y: c(p, Y),
                               lambda n=name, p=pred, Y=Y: getattr(tfl, n)(p, Y), msg)
        BAD[f"{name} by tape: {k}"] = (lambda b=backward, p=pred, Y=Y: b(p, Y),
                                       lambda n=name, p=pred, Y=Y: tfl.cost_and_grad_by_tape(n, p, Y), msg)
        BAD[f"{name} by Keras: {k}"] = (lambda c=cost, p=pred, Y=Y: c(p, Y),
                                        lambda n=name, p=pred, Y=Y: tfl.keras_cost_and_grad(n, p, Y), msg)


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_same_error_on_both_sides(case):
    numpy_call, tf_call, match = BAD[case]
    same_error(numpy_call, tf_call, match=match)
