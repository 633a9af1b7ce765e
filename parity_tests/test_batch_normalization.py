"""B17: batch normalization by hand (NumPy) vs GradientTape vs keras.layers.BatchNormalization.

One layer: Z (5 units, m = 64) drawn with unit means 3 and std 2 (so that normalizing matters), random γ in
[0.5, 2] and β ~ N(0, 1) (γ = 1, β = 0 would hide a missing γ in the backward pass), a random upstream dZ̃.
ε = 1e-4 and β_ewa (Keras's momentum) = 0.9 on both sides: not Keras's defaults (1e-3, 0.99), so a side
that ignored them would fail.

The network: [64, 16, 8, 1] on scikit-learn's digits ("is it an 8?"), Dense(use_bias=False) ->
BatchNormalization -> ReLU per hidden layer, Dense(1) logits, BCE from logits, SGD on fixed mini-batches of
256 (a seeded permutation), the same batches in the same order on every side.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

import numpy_impl.batch_normalization as nb
from keras_impl import batch_normalization as kb
from keras_impl import convert
from keras_impl.optimization import keras_sgd
from numpy_impl.datasets import load_digits_data
from parity_tests.error_parity import same_error
from parity_tests.harness import Mapping, concept
from parity_tests.test_softmax import check

EPSILON = 1e-4
MOMENTUM = 0.9
LAYER_DIMS = (64, 16, 8, 1)
BATCH_SIZE = 256
NUM_EPOCHS = 5
LEARNING_RATE = 0.5

# The textbook⇄Keras mappings of B17, each proved by the rows of the comparison it names.
MAPPINGS = [
    Mapping("B17", "μ = 1/m Σ Z, σ² = 1/m Σ (Z - μ)² (biased), Ẑ = (Z - μ)/√(σ² + ε), Z̃ = γẐ + β over the batch, "
            "Z (n_l, m)",
            "BatchNormalization(axis=0, epsilon=ε) with training=True on course layout, or the default axis=-1 on "
            "Z.T (axis names the units): the same Z̃; tf.nn.moments gives the same μ and biased σ²",
            "test_one_layer_forward_and_backward"),
    Mapping("B17", "dZ, dγ, dβ by hand in the course's scale (dZ̃ = m·∂J/∂Z̃)",
            "the tape through BatchNormalization: dγ = gamma's gradient, dβ = beta's, dZ = m·∂J/∂Z",
            "test_one_layer_forward_and_backward"),
    Mapping("B17", "test time: μ, σ² replaced by EWAs over the training batches, v := β_ewa·v + (1 - β_ewa)·θ, from "
            "μ = 0, σ² = 1",
            "BatchNormalization(momentum=β_ewa): every training=True call updates moving_mean, moving_variance as "
            "moving·momentum + batch·(1 - momentum), from 0 and 1; training=False uses them, and an example's output "
            "no longer depends on the batch (ε = 1e-4, momentum 0.9 here: Keras's defaults are 1e-3 and 0.99)",
            "test_moving_statistics_and_inference"),
    Mapping("B17", "Z = W·A_prev with no b (β replaces it) -> batch norm -> ReLU, sigmoid output; J and every "
            "gradient on a mini-batch",
            "Dense(n_l, use_bias=False) -> BatchNormalization -> relu, Dense(1) logits and "
            "BinaryCrossentropy(from_logits): the same J and every dW, dγ, dβ, dbL (the tape also the batch μ, σ²)",
            "test_network_cost_and_every_gradient"),
    Mapping("B17", "mini-batch gradient descent with one EWA step of μ, σ² per mini-batch, then predictions with the "
            "moving statistics",
            "make_bn_train_function with SGD(α): the training call itself takes the EWA step, so the cost of every "
            "step of 5 epochs, the weights and moving statistics after the last, and the training=False "
            "predictions equal the course's",
            "test_network_trained_with_mini_batches"),
]


def _layer_inputs(dtype, n=5, m=64, seed=0):
    rng = np.random.default_rng(seed)
    Z = rng.normal(3.0, 2.0, (n, m)) * rng.uniform(0.5, 2.0, (n, 1))
    gamma, beta = rng.uniform(0.5, 2.0, (n, 1)), rng.normal(0.0, 1.0, (n, 1))
    G = rng.normal(0.0, 1.0, (n, m))
    return [a.astype(dtype) for a in (Z, gamma, beta, G)]


@functools.lru_cache(maxsize=1)
def _digits():
    return load_digits_data(digit=8)


def _mini_batches(dtype):
    train_X, train_Y, _, _ = _digits()
    order = np.random.default_rng(0).permutation(train_X.shape[1])
    X, Y = train_X[:, order].astype(dtype), train_Y[:, order].astype(dtype)
    return [(X[:, k:k + BATCH_SIZE], Y[:, k:k + BATCH_SIZE]) for k in range(0, X.shape[1], BATCH_SIZE)]


def _initial_parameters(dtype):
    """The initialiser's W, then random γ in [0.5, 2], β ~ 0.5·N(0, 1), bL ~ N(0, 1)."""
    parameters = nb.initialize_parameters_bn(LAYER_DIMS)
    rng = np.random.default_rng(3)
    for key in parameters:
        if key.startswith("gamma"):
            parameters[key] = rng.uniform(0.5, 2.0, parameters[key].shape)
        elif key.startswith(("beta", "b")):
            parameters[key] = 0.5 * rng.standard_normal(parameters[key].shape)
    return {k: v.astype(dtype) for k, v in parameters.items()}


def _keras_model(parameters, moving=None):
    model = kb.build_bn_model(LAYER_DIMS, MOMENTUM, EPSILON)
    kb.set_bn_weights(model, parameters, moving)
    return model


@concept("B17")
def test_one_layer_forward_and_backward(parity):
    Z, gamma, beta, G = _layer_inputs(parity.dtype)
    Z_tilde, cache = nb.batchnorm_forward(Z, gamma, beta, EPSILON)
    dZ, dgamma, dbeta = nb.batchnorm_backward(G, cache)
    Z_tape, mu_tape, var_tape = kb.batchnorm_forward_tape(Z, gamma, beta, EPSILON)
    check(parity, "batch mean μ (tape: tf.nn.moments)", "forward", cache[2], mu_tape)
    check(parity, "batch variance σ², biased (tape)", "forward", cache[3], var_tape)
    check(parity, "Z̃ = γẐ + β, training (tape)", "forward", Z_tilde, Z_tape)
    # Keras on course layout: the units are axis 0
    layer = kb.batch_norm_layer(MOMENTUM, EPSILON, axis=0)
    layer.build(Z.shape)
    layer.gamma.assign(convert.b_to_bias(gamma))
    layer.beta.assign(convert.b_to_bias(beta))
    Zt = tf.constant(Z)
    with tf.GradientTape() as tape:
        tape.watch(Zt)
        out = layer(Zt, training=True)
        J = tf.reduce_sum(G * out) / Z.shape[1]
    dZ_k, dgamma_k, dbeta_k = tape.gradient(J, [Zt, layer.gamma, layer.beta])
    check(parity, "Z̃, training (Keras BatchNormalization(axis=0) on course layout)", "forward", Z_tilde, out)
    # Keras on Keras layout (m, n_l): the default axis=-1, through convert
    layer_k = kb.batch_norm_layer(MOMENTUM, EPSILON)
    layer_k.build(Z.T.shape)
    layer_k.gamma.assign(convert.b_to_bias(gamma))
    layer_k.beta.assign(convert.b_to_bias(beta))
    out_k = convert.inputs_from_keras(layer_k(convert.inputs_to_keras(Z), training=True))
    check(parity, "Z̃, training (Keras BatchNormalization(axis=-1) on Z.T)", "forward", Z_tilde, out_k)
    tape_dZ, tape_dgamma, tape_dbeta = kb.batchnorm_grads_tape(Z, gamma, beta, G, EPSILON)
    m = Z.shape[1]
    check(parity, "dZ (tape)", "grad", dZ, tape_dZ)
    check(parity, "dγ (tape)", "grad", dgamma, tape_dgamma)
    check(parity, "dβ (tape)", "grad", dbeta, tape_dbeta)
    check(parity, "dZ = m·∂J/∂Z (Keras layer)", "grad", dZ, m * dZ_k)
    check(parity, "dγ (Keras layer)", "grad", dgamma, convert.bias_to_b(dgamma_k))
    check(parity, "dβ (Keras layer)", "grad", dbeta, convert.bias_to_b(dbeta_k))


@concept("B17")
def test_moving_statistics_and_inference(parity):
    """k = 6 training calls on different batches, then test time: EWA of μ, σ² and the inference output."""
    batches = [_layer_inputs(parity.dtype, seed=s) for s in range(6)]
    _, gamma, beta, _ = batches[0]
    moving = {"mu1": np.zeros_like(gamma), "var1": np.ones_like(gamma)}
    tape_moving = {"mu1": tf.zeros_like(gamma), "var1": tf.ones_like(gamma)}
    layer = kb.batch_norm_layer(MOMENTUM, EPSILON, axis=0)
    layer.build(batches[0][0].shape)
    layer.gamma.assign(convert.b_to_bias(gamma))
    layer.beta.assign(convert.b_to_bias(beta))
    for Z, *_ in batches:
        _, cache = nb.batchnorm_forward(Z, gamma, beta, EPSILON)
        moving = nb.update_moving_averages(moving, {"mu1": cache[2], "var1": cache[3]}, MOMENTUM)
        _, mu, var = kb.batchnorm_forward_tape(Z, gamma, beta, EPSILON)
        tape_moving = kb.update_moving_averages(tape_moving, {"mu1": mu, "var1": var}, MOMENTUM)
        layer(tf.constant(Z), training=True)
    k = len(batches)
    check(parity, f"moving μ after {k} steps (tape)", "forward", moving["mu1"], tape_moving["mu1"])
    check(parity, f"moving σ² after {k} steps (tape)", "forward", moving["var1"], tape_moving["var1"])
    check(parity, f"moving μ after {k} steps (Keras moving_mean)", "forward", moving["mu1"],
          convert.bias_to_b(layer.moving_mean))
    check(parity, f"moving σ² after {k} steps (Keras moving_variance)", "forward", moving["var1"],
          convert.bias_to_b(layer.moving_variance))
    Z_test = _layer_inputs(parity.dtype, seed=99)[0]
    out = nb.batchnorm_inference(Z_test, gamma, beta, moving["mu1"], moving["var1"], EPSILON)
    check(parity, "Z̃ at test time (tape, tf.nn.batch_normalization)", "forward", out,
          kb.batchnorm_inference(Z_test, gamma, beta, tape_moving["mu1"], tape_moving["var1"], EPSILON))
    check(parity, "Z̃ at test time (Keras, training=False)", "forward", out, layer(tf.constant(Z_test), training=False))
    # at test time an example's output does not depend on the batch: the first 3 examples alone
    check(parity, "Z̃ at test time of 3 examples alone vs in the batch (Keras)", "forward", out[:, :3],
          layer(tf.constant(Z_test[:, :3]), training=False))


@concept("B17")
def test_network_cost_and_every_gradient(parity):
    X, Y = _mini_batches(parity.dtype)[0]
    parameters = _initial_parameters(parity.dtype)
    AL, caches, batch_stats = nb.bn_model_forward(X, parameters, EPSILON)
    grads = nb.bn_model_backward(AL, Y, caches)
    cost = nb.bn_cost(AL, Y, caches)
    tape_cost, tape_grads, tape_stats = kb.bn_grads_tape(X, Y, convert.to_variables(parameters), EPSILON)
    model = _keras_model(parameters)
    keras_cost, keras_grads = kb.keras_bn_gradients(model, X, Y)
    check(parity, "J on a mini-batch (tape)", "cost", cost, tape_cost)
    check(parity, "J on a mini-batch (Keras)", "cost", cost, keras_cost)
    for key in batch_stats:
        check(parity, f"batch {key} (tape)", "forward", batch_stats[key], tape_stats[key])
    for key in parameters:
        check(parity, f"d{key} (tape)", "grad", grads[f"d{key}"], tape_grads[f"d{key}"])
        check(parity, f"d{key} (Keras)", "grad", grads[f"d{key}"], keras_grads[f"d{key}"])


@concept("B17")
def test_network_trained_with_mini_batches(parity):
    batches = _mini_batches(parity.dtype)
    parameters = _initial_parameters(parity.dtype)
    trained, moving, costs = nb.bn_model_train(batches, parameters, LEARNING_RATE, NUM_EPOCHS, MOMENTUM, EPSILON)
    variables = convert.to_variables(parameters)
    tape_moving, tape_costs = kb.bn_train_tape(batches, variables, LEARNING_RATE, NUM_EPOCHS, MOMENTUM, EPSILON)
    model = _keras_model(parameters)
    keras_costs = kb.make_bn_train_function(model, keras_sgd(LEARNING_RATE))(batches, NUM_EPOCHS)
    n = len(costs)
    check(parity, f"cost of each of the {n} mini-batch steps (tape)", "trajectory", np.array(costs), tape_costs)
    check(parity, f"cost of each of the {n} mini-batch steps (Keras)", "trajectory", np.array(costs), keras_costs)
    tape_params, keras_params = convert.to_parameters(variables), kb.bn_weights_to_parameters(model)
    keras_moving = kb.moving_statistics(model)
    for key in trained:
        check(parity, f"{key} after {n} steps (tape)", "trajectory", trained[key], tape_params[key])
        check(parity, f"{key} after {n} steps (Keras)", "trajectory", trained[key], keras_params[key])
    for key in moving:
        check(parity, f"moving {key} after {n} steps (tape)", "trajectory", moving[key], tape_moving[key])
        check(parity, f"moving {key} after {n} steps (Keras)", "trajectory", moving[key], keras_moving[key])
    _, _, test_X, test_Y = _digits()
    test_X = test_X.astype(parity.dtype)
    AL_test, _, _ = nb.bn_model_forward(test_X, trained, EPSILON, moving)
    AL_tape, _, _ = kb.bn_forward_logits(test_X, variables, EPSILON, tape_moving)
    check(parity, "test-time AL (moving statistics, tape)", "forward", AL_test, AL_tape)
    ours = nb.bn_predict(test_X, trained, moving, EPSILON)
    parity.check("test-time predictions (Keras, training=False)", "layout", ours, kb.keras_bn_predict(model, test_X))

    def acc(p, Y):
        return f"{100 * np.mean(np.asarray(p) == Y):.1f}%"

    train_X, train_Y, _, _ = _digits()
    parity.note(f"digits 'is it an 8?' {list(LAYER_DIMS)} with batch norm (ε={EPSILON}, momentum={MOMENTUM}), "
                f"{n} SGD steps on mini-batches of {BATCH_SIZE}, α={LEARNING_RATE}: test-time accuracy train/test "
                f"NumPy {acc(nb.bn_predict(train_X.astype(parity.dtype), trained, moving, EPSILON), train_Y)}/"
                f"{acc(ours, test_Y)}, Keras {acc(kb.keras_bn_predict(model, train_X.astype(parity.dtype)), train_Y)}"
                f"/{acc(kb.keras_bn_predict(model, test_X), test_Y)}")


# ---------------------------------------------------------------- plain tests


def test_normalized_units_have_mean_0_variance_1_and_gamma_beta_set_them():
    Z, gamma, beta, _ = _layer_inputs(np.float64)
    Z_tilde, (Z_norm, *_) = nb.batchnorm_forward(Z, gamma, beta, EPSILON)
    np.testing.assert_allclose(Z_norm.mean(axis=1), 0, atol=1e-14)
    np.testing.assert_allclose(Z_norm.var(axis=1), Z.var(axis=1) / (Z.var(axis=1) + EPSILON), rtol=1e-13)
    np.testing.assert_allclose(Z_tilde.mean(axis=1, keepdims=True), beta, rtol=1e-13)
    # γ = √(σ² + ε), β = μ undo the normalization (the network can learn the identity)
    mu, var = Z.mean(axis=1, keepdims=True), Z.var(axis=1, keepdims=True)
    undone, _ = nb.batchnorm_forward(Z, np.sqrt(var + EPSILON), mu, EPSILON)
    np.testing.assert_allclose(undone, Z, rtol=1e-13)


def test_backward_matches_finite_differences():
    Z, gamma, beta, G = _layer_inputs(np.float64, n=3, m=7)
    _, cache = nb.batchnorm_forward(Z, gamma, beta, EPSILON)
    dZ, dgamma, dbeta = nb.batchnorm_backward(G, cache)
    m, h = Z.shape[1], 1e-6

    def J(Z_, gamma_, beta_):
        return np.sum(G * nb.batchnorm_forward(Z_, gamma_, beta_, EPSILON)[0]) / m

    for i, j in [(0, 0), (1, 3), (2, 6)]:
        E = np.zeros_like(Z)
        E[i, j] = h
        assert m * (J(Z + E, gamma, beta) - J(Z - E, gamma, beta)) / (2 * h) == pytest.approx(dZ[i, j], rel=1e-6)
    e = np.zeros_like(gamma)
    e[1] = h
    assert (J(Z, gamma + e, beta) - J(Z, gamma - e, beta)) / (2 * h) == pytest.approx(dgamma[1, 0], rel=1e-6)
    assert (J(Z, gamma, beta + e) - J(Z, gamma, beta - e)) / (2 * h) == pytest.approx(dbeta[1, 0], rel=1e-6)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 6), st.integers(2, 40), st.floats(-5.0, 5.0), st.floats(0.1, 10.0), st.integers(0, 2**31 - 1))
def test_backward_by_hand_equals_the_tape_for_any_shape(n, m, mean, std, seed):
    """dZ, dγ, dβ by hand vs by tape (float64) over random shapes, scales, γ, β and upstream dZ̃."""
    rng = np.random.default_rng(seed)
    Z = rng.normal(mean, std, (n, m))
    gamma, beta, G = rng.uniform(-2.0, 2.0, (n, 1)), rng.normal(size=(n, 1)), rng.normal(size=(n, m))
    _, cache = nb.batchnorm_forward(Z, gamma, beta, EPSILON)
    by_hand = nb.batchnorm_backward(G, cache)
    by_tape = kb.batchnorm_grads_tape(Z, gamma, beta, G, EPSILON)
    for ours, theirs in zip(by_hand, by_tape, strict=True):
        scale = max(1.0, float(np.max(np.abs(theirs))))
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-9, atol=1e-12 * scale)


def test_float32_stays_float32():
    batches = _mini_batches(np.float32)
    trained, moving, costs = nb.bn_model_train(batches[:1], _initial_parameters(np.float32), 0.1, 1, MOMENTUM,
                                               EPSILON)
    assert all(v.dtype == np.float32 for v in [*trained.values(), *moving.values()]) and costs[0].dtype == np.float32


def _bad_inputs():
    Z, gamma, beta, G = _layer_inputs(np.float64)
    moving = {"mu1": np.zeros_like(gamma), "var1": np.ones_like(gamma)}
    return [
        ("epsilon 0", lambda f: f.inference(Z, gamma, beta, moving["mu1"], moving["var1"], 0.0), "epsilon must be"),
        ("epsilon -1", lambda f: f.inference(Z, gamma, beta, moving["mu1"], moving["var1"], -1.0), "epsilon must be"),
        ("gamma as a row", lambda f: f.inference(Z, gamma.T, beta, moving["mu1"], moving["var1"]),
         r"gamma must be a column \(n_l, 1\)"),
        ("Z with NaN", lambda f: f.inference(np.full_like(Z, np.nan), gamma, beta, moving["mu1"], moving["var1"]),
         "Z must be finite"),
        ("1-D Z", lambda f: f.inference(Z[0], gamma, beta, moving["mu1"], moving["var1"]), r"Z must be 2-D"),
        ("momentum 1", lambda f: f.ewa(moving, moving, 1.0), r"momentum must be a number with 0 <= momentum < 1"),
        ("momentum True", lambda f: f.ewa(moving, moving, True), "momentum"),
        ("batch stats missing var1", lambda f: f.ewa(moving, {"mu1": moving["mu1"]}, 0.9), r"missing key\(s\)"),
        ("learning rate 0", lambda f: f.train(0.0, 1), "learning_rate must be"),
        ("num_epochs 0", lambda f: f.train(0.1, 0), "num_epochs must be an integer >= 1"),
        ("diverging run", lambda f: f.train(1e305, 2), "diverged at iteration"),
    ]


class _NumPy:
    inference = staticmethod(nb.batchnorm_inference)
    ewa = staticmethod(nb.update_moving_averages)

    @staticmethod
    def train(lr, num_epochs):
        return nb.bn_model_train(_mini_batches(np.float64)[:2], _initial_parameters(np.float64), lr, num_epochs,
                                 MOMENTUM, EPSILON)


class _TF:
    inference = staticmethod(kb.batchnorm_inference)
    ewa = staticmethod(kb.update_moving_averages)

    @staticmethod
    def train(lr, num_epochs):
        return kb.bn_train_tape(_mini_batches(np.float64)[:2], convert.to_variables(_initial_parameters(np.float64)),
                                lr, num_epochs, MOMENTUM, EPSILON)


@pytest.mark.parametrize("case", _bad_inputs(), ids=lambda c: c[0])
def test_bad_input_same_error_both_sides(case):
    _, call, match = case
    same_error(lambda: call(_NumPy), lambda: call(_TF), match=match)
