"""A5, A8: activations and their derivatives, NumPy (hand-written) vs TF ops, Keras and GradientTape."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import numpy_impl.activations as npa
from keras_impl import activations as tfa
from parity_tests.error_parity import same_error
from parity_tests.harness import Mapping, Tol, concept

# The textbook⇄Keras mappings of A5 and A8, each proved by the rows of the comparison it names.
MAPPINGS = [
    Mapping("A8", "g(Z) = sigmoid, tanh, relu, leaky_relu, softmax over the classes of Z (n, m)",
            "keras.activations.<name> on Keras layout (m, n); softmax over the last axis, which is "
            "axis 0 of course layout",
            "test_forward_matches_tf_and_keras"),
    Mapping("A8", "leaky_relu(z) = max(0.01 z, z) with the slope in the computation's dtype",
            "keras.activations.leaky_relu runs tf.nn.leaky_relu, whose slope is a float32 attribute: "
            "float32(0.01) even in a float64 model (2.2e-8 relative off 0.01)",
            "test_keras_leaky_relu_slope_is_float32"),
    Mapping("A5", "σ'(z) = σ(z)(1 - σ(z))",
            "the derivative GradientTape takes of tf.math.sigmoid",
            "test_sigmoid_derivative_is_s_times_one_minus_s"),
]

NUMPY = {  # name -> (forward, backward(dA, Z))
    "sigmoid": (npa.sigmoid, npa.sigmoid_backward),
    "tanh": (npa.tanh, npa.tanh_backward),
    "relu": (npa.relu, npa.relu_backward),
    "leaky_relu": (npa.leaky_relu, npa.leaky_relu_backward),
    "softmax": (npa.softmax, npa.softmax_backward),
}


EXACT_ZEROS = ("atol 0: ReLU/leaky ReLU zeros must be exact zeros on both sides, and small values (0.01·z, σ, softmax "
               "tails) are held relatively")
CANCELS = ("σ' = s(1-s) and tanh' = 1 - tanh² cancel where |Z| is large (here down to ~1e-6): there both sides keep "
           "only absolute accuracy, which is what atol judges; the bulk is held relatively by A5's |z| <= 5 row")


def _relative(parity, kind):
    return Tol(parity.tolerance(kind).rtol, 0.0)


def _Z(dtype, shape=(4, 7), scale=3.0, seed=0):
    """Inputs spanning both signs, with exact zeros included (ReLU's kink is at 0)."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal(shape) * scale
    Z[0, :2] = 0.0
    return Z.astype(dtype)


@concept("A8")
def test_forward_matches_tf_and_keras(parity):
    Z = _Z(parity.dtype)
    for name, (forward, _) in NUMPY.items():
        A = forward(Z)
        parity.check(f"{name}(Z) vs tf", "forward", A, tfa.activation(name)(Z), tol=_relative(parity, "forward"),
                     why=EXACT_ZEROS)
        if name != "leaky_relu":
            parity.check(f"{name}(Z) vs keras.activations", "forward", A, tfa.keras_activation(name, Z),
                         tol=_relative(parity, "forward"), why=EXACT_ZEROS)


@concept("A8")
def test_keras_leaky_relu_slope_is_float32(parity):
    # keras.activations.leaky_relu runs tf.nn.leaky_relu, whose alpha is a float32 op attribute: in
    # float64 the slope is float32(0.01). With that mapping the match is exact in both dtypes...
    Z = _Z(parity.dtype)
    alpha32 = float(np.float32(tfa.LEAKY_ALPHA))
    parity.check("leaky_relu(Z, alpha=f32(0.01)) vs keras", "forward", npa.leaky_relu(Z, alpha32),
                 tfa.keras_activation("leaky_relu", Z), tol=_relative(parity, "forward"), why=EXACT_ZEROS)
    # ...and without it float64 rows would fail: the gap is the float32 rounding of 0.01 (2.2e-8 relative).
    if parity.dtype == np.float64:
        gap = np.max(np.abs(npa.leaky_relu(Z) - tfa.keras_activation("leaky_relu", Z).numpy()))
        assert gap > 1e-12, "tf.nn.leaky_relu no longer rounds alpha to float32: drop this mapping"


@concept("A8")
def test_backward_matches_tape(parity):
    Z = _Z(parity.dtype)
    dA = _Z(parity.dtype, seed=1, scale=1.0)
    for name, (_, backward) in NUMPY.items():
        if name in ("sigmoid", "tanh"):
            parity.check(f"d{name}: dZ = dA*g'(Z)", "grad", backward(dA, Z), tfa.backward_by_tape(name, dA, Z),
                         why=CANCELS)
        else:
            parity.check(f"d{name}: dZ = dA*g'(Z)", "grad", backward(dA, Z), tfa.backward_by_tape(name, dA, Z),
                         tol=_relative(parity, "grad"), why=EXACT_ZEROS)


@concept("A8")
def test_derivatives_match_tape(parity):
    # tanh'(Z) = 1 - tanh(Z)² cancels where |Z| is large (tanh' = 3.5e-6 at the largest |Z| = 7 here): each side's
    # tanh is within an ulp, but 1 - tanh² keeps only absolute accuracy (~1e-16 / ~1e-7), so the max rel column
    # of the tanh rows (here and in dtanh above) reads ~1e-10 in float64 and ~3e-2 in float32, all inside the
    # table's absolute floor; on the bulk (|Z| <= 3) they agree to 3e-14 / 1e-5 relative.
    Z = _Z(parity.dtype)
    for name, derivative in [("tanh", npa.tanh_derivative), ("relu", npa.relu_derivative),
                             ("leaky_relu", npa.leaky_relu_derivative)]:
        if name == "tanh":
            parity.check(f"{name}'(Z)", "grad", derivative(Z), tfa.derivative_by_tape(name, Z), why=CANCELS)
        else:
            parity.check(f"{name}'(Z)", "grad", derivative(Z), tfa.derivative_by_tape(name, Z),
                         tol=_relative(parity, "grad"), why=EXACT_ZEROS)


@concept("A5")
def test_sigmoid_derivative_is_s_times_one_minus_s(parity):
    # σ'(z) = σ(z)(1 - σ(z)) as derived in the notes, against the tape's derivative of tf.math.sigmoid
    # (TF's SigmoidGrad also computes y(1-y), from its own y).
    bulk = np.concatenate([np.linspace(-5, 5, 101), [1e-3, -1e-3]]).astype(parity.dtype)
    parity.check("sigmoid(z)", "forward", npa.sigmoid(bulk), tfa.activation("sigmoid")(bulk))
    # |z| <= 5: held relatively, with no absolute floor (σ' >= 6.6e-3 there).
    rtol = parity.tolerance("grad").rtol
    parity.check("sigma'(z) = s(1-s), |z| <= 5", "grad", npa.sigmoid_derivative(bulk),
                 tfa.derivative_by_tape("sigmoid", bulk), tol=Tol(rtol, 0.0),
                 why="atol 0: the table's absolute floor would hide relative errors of these small values")
    # The tails: 1 - σ cancels, so both sides keep only absolute accuracy (σ' ~ 1e-13 at |z| = 30; the
    # max rel column shows the loss: 1e-3 in float64, 0.2 in float32). The table's atol judges them.
    tails = np.concatenate([np.linspace(-30, -5, 26), np.linspace(5, 30, 26)]).astype(parity.dtype)
    parity.check("sigma'(z) = s(1-s), 5 <= |z| <= 30", "grad", npa.sigmoid_derivative(tails),
                 tfa.derivative_by_tape("sigmoid", tails), why=CANCELS)


@concept("A5")
def test_sigmoid_is_stable_at_large_z(parity):
    z = np.array([-1e3, -745.0, -40.0, 0.0, 40.0, 745.0, 1e3], dtype=parity.dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warning would fail here
        s = npa.sigmoid(z)
    parity.check("sigmoid at |z| up to 1e3", "forward", s, tfa.activation("sigmoid")(z))


@pytest.mark.parametrize("fn", [npa.sigmoid, npa.sigmoid_derivative, npa.softmax])
def test_no_overflow_warning_anywhere(fn):
    z = np.array([[-1e3, 1e3], [0.0, -1e3]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = fn(z)
    assert np.all(np.isfinite(out))


def test_sigmoid_values_at_the_extremes():
    assert npa.sigmoid(np.array([1e3]))[0] == 1.0
    assert npa.sigmoid(np.array([-1e3]))[0] == 0.0
    assert npa.sigmoid(np.array([-40.0]))[0] == pytest.approx(np.exp(-40.0) / (1 + np.exp(-40.0)), rel=1e-15)


def test_backward_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="dA and Z must have the same shape"):
        npa.relu_backward(np.ones((3, 4)), np.ones((4, 3)))


def test_activations_reject_non_numeric():
    with pytest.raises(TypeError, match="numeric array"):
        npa.sigmoid(np.array(["a", "b"]))


# ---------------------------------------------------------------- properties over arbitrary inputs (hypothesis)



@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.integers(1, 40), elements=st.floats(-1e3, 1e3)))
def test_sigmoid_anywhere_in_range_matches_tf_without_warnings(z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = npa.sigmoid(z)
    np.testing.assert_allclose(s, tfa.activation("sigmoid")(z).numpy(), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(1 - s[np.abs(z) < 30], npa.sigmoid(-z)[np.abs(z) < 30], rtol=1e-12, atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(2, 6), st.integers(1, 8)), elements=st.floats(-50, 50)),
       st.integers(0, 2**31 - 1))
def test_softmax_and_its_backward_match_tf_for_any_logits(Z, seed):
    dA = np.random.default_rng(seed).standard_normal(Z.shape)
    np.testing.assert_allclose(npa.softmax(Z), tfa.activation("softmax")(Z).numpy(), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(npa.softmax_backward(dA, Z), tfa.backward_by_tape("softmax", dA, Z).numpy(),
                               rtol=1e-9, atol=1e-15)


# ---------------------------------------------------------------- error parity: both twins reject alike

_Z0 = np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -3.0]])
_BAD_Z = {"strings": (np.array([["a", "b"]]), "numeric array"), "complex": (_Z0 * 1j, "must be real"),
          "objects": (np.array([[None]]), "numeric array")}
_SOFTMAX_BAD = {"inf": (np.array([[1.0, 2.0], [np.inf, 0.0]]), "z must be finite"),
                "-inf": (np.array([[-np.inf, 2.0], [1.0, 0.0]]), "z must be finite"),
                "NaN": (np.array([[np.nan, 2.0], [1.0, 0.0]]), "z must be finite")}
BAD = {}  # case -> (numpy call, tf call, expected message)
for name, (forward, backward) in NUMPY.items():
    for k, (Z, msg) in _BAD_Z.items():
        BAD[f"{name}: Z {k}"] = (lambda f=forward, Z=Z: f(Z), lambda n=name, Z=Z: tfa.activation(n)(Z), msg)
        BAD[f"{name}_backward: Z {k}"] = (lambda b=backward, Z=Z: b(np.ones(Z.shape), Z),
                                          lambda n=name, Z=Z: tfa.backward_by_tape(n, np.ones(Z.shape), Z), msg)
    BAD[f"{name}_backward: dA (3, 2) for Z (2, 3)"] = (lambda b=backward: b(_Z0.T, _Z0),
                                                      lambda n=name: tfa.backward_by_tape(n, _Z0.T, _Z0),
                                                      "dA and Z must have the same shape")
    BAD[f"{name}_backward: dA strings"] = (lambda b=backward: b(np.full(_Z0.shape, "a"), _Z0),
                                           lambda n=name: tfa.backward_by_tape(n, np.full(_Z0.shape, "a"), _Z0),
                                           "dA must be a numeric array")
for k, (Z, msg) in _SOFTMAX_BAD.items():
    BAD[f"softmax: Z {k}"] = (lambda Z=Z: npa.softmax(Z), lambda Z=Z: tfa.activation("softmax")(Z), msg)
    BAD[f"keras softmax: Z {k}"] = (lambda Z=Z: npa.softmax(Z), lambda Z=Z: tfa.keras_activation("softmax", Z), msg)
    BAD[f"softmax_backward: Z {k}"] = (lambda Z=Z: npa.softmax_backward(np.ones(Z.shape), Z),
                                       lambda Z=Z: tfa.backward_by_tape("softmax", np.ones(Z.shape), Z), msg)
for name, derivative in [("sigmoid", npa.sigmoid_derivative), ("tanh", npa.tanh_derivative),
                         ("relu", npa.relu_derivative), ("leaky_relu", npa.leaky_relu_derivative)]:
    BAD[f"{name}_derivative: Z strings"] = (lambda d=derivative: d(np.array(["a"])),
                                            lambda n=name: tfa.derivative_by_tape(n, np.array(["a"])), "numeric array")
BAD["keras sigmoid: Z complex"] = (lambda: npa.sigmoid(_Z0 * 1j), lambda: tfa.keras_activation("sigmoid", _Z0 * 1j),
                                   "must be real")


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_same_error_on_both_sides(case):
    numpy_call, tf_call, match = BAD[case]
    same_error(numpy_call, tf_call, match=match)


def test_unknown_activation_names_are_rejected_on_the_tf_side():
    for call in (lambda: tfa.activation("swish"), lambda: tfa.backward_by_tape("Relu", _Z0, _Z0),
                 lambda: tfa.derivative_by_tape("elu", _Z0), lambda: tfa.keras_activation("gelu", _Z0)):
        with pytest.raises(ValueError, match=r"unknown activation .*expected one of \['leaky_relu', 'relu'"):
            call()


def test_nan_propagates_through_elementwise_activations_as_in_ieee():
    # judged valid: an elementwise g(NaN) = NaN is the right value (nothing else is poisoned), on both sides
    z = np.array([[np.nan, 1.0]])
    for name, (forward, _) in NUMPY.items():
        if name != "softmax":
            np.testing.assert_array_equal(np.isnan(forward(z)), [[True, False]])
            np.testing.assert_array_equal(np.isnan(tfa.activation(name)(z).numpy()), [[True, False]])
