"""Benchmark: one training step of a 784-1024-1024-10 softmax MLP at batch 1024, float32, NumPy vs compiled Keras.

    .venv/bin/python benchmarks/mlp.py [--batch 1024] [--hidden 1024] [--repeats 5] [--blas-threads N]

At this size the arithmetic dominates: one step (forward, backward, SGD update) is 8 matrix products, and
the question is how close each side gets to its own matrix-multiply speed. The network is
Z1 = W1·X + b1, A1 = relu(Z1), Z2 = W2·A1 + b2, A2 = relu(Z2), Z3 = W3·A2 + b3, softmax cross-entropy
averaged over the m examples, and W := W - α·dW (α = 0.01), on generated data (normal pixels, random labels).

- NumPy: course layout, the backward pass by hand: dZ3 = (softmax(Z3) - Y)/m, dW3 = dZ3·A2ᵀ, dA2 = W3ᵀ·dZ3,
  dZ2 = dA2·[Z2 > 0], ..., dW1 = dZ1·Xᵀ (no dX: 3 forward products, 3 for dW, 2 for dA).
- Keras: `Sequential([Dense(1024, "relu"), Dense(1024, "relu"), Dense(10)])`,
  `CategoricalCrossentropy(from_logits=True)`, `SGD(0.01)`, the step (tape + `apply_gradients`) in one
  `tf.function` (traced once before timing; the trace is printed separately and excluded).

FLOPs: 2·m·n_in·n_out per product, matmuls only (the elementwise work, ~0.1% of the FLOPs, is counted as none).
GFLOP/s of a step = those FLOPs / its best time of `--repeats`. The peak is measured in the same process, at the
same sizes: each of the step's 8 products alone (`np.matmul` for NumPy, `tf.matmul` with the transposes the
gradients use for Keras), best of `--repeats`, summed FLOPs over summed times. The last line is
`fraction of peak: numpy X, keras Y` (step GFLOP/s / peak GFLOP/s); the line before it says where the rest went
(step time minus the time of its products alone: elementwise ops, softmax, copies, dispatch).

Threads: NumPy's BLAS runs with `--blas-threads` (default: all cores), set with threadpoolctl and printed; NumPy
is timed before TensorFlow runs any op, so TF's thread pools do not compete with OpenBLAS's. TF uses its
default intra-op pool (all cores), printed too. Both sides check that one step from the same weights gives the
same weights (max relative difference printed), so the two timed steps are the same computation.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

LEARNING_RATE = 0.01


def best_of(repeats: int, fn) -> float:
    """The shortest wall time of `repeats` calls of fn (fn's result is discarded)."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def sizes(args) -> tuple[int, ...]:
    return (784, args.hidden, args.hidden, 10)


def step_flops(dims, m: int) -> float:
    """Matmul FLOPs of one step: 3 forward products, 3 for dW[l], 2 for dA[l-1] (l = 2, 3; no dX)."""
    layer = [2.0 * m * dims[l - 1] * dims[l] for l in range(1, len(dims))]
    return 2 * sum(layer) + sum(layer[1:])


def generated_data(dims, m: int, seed: int = 0):
    """X (n_x, m) standard normal, one-hot Y (C, m) of random classes, He-scaled W[l], zero b[l]; all float32."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((dims[0], m), dtype=np.float32)
    Y = np.eye(dims[-1], dtype=np.float32)[rng.integers(0, dims[-1], m)].T.copy()
    parameters = {}
    for l in range(1, len(dims)):
        parameters[f"W{l}"] = (rng.standard_normal((dims[l], dims[l - 1]), dtype=np.float32)
                               * np.float32(np.sqrt(2.0 / dims[l - 1])))
        parameters[f"b{l}"] = np.zeros((dims[l], 1), np.float32)
    return X, Y, parameters


# ---------------------------------------------------------------- NumPy


def numpy_step(X, Y, p) -> None:
    """One SGD step of the MLP in course layout, in place on the parameters dict p (float32 throughout).

    Written for speed without changing the arithmetic: the ReLU overwrites Z in place (its mask [Z > 0] is
    [A > 0]), the bias is added in place, and the update scales the gradient in place before subtracting it.
    """
    m = np.float32(X.shape[1])
    lr = np.float32(LEARNING_RATE)
    A1 = p["W1"] @ X
    A1 += p["b1"]
    np.maximum(A1, 0, out=A1)
    A2 = p["W2"] @ A1
    A2 += p["b2"]
    np.maximum(A2, 0, out=A2)
    Z3 = p["W3"] @ A2
    Z3 += p["b3"]
    T = np.exp(Z3 - Z3.max(axis=0, keepdims=True))
    dZ3 = (T / T.sum(axis=0, keepdims=True) - Y) / m
    grads = {"W3": dZ3 @ A2.T, "b3": dZ3.sum(axis=1, keepdims=True)}
    dZ2 = p["W3"].T @ dZ3
    dZ2 *= A2 > 0
    grads["W2"], grads["b2"] = dZ2 @ A1.T, dZ2.sum(axis=1, keepdims=True)
    dZ1 = p["W2"].T @ dZ2
    dZ1 *= A1 > 0
    grads["W1"], grads["b1"] = dZ1 @ X.T, dZ1.sum(axis=1, keepdims=True)
    for key, g in grads.items():
        g *= lr
        p[key] -= g


def numpy_products(X, p):
    """The step's 8 products as (flops, zero-argument call) pairs, on arrays of the step's shapes."""
    m = X.shape[1]
    A1 = np.ones((p["W1"].shape[0], m), np.float32)
    A2 = np.ones((p["W2"].shape[0], m), np.float32)
    dZ = {l: np.ones((p[f"W{l}"].shape[0], m), np.float32) for l in (1, 2, 3)}
    inputs = {1: X, 2: A1, 3: A2}
    calls = []
    for l in (1, 2, 3):
        W = p[f"W{l}"]
        flops = 2.0 * m * W.shape[0] * W.shape[1]
        calls.append((flops, lambda W=W, A=inputs[l]: np.matmul(W, A)))  # Z = W·A_prev
        calls.append((flops, lambda d=dZ[l], A=inputs[l]: np.matmul(d, A.T)))  # dW = dZ·A_prevᵀ
        if l > 1:
            calls.append((flops, lambda W=W, d=dZ[l]: np.matmul(W.T, d)))  # dA_prev = Wᵀ·dZ
    return calls


# ---------------------------------------------------------------- Keras


def keras_side(dims, X, Y, start, repeats: int):
    """(step seconds, products seconds, products flops, first-call seconds, parameters after one step)."""
    import keras
    import tensorflow as tf

    from keras_impl import convert

    model = keras.Sequential([keras.Input((dims[0],), dtype="float32")]
                             + [keras.layers.Dense(n, activation="relu") for n in dims[1:-1]]
                             + [keras.layers.Dense(dims[-1])])
    convert.set_dense_weights(model, start)
    loss = keras.losses.CategoricalCrossentropy(from_logits=True)
    optimizer = keras.optimizers.SGD(learning_rate=LEARNING_RATE)
    optimizer.build(model.trainable_variables)
    x, y = convert.inputs_to_keras(X), convert.labels_to_keras(Y)

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            cost = loss(y, model(x, training=True))
        grads = tape.gradient(cost, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return cost

    t = time.perf_counter()
    train_step(x, y).numpy()
    first = time.perf_counter() - t
    after_one = convert.dense_weights_to_parameters(model)
    step = best_of(repeats, lambda: train_step(x, y).numpy())

    m = X.shape[1]
    calls = []
    activations = [x] + [tf.ones((m, n), tf.float32) for n in dims[1:-1]]
    for l in range(1, len(dims)):
        kernel = model.layers[l - 1].kernel.value
        dZ = tf.ones((m, dims[l]), tf.float32)
        A = activations[l - 1]
        flops = 2.0 * m * dims[l - 1] * dims[l]
        calls.append((flops, tf.function(lambda A=A, K=kernel: tf.matmul(A, K))))  # z = a_prev·kernel
        calls.append((flops, tf.function(lambda A=A, d=dZ: tf.matmul(A, d, transpose_a=True))))  # dkernel
        if l > 1:
            calls.append((flops, tf.function(lambda d=dZ, K=kernel: tf.matmul(d, K, transpose_b=True))))  # da_prev
    for _, call in calls:
        call()  # trace each product once
    product_seconds = sum(best_of(repeats, lambda call=call: call().numpy()) for _, call in calls)
    threads = tf.config.threading.get_intra_op_parallelism_threads() or os.cpu_count()
    return step, product_seconds, sum(f for f, _ in calls), first, after_one, threads


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=1024, help="m, examples per step (default 1024)")
    parser.add_argument("--hidden", type=int, default=1024, help="units of each hidden layer (default 1024)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of each quantity; the best counts")
    parser.add_argument("--blas-threads", type=int, default=os.cpu_count(), help="NumPy's BLAS threads")
    args = parser.parse_args(argv)
    dims, m = sizes(args), args.batch
    X, Y, start = generated_data(dims, m)
    flops = step_flops(dims, m)
    print(f"MLP {'-'.join(map(str, dims))}, batch {m}, float32, {flops / 1e9:.2f} GFLOP per step (matmuls), "
          f"best of {args.repeats}; {os.cpu_count()} CPUs")

    with threadpool_limits(limits=args.blas_threads, user_api="blas"):
        blas = [f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture')}, {i.get('num_threads')} threads)"
                for i in threadpool_info() if i.get("user_api") == "blas"]
        p = {k: v.copy() for k, v in start.items()}
        numpy_step(X, Y, p)  # warm-up, and the state after one step from `start`
        after_one = {k: v.copy() for k, v in p.items()}
        t_numpy = best_of(args.repeats, lambda: numpy_step(X, Y, p))
        calls = numpy_products(X, start)
        peak_numpy_seconds = sum(best_of(args.repeats, call) for _, call in calls)
        peak_numpy = sum(f for f, _ in calls) / peak_numpy_seconds
    gflops_numpy = flops / t_numpy
    print(f"NumPy BLAS: {', '.join(blas) or 'unknown'}")
    print(f"NumPy step:  {t_numpy * 1e3:8.1f} ms  {gflops_numpy / 1e9:7.1f} GFLOP/s;  np.matmul peak at these sizes "
          f"{peak_numpy / 1e9:7.1f} GFLOP/s")

    t_keras, keras_products, keras_flops, first, after_one_keras, tf_threads = keras_side(dims, X, Y, start,
                                                                                          args.repeats)
    peak_keras = keras_flops / keras_products
    gflops_keras = flops / t_keras
    print(f"TF intra-op threads: {tf_threads}; first Keras call (tracing + one step, not timed): {first:.2f} s")
    print(f"Keras step:  {t_keras * 1e3:8.1f} ms  {gflops_keras / 1e9:7.1f} GFLOP/s;  tf.matmul peak at these sizes "
          f"{peak_keras / 1e9:7.1f} GFLOP/s")
    diff = max(float(np.max(np.abs(after_one[k] - after_one_keras[k]) / (np.abs(after_one_keras[k]).max())))
               for k in after_one)
    print(f"one step from the same weights, NumPy vs Keras: max difference {diff:.1e} (relative to each matrix's "
          f"largest entry)")
    print(f"not in the products: NumPy {max(t_numpy - peak_numpy_seconds, 0) * 1e3:.1f} ms, Keras "
          f"{max(t_keras - keras_products, 0) * 1e3:.1f} ms of each step (elementwise ops, softmax, update, dispatch)")
    print(f"fraction of peak: numpy {gflops_numpy / peak_numpy:.2f}, keras {gflops_keras / peak_keras:.2f}")


if __name__ == "__main__":
    main()
