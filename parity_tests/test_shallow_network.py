"""A7: the shallow planar network, NumPy (six hand-written backward equations) vs GradientTape vs Keras.

Single passes (forward, cost, gradients, one update) agree to rounding. The course-length run (10000
steps, α = 1.2, from the seed-3 start) agrees to rounding for the first ~6500 steps; then α = 1.2 is
beyond the stable step size for a while (the cost rises 0.2176 -> 0.2211 around steps 6550-6750) and
that spike amplifies rounding differences by ~1e13. NumPy against itself, started one ulp away, shows
the same divergence (`test_course_run_is_chaotic_after_the_spike`), so the full-length rows carry a
tolerance measured from that, and a tight row checks the part before the spike.
"""

from __future__ import annotations

import functools
import time

import keras
import numpy as np
import pytest

import numpy_impl.shallow_network as sn
from keras_impl import convert
from keras_impl import shallow_network as ks
from numpy_impl.datasets import load_planar_dataset
from parity_tests.harness import Tol, concept

NUM_ITERATIONS = 10000
BEFORE_SPIKE = 6000  # the runs separate (> 1e-12) from step ~6550 on; 6000 leaves a margin

# Measured (float64; float32 in brackets), tape and Keras (with or without XLA) against NumPy, same start
# and data: cost curve over steps 0-5999: 2.9e-13 [1.6e-4, at step 278, where the hidden units leave the
# near-symmetric start and rounding is amplified ~1e3 in float32]; whole curve: 1.4e-2 [7.8e-3], at the
# spike; final parameters: |diff| <= 0.116 [3e-5]. NumPy vs NumPy nudged by 1 ulp: whole curve 1.2e-2,
# final b1 gap 0.116 (it lands in either of two nearby end states: b1[1] = -0.0995 or +0.0161).
WINDOW_TOL = {"float32": (Tol(5e-4, 1e-5), "float32 rounding is amplified ~1e3x while the hidden units leave the "
                                             "randn*0.01 start (measured <= 1.6e-4, at step 278)")}
CURVE_TOL = (Tol(3e-2, 0.0), "the alpha = 1.2 spike at steps ~6550-6750 amplifies rounding ~1e13x; NumPy against "
                             "itself started 1 ulp away differs by 1.2e-2 there")
FINAL_TOL = (Tol(1e-3, 0.15), "after the spike the run ends in one of two nearby states (b1[1] = -0.0995 or "
                              "+0.0161); NumPy against itself started 1 ulp away: gap 0.116")


def _start_tol(parity) -> dict:
    """Tolerance for gradients and one step at the seed-3 start: float32 needs an atol below the table's.

    There db2 (1.1e-6) and db1 (1e-7..1e-9) are sums of ±0.5- and ±5e-3-sized terms that cancel; float32
    rounds each term at ~eps·0.5 = 3e-8, so their error is absolute, not relative, and the table's
    atol = 1e-6 would let any value of db1 and db2 pass. atol = 5e-8 still catches a wrong sign or scale.
    """
    if parity.dtype == np.float64:
        return {}
    return {"tol": Tol(1e-5, 5e-8), "why": "db1, db2 ~ 1e-6..1e-9 at the randn*0.01 start: float32 error is "
                                           "absolute (~3e-8); the table's atol 1e-6 would pass anything"}


def _planar(dtype):
    X, Y = load_planar_dataset()
    return X.astype(dtype), Y.astype(dtype)


def _course_start(dtype) -> dict:
    """The start of nn_model: np.random.seed(3), then initialize_parameters(n_x=2, n_h=4, n_y=1)."""
    np.random.seed(3)
    return {k: v.astype(dtype) for k, v in sn.initialize_parameters(2, 4, 1).items()}


def _trained_size_point(dtype) -> dict:
    """Weights of the size training reaches (|W| up to ~10): tanh and σ are far from linear here."""
    rng = np.random.default_rng(7)
    shapes = {"W1": (4, 2), "b1": (4, 1), "W2": (1, 4), "b2": (1, 1)}
    return {k: (rng.standard_normal(s) * (3.0 if k[0] == "W" else 1.0)).astype(dtype) for k, s in shapes.items()}


def _keras_xy(X, Y):
    return convert.inputs_to_keras(X), convert.labels_to_keras(Y)


@concept("A7")
def test_forward_matches_tape_and_keras(parity):
    X, Y = _planar(parity.dtype)
    parameters = _trained_size_point(parity.dtype)
    A2, cache = sn.forward_propagation(X, parameters)
    A2_tape, cache_tape = ks.forward_propagation(X, ks.initialize_variables(parameters))
    for key in ("Z1", "A1", "Z2", "A2"):
        parity.check(f"{key} (tape)", "forward", cache[key], cache_tape[key])
    model = ks.build_model(2, 4, parameters)
    parity.check("A2 (Keras Sequential)", "forward", A2, convert.inputs_from_keras(model(convert.inputs_to_keras(X))))


@concept("A7")
def test_cost_matches_tape_and_keras(parity):
    X, Y = _planar(parity.dtype)
    loss_fn = ks.binary_crossentropy()
    x, y = _keras_xy(X, Y)
    for where, parameters in (("seed-3 start", _course_start(parity.dtype)),
                              ("trained-size point", _trained_size_point(parity.dtype))):
        A2, _ = sn.forward_propagation(X, parameters)
        A2_tape, _ = ks.forward_propagation(X, ks.initialize_variables(parameters))
        J = sn.compute_cost(A2, Y)
        parity.check(f"cost (13) at the {where} (tape)", "cost", J, float(ks.compute_cost(A2_tape, Y)))
        model = ks.build_model(2, 4, parameters)
        parity.check(f"cost (13) at the {where} (Keras BinaryCrossentropy)", "cost", J, float(loss_fn(y, model(x))))


@concept("A7")
def test_keras_cost_runs_on_the_logits(parity):
    # Trap 3: the sigmoid output carries its logits, so BinaryCrossentropy(from_logits=False) computes
    # max(Z2, 0) - Z2·Y + log(1 + e^-|Z2|) and skips its 1e-7 clipping. With W2 scaled up, |Z2| reaches
    # ~44 and σ(Z2) rounds to 1 even in float64 (from |Z2| ~ 37): the course formula gives inf there,
    # clipping would give ~15.9 per wrong example, the logits formula gives ~|Z2|. Keras equals the NumPy
    # logits formula.
    X, Y = _planar(parity.dtype)
    parameters = _trained_size_point(parity.dtype)
    parameters["W2"] = parameters["W2"] * parity.dtype.type(8)
    A2, cache = sn.forward_propagation(X, parameters)
    assert np.any(A2 == 1), "the case needs saturated outputs"
    model = ks.build_model(2, 4, parameters)
    x, y = _keras_xy(X, Y)
    parity.check("cost from logits, |Z2| up to 44 (Keras)", "cost", sn.compute_cost_from_logits(cache["Z2"], Y),
                 float(ks.binary_crossentropy()(y, model(x))))


@concept("A7")
def test_gradients_match_tape_and_keras(parity):
    # The six backward equations against autodiff of the cost: the tape differentiates eq. (13) itself,
    # Keras differentiates its logits form. At the seed-3 start db1 ~ 1e-7..1e-9 comes out of a sum with
    # cancellation (its relative error, ~4e-11 in float64, is the largest of the four).
    X, Y = _planar(parity.dtype)
    for where, parameters in (("seed-3 start", _course_start(parity.dtype)),
                              ("trained-size point", _trained_size_point(parity.dtype))):
        _, cache = sn.forward_propagation(X, parameters)
        grads = sn.backward_propagation(parameters, cache, X, Y)
        grads_tape, _ = ks.backward_propagation(ks.initialize_variables(parameters), X, Y)
        grads_keras, _ = ks.gradients(ks.build_model(2, 4, parameters), X, Y)
        tol = _start_tol(parity) if where == "seed-3 start" else {}
        for key in sn.GRAD_KEYS:
            parity.check(f"{key} at the {where} (tape)", "grad", grads[key], grads_tape[key], **tol)
            parity.check(f"{key} at the {where} (Keras)", "grad", grads[key], grads_keras[key], **tol)


@concept("A7")
def test_one_update_matches_tape_and_keras_sgd(parity):
    X, Y = _planar(parity.dtype)
    start = _course_start(parity.dtype)
    A2, cache = sn.forward_propagation(X, start)
    after = sn.update_parameters(start, sn.backward_propagation(start, cache, X, Y), learning_rate=1.2)

    variables = ks.initialize_variables(start)
    grads_tape, _ = ks.backward_propagation(variables, X, Y)
    ks.update_parameters(variables, grads_tape, learning_rate=1.2)

    model = ks.build_model(2, 4, start)
    x, y = _keras_xy(X, Y)
    ks.train_step(model, ks.sgd(1.2), ks.binary_crossentropy(), x, y)
    after_keras = convert.dense_weights_to_parameters(model)
    for key in sn.PARAMETER_KEYS:
        parity.check(f"{key} after 1 step (tape)", "step", after[key], variables[key], **_start_tol(parity))
        parity.check(f"{key} after 1 step (Keras SGD)", "step", after[key], after_keras[key], **_start_tol(parity))


@concept("A7")
def test_course_length_training(parity):
    # nn_model's run: seed-3 start, α = 1.2, 10000 full-batch steps; NumPy loop vs the compiled tape loop
    # (tf.function) vs the compiled Keras loop (SGD + BinaryCrossentropy, tf.function with XLA: the fast
    # path of benchmarks/planar.py), costs recorded at every step.
    X, Y = _planar(parity.dtype)
    start = _course_start(parity.dtype)
    t0 = time.perf_counter()
    final, costs = sn.train(X, Y, start, NUM_ITERATIONS)
    t1 = time.perf_counter()
    final_tape, costs_tape = ks.train(X, Y, start, NUM_ITERATIONS)
    t2 = time.perf_counter()
    model, costs_keras = ks.train_keras(X, Y, start, NUM_ITERATIONS, jit_compile=True)
    t3 = time.perf_counter()
    final_keras = convert.dense_weights_to_parameters(model)

    window_tol, window_why = WINDOW_TOL.get(parity.dtype.name, (None, ""))
    for side, curve, end in (("tape", costs_tape, final_tape), ("Keras, XLA", costs_keras, final_keras)):
        parity.check(f"cost curve, steps 0-{BEFORE_SPIKE - 1} ({side})", "trajectory", costs[:BEFORE_SPIKE],
                     curve[:BEFORE_SPIKE], tol=window_tol, why=window_why)
        parity.check(f"cost curve ({NUM_ITERATIONS} steps, {side})", "trajectory", costs, curve,
                     tol=CURVE_TOL[0], why=CURVE_TOL[1])
        for key in sn.PARAMETER_KEYS:
            parity.check(f"{key} after {NUM_ITERATIONS} steps ({side})", "trajectory", final[key], end[key],
                         tol=FINAL_TOL[0], why=FINAL_TOL[1])

    # Where the tape's end point differs from NumPy's it is still a point of the same map: one more
    # step from it is the same step on both sides, to rounding.
    one_more, _ = ks.train(X, Y, final_tape, 1)
    _, cache = sn.forward_propagation(X, final_tape)
    step = sn.update_parameters(final_tape, sn.backward_propagation(final_tape, cache, X, Y))
    for key in sn.PARAMETER_KEYS:
        parity.check(f"{key}: step {NUM_ITERATIONS + 1} from the tape's end point (tape)", "step", step[key],
                     one_more[key])

    rel = np.abs(costs - np.asarray(costs_tape)) / costs
    parity.note(f"cost curves NumPy/tape: max rel diff {rel[:BEFORE_SPIKE].max():.1e} over steps 0-{BEFORE_SPIKE - 1}, "
                f"{rel.max():.1e} over all {NUM_ITERATIONS} (at step {int(np.argmax(rel))}: the alpha = 1.2 spike)")
    accuracies = [sn.accuracy(p, X, Y) for p in (final, final_tape, final_keras)]
    parity.note("training accuracy after 10000 steps: NumPy {:.2f}%, tape {:.2f}%, Keras {:.2f}% (course: 90%)"
                .format(*accuracies))
    parity.note(f"10000 steps: NumPy loop {t1 - t0:.2f} s, compiled tape loop {t2 - t1:.2f} s, compiled Keras loop "
                f"with XLA {t3 - t2:.2f} s (tracing/compilation included; benchmarks/planar.py times without)")


# ---------------------------------------------------------------- plain tests: course API and errors


@functools.cache
def _course_run():
    X, Y = load_planar_dataset()
    return sn.train(X, Y, _course_start("float64"), NUM_ITERATIONS)


def test_nn_model_reaches_the_course_accuracy():
    X, Y = load_planar_dataset()
    parameters = sn.nn_model(X, Y, n_h=4)
    final, _ = _course_run()
    for key in sn.PARAMETER_KEYS:
        assert np.array_equal(parameters[key], final[key]), "nn_model must be train() from the seed-3 start"
    # The course reports 90%; this implementation, with NumPy 2 / OpenBLAS here, gives 362/400 = 90.5%.
    # (After the spike at step ~6600 a 1-ulp change moves the result to 363/400 = 90.75%: see below.)
    assert sn.accuracy(parameters, X, Y) in (90.5, 90.75)
    predictions = sn.predict(parameters, X)
    assert predictions.shape == (1, 400) and predictions.dtype == bool


def test_course_run_is_chaotic_after_the_spike():
    # The justification of CURVE_TOL and FINAL_TOL, NumPy only: nudge one start weight by one ulp.
    X, Y = load_planar_dataset()
    _, costs = _course_run()
    nudged = _course_start("float64")
    nudged["W2"][0, 3] = np.nextafter(nudged["W2"][0, 3], -1.0)
    _, costs_nudged = sn.train(X, Y, nudged, NUM_ITERATIONS)
    rel = np.abs(costs - costs_nudged) / costs
    assert rel[:BEFORE_SPIKE].max() < 1e-12  # rounding-level before the spike...
    assert rel.max() > 1e-3  # ...amplified ~1e13x by it
    assert np.argmax(rel > 1e-9) > BEFORE_SPIKE
    rises = np.nonzero(np.diff(costs) > 0)[0]
    assert rises.size and rises[0] > BEFORE_SPIKE  # the cost first rises there: alpha = 1.2 overshoots


def test_layer_sizes_and_initialization_follow_the_course():
    X, Y = load_planar_dataset()
    assert sn.layer_sizes(X, Y) == (2, 4, 1)
    np.random.seed(3)
    parameters = sn.initialize_parameters(2, 4, 1)
    np.random.seed(3)
    W1, W2 = np.random.randn(4, 2) * 0.01, np.random.randn(1, 4) * 0.01  # W1 drawn first
    assert np.array_equal(parameters["W1"], W1) and np.array_equal(parameters["W2"], W2)
    assert not parameters["b1"].any() and parameters["b1"].shape == (4, 1) and parameters["b2"].shape == (1, 1)
    again = sn.initialize_parameters(2, 4, 1)  # no seed inside: the stream moves on
    assert not np.array_equal(again["W1"], parameters["W1"])


def test_update_parameters_leaves_the_callers_dict_alone():
    parameters = _trained_size_point("float64")
    before = {k: v.copy() for k, v in parameters.items()}
    grads = {f"d{k}": np.ones_like(v) for k, v in parameters.items()}
    new = sn.update_parameters(parameters, grads)
    for key in sn.PARAMETER_KEYS:
        assert np.array_equal(parameters[key], before[key])
        assert np.allclose(new[key], before[key] - 1.2)


def test_course_cost_at_saturation_and_the_logits_form():
    Y = np.array([[0.0, 1.0]])
    with pytest.warns(RuntimeWarning):  # log(0): the course formula is unprotected, as documented
        assert sn.compute_cost(np.array([[1.0, 0.5]]), Y) == np.inf  # A2 = 1, label 0
    with pytest.warns(RuntimeWarning):
        assert np.isnan(sn.compute_cost(np.array([[0.5, 1.0]]), Y))  # A2 = 1, label 1: 0·log(0)
    assert sn.compute_cost_from_logits(np.array([[40.0, 40.0]]), Y) == pytest.approx(20.0, rel=1e-15)
    Z2 = np.array([[-2.0, 0.5]])
    assert sn.compute_cost_from_logits(Z2, Y) == pytest.approx(sn.compute_cost(1 / (1 + np.exp(-Z2)), Y), rel=1e-15)


def test_transposed_X_is_rejected_with_a_hint():
    X, Y = load_planar_dataset()
    for call in (lambda: sn.layer_sizes(X.T, Y), lambda: sn.nn_model(X.T, Y, 4, num_iterations=1),
                 lambda: sn.forward_propagation(X.T, _course_start("float64"))):
        with pytest.raises(ValueError, match=r"looks like \(m, n_x\).*pass X.T"):
            call()


def test_bad_labels_and_shapes_are_rejected():
    X, Y = load_planar_dataset()
    with pytest.raises(ValueError, match="binary labels"):
        sn.layer_sizes(X, Y * 2.0)
    with pytest.raises(ValueError, match="1-D"):
        sn.layer_sizes(X, Y.ravel())
    with pytest.raises(ValueError, match="m = 400 columns"):
        sn.nn_model(X, Y[:, :300], 4, num_iterations=1)
    with pytest.raises(ValueError, match="probabilities in \\[0, 1\\]"):
        sn.compute_cost(np.array([[3.0, -2.0]]), np.array([[1.0, 0.0]]))
    with pytest.raises(ValueError, match="positive integer"):
        sn.initialize_parameters(2, 0, 1)
    with pytest.raises(ValueError, match="X's dtype float32"):
        sn.train(X.astype("float32"), Y, _course_start("float64"), 1)


def test_bad_parameters_grads_and_cache_are_rejected():
    X, Y = load_planar_dataset()
    parameters = _course_start("float64")
    with pytest.raises(KeyError, match=r"missing key\(s\) \['b2'\]"):
        sn.forward_propagation(X, {k: v for k, v in parameters.items() if k != "b2"})
    with pytest.raises(ValueError, match="W1 \\(n_h, n_x\\)"):
        sn.forward_propagation(X, {**parameters, "W2": np.zeros((1, 3))})
    with pytest.raises(KeyError, match="grads is missing"):
        sn.update_parameters(parameters, {"dW1": parameters["W1"]})
    with pytest.raises(KeyError, match="cache is missing"):
        sn.backward_propagation(parameters, {"A1": None}, X, Y)
    with pytest.raises(KeyError, match="missing"):
        ks.initialize_variables({"W1": parameters["W1"]})


def test_keras_model_copies_the_course_weights():
    parameters = _trained_size_point("float32")
    model = ks.build_model(2, 4, parameters)
    assert [layer.activation.__name__ for layer in model.layers] == ["tanh", "sigmoid"]
    assert np.array_equal(convert.dense_weights_to_parameters(model)["W1"], parameters["W1"])
    assert isinstance(model.layers[0], keras.layers.Dense)
