"""The general traps of docs/traps.md, each as a plain test that fails when TensorFlow/Keras change behaviour."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_impl._precision import keras_precision


def test_python_floats_reach_float64_through_float32():
    """Trap 1: Keras and tf.cast round a Python float through float32; np.float64 and tf.constant do not."""
    assert float(keras.ops.cast(0.9, "float64")) == float(np.float32(0.9)) != 0.9
    assert float(keras.ops.cast(np.float64(0.9), "float64")) == 0.9
    assert float(tf.cast(0.01, tf.float64)) == float(np.float32(0.01))
    assert float(tf.constant(0.01, tf.float64)) == 0.01
    slope = -float(keras.activations.leaky_relu(tf.constant([-1.0], tf.float64), negative_slope=0.01)[0])
    assert slope == float(np.float32(0.01))
    with keras_precision("float64"):
        for alpha in (0.01, 1.2, 0.0075):  # SGD's learning rate is the exception: exact from a Python float
            w = keras.Variable(np.array([1.0]), dtype="float64")
            keras.optimizers.SGD(learning_rate=alpha).apply_gradients([(tf.constant([1.0], tf.float64), w)])
            assert float(w.numpy()[0]) == 1.0 - alpha


def _adam_float64(beta_1, beta_2, steps=3):
    w = keras.Variable(np.array([1.0, -2.0]), dtype="float64")
    opt = keras.optimizers.Adam(learning_rate=np.float64(0.01), beta_1=beta_1, beta_2=beta_2, epsilon=np.float64(1e-7))
    rng = np.random.default_rng(0)
    for _ in range(steps):
        opt.apply_gradients([(tf.constant(rng.normal(size=2)), w)])
    return w.numpy()


def _adam_numpy(beta_1=0.9, beta_2=0.999, steps=3, alpha=0.01, eps=1e-7):
    """Keras's Adam update in float64 NumPy (its order of operations)."""
    w, m, v, rng = np.array([1.0, -2.0]), np.zeros(2), np.zeros(2), np.random.default_rng(0)
    for t in range(1, steps + 1):
        g = rng.normal(size=2)
        m, v = m + (g - m) * (1 - beta_1), v + (g * g - v) * (1 - beta_2)
        w = w - m * (alpha * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)) / (np.sqrt(v) + eps)
    return w


def test_python_float_betas_stall_float64_adam():
    """Trap 1: Python-float betas in a float64 model are float32 numbers; np.float64 betas are exact."""
    reference = _adam_numpy()
    with keras_precision("float64"):
        rounded = _adam_float64(0.9, 0.999)
        exact = _adam_float64(np.float64(0.9), np.float64(0.999))
    assert np.max(np.abs(rounded - reference) / np.abs(reference)) > 1e-8
    np.testing.assert_array_equal(exact, reference)


def test_float64_betas_in_a_float32_model_compute_the_moments_in_float64():
    """Trap 1, the other direction: np.float64 betas promote the float32 moment update to float64."""
    g = tf.constant([0.3, 0.7], tf.float32)
    assert keras.ops.multiply(g, 1 - np.float64(0.9)).dtype == tf.float64
    assert keras.ops.multiply(g, 1 - 0.9).dtype == tf.float32
    moments = {}
    with keras_precision("float32"):
        for label, b1, b2 in (("python", 0.9, 0.999), ("np.float64", np.float64(0.9), np.float64(0.999))):
            w = keras.Variable(np.array([1.0, -2.0, 0.5, 3.0], np.float32), dtype="float32")
            opt = keras.optimizers.Adam(learning_rate=0.01, beta_1=b1, beta_2=b2)
            rng = np.random.default_rng(1)
            for _ in range(200):
                opt.apply_gradients([(tf.constant(rng.normal(size=4).astype(np.float32)), w)])
            moments[label] = np.concatenate([opt._momentums[0].numpy(), opt._velocities[0].numpy()])
    assert not np.array_equal(moments["python"], moments["np.float64"])


def test_float64_keras_needs_floatx_and_the_policy_before_objects_exist():
    """Trap 2: the policy decides layers, floatx decides keras.Input and the learning-rate variable, and a loss
    object keeps the dtype it was made in."""
    X = np.random.default_rng(0).normal(size=(4, 3))
    with keras_precision("float32"):  # a policy has been set: floatx alone no longer moves it
        keras.config.set_floatx("float64")
        dense = keras.layers.Dense(2)
        assert dense(X).dtype == tf.float32 and dense.kernel.dtype == "float32"
        assert keras.Input((3,)).dtype == "float64"  # keras.Input follows floatx, not the policy
        keras.config.set_floatx("float32")
        keras.config.set_dtype_policy("float64")
        assert keras.Input((3,)).dtype == "float32"
        opt = keras.optimizers.SGD(0.1)
        opt.build([keras.Variable(np.ones(2))])
        assert opt._learning_rate.dtype == "float32"
        loss32 = keras.losses.BinaryCrossentropy()
    with keras_precision("float64"):
        assert loss32(np.array([[1.0]]), np.array([[0.3]])).dtype == tf.float32
        assert keras.losses.BinaryCrossentropy()(np.array([[1.0]]), np.array([[0.3]])).dtype == tf.float64
        assert keras.layers.Dense(2)(X).dtype == tf.float64


def test_tf_sigmoid_takes_the_logits_path_only_inside_a_tf_function():
    """Trap 3: besides keras.activations.sigmoid's output, tf.math.sigmoid's output is read as logits in a graph."""
    with keras_precision("float64"):
        z, y0 = tf.constant([[40.0]], tf.float64), tf.constant([[0.0]], tf.float64)
        bce = keras.losses.BinaryCrossentropy(dtype="float64")
        assert float(bce(y0, keras.activations.sigmoid(z))) == 40.0
        assert float(bce(y0, tf.math.sigmoid(z))) == pytest.approx(-np.log(1e-7), rel=1e-6)  # eager: clipped
        assert float(tf.function(lambda z: bce(y0, tf.math.sigmoid(z)))(z)) == 40.0


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_numpy_copying_keras_op_order_is_bit_exact(dtype):
    """Trap 4: SGD, momentum, RMSprop and Adam written in Keras's order (and rounding) give identical bits."""
    dt = np.dtype(dtype)
    c = dt.type
    k = np.float64 if dtype == "float64" else float  # trap 1: the hyper-parameter form for each floatx
    rng = np.random.default_rng(0)
    w0, grads = rng.normal(size=5).astype(dt), rng.normal(size=(100, 5)).astype(dt)
    with keras_precision(dtype):
        optimizers = {
            "sgd": keras.optimizers.SGD(learning_rate=k(0.01)),
            "momentum": keras.optimizers.SGD(learning_rate=k(0.01), momentum=k(0.9)),
            "rmsprop": keras.optimizers.RMSprop(learning_rate=k(0.01), rho=k(0.9), epsilon=k(1e-7)),
            "adam": keras.optimizers.Adam(learning_rate=k(0.01), beta_1=k(0.9), beta_2=k(0.999), epsilon=k(1e-7)),
        }
        for name, opt in optimizers.items():
            w = keras.Variable(w0.copy(), dtype=dtype)
            W, m, v = w0.copy(), np.zeros_like(w0), np.zeros_like(w0)
            for t, g in enumerate(grads, 1):
                opt.apply_gradients([(tf.constant(g), w)])
                if name == "sgd":
                    W = W - g * c(0.01)
                elif name == "momentum":
                    m = m * c(0.9) - g * c(0.01)
                    W = W + m
                elif name == "rmsprop":
                    v = c(0.9) * v + c(1 - 0.9) * (g * g)  # 1 - rho on the Python floats, then cast
                    W = W - (c(0.01) * g) / np.sqrt(v + c(1e-7))
                else:
                    alpha = c(0.01) * np.sqrt(c(1) - c(0.999) ** c(t)) / (c(1) - c(0.9) ** c(t))
                    m, v = m + (g - m) * c(1 - 0.9), v + (g * g - v) * c(1 - 0.999)
                    W = W - (m * alpha) / (np.sqrt(v) + c(1e-7))
                np.testing.assert_array_equal(W, w.numpy(), err_msg=f"{name}, step {t}")


_FIT_SCRIPT = textwrap.dedent("""
    import json, os, sys
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import numpy as np, keras
    out = {}
    for dtype in ("float32", "float64"):
        keras.config.set_floatx(dtype); keras.config.set_dtype_policy(dtype)
        keras.utils.set_random_seed(0)
        rng = np.random.default_rng(0)
        X, y = rng.normal(size=(256, 300)).astype(dtype), rng.normal(size=(256, 1)).astype(dtype)
        model = keras.Sequential([keras.Input((300,), dtype=dtype), keras.layers.Dense(50, activation="relu"),
                                  keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse", jit_compile=False)
        model.fit(X, y, epochs=3, batch_size=32, verbose=0, shuffle=False)
        out[dtype] = model.layers[0].kernel.numpy().astype(np.float64).ravel().tolist()
    print(json.dumps(out))
""")


@pytest.mark.slow
def test_onednn_changes_float32_bits_of_a_fit_and_not_float64():
    """Trap 5: the same fit in fresh processes with oneDNN on and off (TF reads the switch at import)."""
    runs = {}
    for setting in ("1", "0"):
        env = dict(os.environ, TF_ENABLE_ONEDNN_OPTS=setting)
        proc = subprocess.run([sys.executable, "-c", _FIT_SCRIPT], capture_output=True, text=True, env=env,
                              timeout=300, check=True)
        runs[setting] = {k: np.array(v) for k, v in json.loads(proc.stdout.splitlines()[-1]).items()}
    np.testing.assert_array_equal(runs["1"]["float64"], runs["0"]["float64"])
    assert not np.array_equal(runs["1"]["float32"], runs["0"]["float32"]), "oneDNN no longer changes float32 bits"
    np.testing.assert_allclose(runs["1"]["float32"], runs["0"]["float32"], rtol=1e-5, atol=1e-6)


def test_jit_compile_auto_is_off_on_cpu_and_xla_changes_bits():
    """Trap 6: on a CPU-only machine "auto" means no XLA; forcing XLA reorders the arithmetic (float64 too)."""
    if any(d.device_type != "CPU" for d in tf.config.list_physical_devices()):
        pytest.skip("an accelerator is present: jit_compile='auto' turns XLA on here")
    with keras_precision("float64"):
        kernels = {}
        for jit in ("auto", False, True):
            keras.utils.set_random_seed(0)
            model = keras.Sequential([keras.Input((30,), dtype="float64"), keras.layers.Dense(20, activation="tanh"),
                                      keras.layers.Dense(1)])
            model.compile(optimizer=keras.optimizers.SGD(np.float64(0.01)), loss="mse", jit_compile=jit)
            if jit == "auto":
                assert model.jit_compile is False
            rng = np.random.default_rng(0)
            X, y = rng.normal(size=(128, 30)), rng.normal(size=(128, 1))
            model.fit(X, y, epochs=5, batch_size=32, verbose=0, shuffle=False)
            kernels[jit] = model.layers[0].kernel.numpy()
    assert not np.array_equal(kernels[True], kernels[False]), "XLA gave the same float64 bits"
    np.testing.assert_allclose(kernels[True], kernels[False], rtol=1e-12)


def _three_layer_cost(theta, X, Y):
    W1, b1 = theta[:20].reshape(5, 4), theta[20:25].reshape(5, 1)
    W2, b2 = theta[25:40].reshape(3, 5), theta[40:43].reshape(3, 1)
    W3, b3 = theta[43:46].reshape(1, 3), theta[46:47].reshape(1, 1)
    A2 = np.maximum(0, W2 @ np.maximum(0, W1 @ X + b1) + b2)
    A3 = 1 / (1 + np.exp(-(W3 @ A2 + b3)))
    return -np.sum(Y * np.log(A3) + (1 - Y) * np.log(1 - A3)) / X.shape[1]


def test_gradient_checking_needs_float64():
    """Trap 7: the course's two-sided check (ε = 1e-7) against GradientTape's gradient, in each dtype."""
    rng = np.random.default_rng(1)
    X0, Y0, theta0 = rng.normal(size=(4, 3)), np.array([[1.0, 0.0, 1.0]]), rng.normal(size=47)
    difference = {}
    for dtype in ("float64", "float32"):
        dt = np.dtype(dtype)
        X, Y, theta = X0.astype(dt), Y0.astype(dt), theta0.astype(dt)
        t = tf.Variable(theta)
        with tf.GradientTape() as tape:
            W1, b1 = tf.reshape(t[:20], (5, 4)), tf.reshape(t[20:25], (5, 1))
            W2, b2 = tf.reshape(t[25:40], (3, 5)), tf.reshape(t[40:43], (3, 1))
            W3, b3 = tf.reshape(t[43:46], (1, 3)), tf.reshape(t[46:47], (1, 1))
            A3 = tf.sigmoid(W3 @ tf.nn.relu(W2 @ tf.nn.relu(W1 @ X + b1) + b2) + b3)
            J = -tf.reduce_sum(Y * tf.math.log(A3) + (1 - Y) * tf.math.log(1 - A3)) / 3
        grad = tape.gradient(J, t).numpy()
        eps, approx = dt.type(1e-7), np.zeros_like(theta)
        for i in range(theta.size):
            plus, minus = theta.copy(), theta.copy()
            plus[i] += eps
            minus[i] -= eps
            approx[i] = (_three_layer_cost(plus, X, Y) - _three_layer_cost(minus, X, Y)) / (2 * eps)
        difference[dtype] = np.linalg.norm(grad - approx) / (np.linalg.norm(grad) + np.linalg.norm(approx))
    assert difference["float64"] < 1e-8 < 0.1 < difference["float32"], difference
