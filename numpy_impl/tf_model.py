"""The course's full TensorFlow model (concept B19), done by hand in NumPy with the same arithmetic.

The course's TensorFlow week ends with a 3-layer classifier written with `tf.Variable`s (keras_impl/tf_model.py):
LINEAR -> RELU -> LINEAR -> RELU -> LINEAR in course layout, 25 and 12 hidden units, C classes, the logits Z3
fed to a softmax cross-entropy *summed* over the mini-batch, Adam, mini-batches taken in order by
`tf.data.Dataset.batch`. This module is its twin: the same functions, the backward pass written out, and
Adam in the form Keras computes it (the course's TF model uses `keras.optimizers.Adam`):

    m := m + (1 - β1)(g - m),   v := v + (1 - β2)(g² - v),   α_t = α·√(1 - β2^t)/(1 - β1^t),
    W := W - α_t·m/(√v + ε̂)      (t counts mini-batch steps from 1, ε̂ = 1e-7 by default)

which is the notes' bias-corrected Adam `W -= α·v̂/(√ŝ + ε)` (v̂ = v/(1-β1^t), ŝ = s/(1-β2^t), the notes'
v, s being Keras's m, v) with the step-dependent ε = ε̂/√(1 - β2^t): no constant ε of the notes gives Keras's run.

Shapes: X (n_x, m), Y one-hot (C, m), W1 (25, n_x), b1 (25, 1), W2 (12, 25), b2 (12, 1), W3 (C, 12), b3 (C, 1).
Everything computes in the dtype of the parameters (the course: float32).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from numpy_impl.activations import sigmoid as _stable_sigmoid
from numpy_impl.validation import (
    as_float_array,
    check_count,
    check_finite,
    check_learning_rate,
    check_one_hot_labels,
    check_train_test_one_hot,
    check_training_finite,
    check_X,
    number_of_layers,
)

HIDDEN_UNITS = (25, 12)  # the course's layer pattern n_x-25-12-C
KEYS = ("W1", "b1", "W2", "b2", "W3", "b3")  # the course's order of initialisation and of trainable_variables
GLOROT_TRUNCATION = 0.87962566103423978  # std of a standard normal truncated to [-2, 2]


# ---------------------------------------------------------------- the small course functions


def linear_function():
    """Y = W·X + b with `np.random.seed(1)`; X = randn(3, 1), W = randn(4, 3), b = randn(4, 1), in that order.

    -> Y (4, 1), float64 (the course draws with NumPy and keeps the float64 values as TF constants).
    """
    np.random.seed(1)
    X = np.random.randn(3, 1)
    W = np.random.randn(4, 3)
    b = np.random.randn(4, 1)
    return W @ X + b


def sigmoid(z):
    """σ(z) = 1/(1 + e^(-z)) of z cast to float32 (the course casts first), computed without overflow."""
    return _stable_sigmoid(as_float_array(z, "z").astype(np.float32))


def _label(label, C) -> int:
    C = check_count(C, "C")
    value = np.asarray(label)
    if value.shape != () or not np.issubdtype(value.dtype, np.integer) or value.dtype == bool:
        raise ValueError(f"label must be one integer class index, got {label!r}")
    if not 0 <= int(value) < C:
        raise ValueError(f"label must be a class index in [0, C) = [0, {C}), got {int(value)}")
    return int(value)


def one_hot_matrix(label, C=6):
    """The one-hot column of `label` among C classes, flattened: shape (C,), float32, a 1 at index `label`.

    An index outside [0, C) is an error (tf.one_hot alone would return all zeros).
    """
    label = _label(label, C)
    return np.eye(C, dtype=np.float32)[label]


def normalize(image):
    """image as float32 / 255, flattened to (n_x,) = (height·width·channels,)."""
    image = as_float_array(image, "image")
    check_finite(image, "image")
    return (image.astype(np.float32) / np.float32(255.0)).reshape(-1)


# ---------------------------------------------------------------- parameters


def _glorot_truncated(shape, rng, dtype):
    """Keras's GlorotNormal law for a weight of `shape`: N(0, σ²) truncated to ±2σ, σ = √(2/(fan_in + fan_out))/0.8796.

    Keras takes fan_in = shape[0], fan_out = shape[1] for a 2-D shape (for the course's `(n_l, n_{l-1})` matrix
    the sum is the same either way). Redraws every sample outside ±2 (a truncated normal by rejection).
    """
    std = np.sqrt(2.0 / (shape[0] + shape[1])) / GLOROT_TRUNCATION
    z = rng.standard_normal(shape)
    outside = np.abs(z) > 2
    while outside.any():
        z[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(z) > 2
    return (z * std).astype(dtype)


def initialize_parameters(n_x=12288, n_y=6, seed=1, dtype=np.float32):
    """W1 (25, n_x), b1 (25, 1), W2 (12, 25), b2 (12, 1), W3 (n_y, 12), b3 (n_y, 1), drawn in that order.

    The law of the course's `keras.initializers.GlorotNormal(seed=1)`, biases included (the course draws them
    from the same initializer, so they are not zero). The draws come from NumPy's generator, not Keras's:
    the numbers differ, the distribution is the same (the parity suite compares statistics, and copies
    one side's draw into the other for every other comparison). Course defaults: 12288 inputs, 6 classes.
    """
    n_x, n_y = check_count(n_x, "n_x"), check_count(n_y, "n_y")
    rng = np.random.RandomState(seed)
    dims = (n_x, *HIDDEN_UNITS, n_y)
    parameters = {}
    for l in range(1, 4):
        parameters[f"W{l}"] = _glorot_truncated((dims[l], dims[l - 1]), rng, dtype)
        parameters[f"b{l}"] = _glorot_truncated((dims[l], 1), rng, dtype)
    return parameters


def _parameters(parameters: Mapping) -> dict[str, np.ndarray]:
    if not isinstance(parameters, Mapping) or sorted(k for k in parameters if k[:1] in "Wb") != sorted(KEYS):
        keys = sorted(parameters) if isinstance(parameters, Mapping) else type(parameters).__name__
        raise ValueError(f"the course's model has 3 layers (W1, b1, W2, b2, W3, b3), got {keys}")
    number_of_layers(parameters)  # every shape, and consecutive layers chaining
    out = {k: as_float_array(parameters[k], k) for k in KEYS}
    for k, v in out.items():
        check_finite(v, k)
    return out


# ---------------------------------------------------------------- forward, loss, backward


def _forward(X, p):
    Z1 = p["W1"] @ X + p["b1"]
    A1 = np.maximum(Z1, 0)  # relu (unchecked here: the callers checked the inputs, and a diverging run is caught)
    Z2 = p["W2"] @ A1 + p["b2"]
    A2 = np.maximum(Z2, 0)
    Z3 = p["W3"] @ A2 + p["b3"]
    return Z3, (Z1, A1, Z2, A2)


def forward_propagation(X, parameters):
    """Z1 = W1·X + b1, A1 = relu(Z1), Z2 = W2·A1 + b2, A2 = relu(Z2), Z3 = W3·A2 + b3.

    X (n_x, m) -> Z3 (C, m), the logits (no softmax: the loss applies it).
    """
    p = _parameters(parameters)
    X = check_X(X, n_x=p["W1"].shape[1]).astype(p["W1"].dtype, copy=False)
    return _forward(X, p)[0]


def _log_softmax(Z):
    shifted = Z - np.max(Z, axis=0, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=0, keepdims=True))


def compute_total_loss(logits, labels):
    """J_total = -Σ_examples Σ_classes Y·log softmax(Z3): the *sum* (not the mean) over the m examples.

    logits Z3 (C, m), labels Y one-hot (C, m) -> a 0-d array in the logits' dtype. log softmax is taken
    from logits, stable for any finite Z3.
    """
    Z = as_float_array(logits, "logits")
    if Z.ndim != 2:
        raise ValueError(f"logits must be (C, m), got shape {Z.shape}")
    check_finite(Z, "logits")
    Y = check_one_hot_labels(labels, m=Z.shape[1], C=Z.shape[0], name="labels").astype(Z.dtype)
    return -np.sum(Y * _log_softmax(Z))


def total_loss_and_grads(X, Y, parameters):
    """J_total and its gradients by hand, for a mini-batch X (n_x, m), Y (C, m).

    dZ3 = softmax(Z3) - Y (no 1/m: the loss is a sum), dW3 = dZ3·A2ᵀ, db3 = Σ dZ3, dA2 = W3ᵀ·dZ3,
    dZ2 = dA2·[Z2 > 0], dW2 = dZ2·A1ᵀ, db2 = Σ dZ2, dZ1 = W2ᵀ·dZ2·[Z1 > 0], dW1 = dZ1·Xᵀ, db1 = Σ dZ1.
    -> (J_total, grads {"dW1", "db1", ..., "db3"}) with every dW[l], db[l] the shape of W[l], b[l].
    """
    p = _parameters(parameters)
    X = check_X(X, n_x=p["W1"].shape[1]).astype(p["W1"].dtype, copy=False)
    Y = check_one_hot_labels(Y, m=X.shape[1], C=p["W3"].shape[0]).astype(X.dtype)
    J, grads, _ = _loss_and_grads(X, Y, p)
    return J, grads


def _loss_and_grads(X, Y, p):
    Z3, (Z1, A1, Z2, A2) = _forward(X, p)
    log_A3 = _log_softmax(Z3)
    J = -np.sum(Y * log_A3)
    dZ3 = np.exp(log_A3) - Y  # softmax(Z3) - Y
    dZ2 = (p["W3"].T @ dZ3) * (Z2 > 0)
    dZ1 = (p["W2"].T @ dZ2) * (Z1 > 0)
    grads = {"dW3": dZ3 @ A2.T, "db3": np.sum(dZ3, axis=1, keepdims=True),
             "dW2": dZ2 @ A1.T, "db2": np.sum(dZ2, axis=1, keepdims=True),
             "dW1": dZ1 @ X.T, "db1": np.sum(dZ1, axis=1, keepdims=True)}
    return J, {f"d{k}": grads[f"d{k}"] for k in KEYS}, Z3


# ---------------------------------------------------------------- Adam in Keras's form


def initialize_adam(parameters):
    """Keras Adam's state at the start: m and v zeros like every parameter (keys "dW1", "db1", ...)."""
    p = _parameters(parameters)
    return ({f"d{k}": np.zeros_like(v) for k, v in p.items()}, {f"d{k}": np.zeros_like(v) for k, v in p.items()})


def update_parameters_with_keras_adam(parameters, grads, m, v, t, learning_rate, beta1=0.9, beta2=0.999,
                                      epsilon=1e-7):
    """One step of `keras.optimizers.Adam` (module docstring): returns (parameters, m, v), new dicts.

    t is the step number counted from 1. Hyper-parameters are cast to the parameters' dtype first, as Keras
    casts them to the variable's dtype; the operation order is Keras's (`m += (g - m)·(1 - β1)`, then
    `α_t·m / (√v + ε̂)`), so that float64 runs agree to the last bits.
    """
    t = check_count(t, "t")
    p = _parameters(parameters)
    dtype = p["W1"].dtype.type
    lr, b1, b2, eps = dtype(learning_rate), dtype(beta1), dtype(beta2), dtype(epsilon)
    alpha = lr * np.sqrt(dtype(1) - b2 ** dtype(t)) / (dtype(1) - b1 ** dtype(t))
    new_p, new_m, new_v = {}, {}, {}
    for k in KEYS:
        g = grads[f"d{k}"]
        new_m[f"d{k}"] = m[f"d{k}"] + (g - m[f"d{k}"]) * (dtype(1) - b1)
        new_v[f"d{k}"] = v[f"d{k}"] + (g * g - v[f"d{k}"]) * (dtype(1) - b2)
        new_p[k] = p[k] - (new_m[f"d{k}"] * alpha) / (np.sqrt(new_v[f"d{k}"]) + eps)
    return new_p, new_m, new_v


# ---------------------------------------------------------------- the training driver


def mini_batches(X, Y, minibatch_size):
    """Consecutive mini-batches `[(X[:, 0:s], Y[:, 0:s]), (X[:, s:2s], ...), ..., remainder]`, no shuffling.

    What `tf.data.Dataset.zip((X, Y)).batch(s)` yields (examples in their order; the last batch holds the
    m mod s left over, if any).
    """
    s = check_count(minibatch_size, "minibatch_size")
    m = np.shape(X)[1]
    return [(X[:, k:k + s], Y[:, k:k + s]) for k in range(0, m, s)]


def correct_predictions(Z3, Y) -> int:
    """How many columns have argmax Z3 = argmax Y (what `keras.metrics.CategoricalAccuracy` counts)."""
    return int(np.sum(np.argmax(Z3, axis=0) == np.argmax(Y, axis=0)))


def model(X_train, Y_train, X_test, Y_test, learning_rate=0.0001, num_epochs=1500, minibatch_size=32,
          print_cost=True, parameters=None):
    """The course's training driver: mini-batches in order, Adam (Keras form, ε̂ = 1e-7), epochs.

    X_train (n_x, m), Y_train one-hot (C, m), X_test (n_x, m_test), Y_test (C, m_test). `parameters`: the start
    (default `initialize_parameters(n_x, C)`). Per epoch: for each mini-batch, J_total and the gradients,
    one Adam step; the epoch cost is Σ J_total / m; the train accuracy counts the batches' predictions made
    before each one's step (the course's running `CategoricalAccuracy`), the test accuracy is taken after
    the epoch. Every 10th epoch (epoch % 10 == 0) the cost and both accuracies are recorded (and printed
    if `print_cost`). -> (parameters, costs, train_acc, test_acc), the lists holding 0-d arrays of the
    parameters' dtype. A non-finite cost stops the run with an error naming the epoch.
    """
    X_train, Y_train, X_test, Y_test = check_train_test_one_hot(X_train, Y_train, X_test, Y_test)
    check_learning_rate(learning_rate)
    num_epochs, minibatch_size = check_count(num_epochs, "num_epochs"), check_count(minibatch_size, "minibatch_size")
    if parameters is None:
        parameters = initialize_parameters(X_train.shape[0], Y_train.shape[0])
    p = _parameters(parameters)
    dtype = p["W1"].dtype
    X_train, Y_train, X_test, Y_test = (a.astype(dtype) for a in (X_train, Y_train, X_test, Y_test))
    m_state, v_state = initialize_adam(p)
    batches = mini_batches(X_train, Y_train, minibatch_size)
    m = X_train.shape[1]
    costs, train_acc, test_acc = [], [], []
    t = 0
    for epoch in range(num_epochs):
        epoch_total_loss, correct = dtype.type(0), 0
        for X_batch, Y_batch in batches:
            with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is stopped right below
                J, grads, Z3 = _loss_and_grads(X_batch, Y_batch, p)
            check_training_finite(epoch, learning_rate, cost=J)  # named by its epoch, as the TF twin
            correct += correct_predictions(Z3, Y_batch)
            t += 1
            p, m_state, v_state = update_parameters_with_keras_adam(p, grads, m_state, v_state, t, learning_rate)
            epoch_total_loss = epoch_total_loss + J
        if epoch % 10 == 0:
            cost = np.asarray(epoch_total_loss / dtype.type(m))
            train, test = np.asarray(dtype.type(correct / m)), np.asarray(accuracy(X_test, Y_test, p), dtype)
            costs.append(cost)
            train_acc.append(train)
            test_acc.append(test)
            if print_cost:
                print(f"Cost after epoch {epoch}: {float(cost):f}\nTrain accuracy: {float(train):.4f}\n"
                      f"Test_accuracy: {float(test):.4f}")
    return p, costs, train_acc, test_acc


def accuracy(X, Y, parameters) -> float:
    """The fraction of columns of X (n_x, m) whose predicted class argmax Z3 is the class of Y (C, m)."""
    Z3 = forward_propagation(X, parameters)
    return correct_predictions(Z3, Y) / Z3.shape[1]
