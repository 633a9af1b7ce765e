"""The course's full TensorFlow model (concept B19): a 3-layer classifier with tf.Variable, GradientTape, Adam.

Mirrors numpy_impl/tf_model.py function by function (same names, same arguments, same returns):
`linear_function`, `sigmoid`, `one_hot_matrix`, `normalize`, `initialize_parameters` (here Keras's own
`GlorotNormal(seed=1)`; NumPy draws the same law from its own generator), `forward_propagation`,
`compute_total_loss`, `total_loss_and_grads` (by tape instead of by hand), `mini_batches`, `model`, `accuracy`.
NumPy's `update_parameters_with_keras_adam` is `keras.optimizers.Adam.apply_gradients` here.

Part 1, tf.Variable + GradientTape: the course's functions. The network is LINEAR -> RELU -> LINEAR -> RELU ->
LINEAR in course layout (X (n_x, m), W1 (25, n_x), ..., Z3 (C, m)); the loss is
`categorical_crossentropy(Y.T, Z3.T, from_logits=True)` *summed* over the mini-batch; `model` zips features and
one-hot labels into a `tf.data.Dataset`, `.batch(minibatch_size)` (in order, no shuffling), and takes one
`keras.optimizers.Adam` step per mini-batch; the epoch cost is Σ batch total losses / m.

Part 2, Keras blocks: the same network as `Sequential([Dense(25, "relu"), Dense(12, "relu"), Dense(C)])`,
`CategoricalCrossentropy(from_logits=True, reduction="sum")`, `Adam`, trained by `fit(shuffle=False)` over the
same mini-batches. `fit`'s reported epoch loss is not the course's epoch cost: its tracker weights each batch's
loss by the batch size (Σ_k s_k·J_k / m, measured in the parity notes).

Two facts about the course's TF code that the parity suite measures: Keras 3's `GlorotNormal(seed=1)` returns
the *same* numbers at every call of the same shape (the course's b-vectors and W's are drawn by one seeded
initializer), and the course's `Adam(learning_rate)` with Python-float betas runs in float32 hyper-parameters
even in a float64 model (docs/traps.md, trap 1): here every hyper-parameter goes in through
`keras_impl.optimization.hyper`.
"""

from __future__ import annotations

from collections.abc import Mapping

import keras
import numpy as np
import tensorflow as tf

from keras_impl import convert
from keras_impl.optimization import hyper
from numpy_impl.validation import (
    as_float_array,
    check_count,
    check_finite,
    check_learning_rate,
    check_one_hot_labels,
    check_train_test_one_hot,
    check_training_finite,
    check_X,
)

# Which NumPy function (numpy_impl.tf_model, or numpy_impl.<module>.<name>) each function here mirrors;
# the docs site pairs its code columns from this, parity_tests/test_twins.py checks it. None: no NumPy twin.
MIRRORS = {
    "B19": {
        "linear_function": "linear_function",
        "sigmoid": "sigmoid",
        "one_hot_matrix": "one_hot_matrix",
        "normalize": "normalize",
        "initialize_parameters": "initialize_parameters",
        "forward_propagation": "forward_propagation",
        "compute_total_loss": "compute_total_loss",
        "total_loss_and_grads": "total_loss_and_grads",
        "mini_batches": "mini_batches",
        "course_adam": "update_parameters_with_keras_adam",
        "model": "model",
        "accuracy": "accuracy",
        "build_keras_model": None,
        "keras_total_loss": "compute_total_loss",
        "keras_fit": "model",
    },
}
# The Keras-block versions and how they map onto the notes' formulas.
KERAS_BLOCKS = {
    "course_adam": (
        "keras.optimizers.Adam(learning_rate) with Keras's defaults β1 = 0.9, β2 = 0.999 and ε̂ = 1e-7 beside √v of "
        "the uncorrected v: the course's TF assignment uses it as it is, so the NumPy twin implements that Keras "
        "form of Adam."
    ),
    "keras_total_loss": (
        "CategoricalCrossentropy(from_logits=True, reduction='sum') on Keras-layout logits: the course's total loss "
        "Σ over the mini-batch, not the mean."
    ),
    "keras_fit": (
        "compile(course_adam(α), keras_total_loss()) and fit(X.T, Y.T, batch_size, epochs, shuffle=False): the "
        "course's loop over tf.data mini-batches in order, one Adam step per mini-batch."
    ),
}

HIDDEN_UNITS = (25, 12)  # the course's layer pattern n_x-25-12-C
KEYS = ("W1", "b1", "W2", "b2", "W3", "b3")

# ---------------------------------------------------------------- part 1: the course's functions


def linear_function():
    """Y = W·X + b as TF constants: `np.random.seed(1)`, X = randn(3, 1), W = randn(4, 3), b = randn(4, 1).

    -> Y (4, 1) float64 (`tf.constant` keeps NumPy's float64).
    """
    np.random.seed(1)
    X = tf.constant(np.random.randn(3, 1), name="X")
    W = tf.constant(np.random.randn(4, 3), name="W")
    b = tf.constant(np.random.randn(4, 1), name="b")
    return tf.add(tf.matmul(W, X), b)


def sigmoid(z):
    """`keras.activations.sigmoid` of z cast to float32 (the course's `tf.cast(z, tf.float32)` first)."""
    z = tf.cast(z, tf.float32)
    return keras.activations.sigmoid(z)


def _label(label, C) -> int:
    C = check_count(C, "C")
    value = np.asarray(label.numpy() if hasattr(label, "numpy") else label)
    if value.shape != () or not np.issubdtype(value.dtype, np.integer) or value.dtype == bool:
        raise ValueError(f"label must be one integer class index, got {label!r}")
    if not 0 <= int(value) < C:
        raise ValueError(f"label must be a class index in [0, C) = [0, {C}), got {int(value)}")
    return int(value)


def one_hot_matrix(label, C=6):
    """`tf.reshape(tf.one_hot(label, C, axis=0), (C,))`: float32 (C,), a 1 at index `label`.

    An index outside [0, C) is an error here (tf.one_hot alone returns all zeros for it).
    """
    label = _label(label, C)
    return tf.reshape(tf.one_hot(label, C, axis=0), shape=[C])


def normalize(image):
    """`tf.cast(image, tf.float32) / 255.`, reshaped to (n_x,) = (height·width·channels,)."""
    check_finite(as_float_array(image.numpy() if hasattr(image, "numpy") else image, "image"), "image")
    image = tf.cast(image, tf.float32) / 255.0
    return tf.reshape(image, [-1])


def initialize_parameters(n_x=12288, n_y=6):
    """`GlorotNormal(seed=1)` called for W1 (25, n_x), b1 (25, 1), W2 (12, 25), b2 (12, 1), W3 (n_y, 12), b3 (n_y, 1).

    -> {"W1": tf.Variable, ...} in Keras's floatx. GlorotNormal is a normal of std √(2/(fan_in + fan_out))
    truncated at ±2 std (and rescaled by 1/0.8796 so that the truncated law keeps that std); the biases are
    drawn from it too, as in the course. Course defaults: 12288 inputs (64·64·3 images), 6 classes.
    """
    n_x, n_y = check_count(n_x, "n_x"), check_count(n_y, "n_y")
    initializer = keras.initializers.GlorotNormal(seed=1)
    dims = (n_x, *HIDDEN_UNITS, n_y)
    parameters = {}
    for l in range(1, 4):
        parameters[f"W{l}"] = tf.Variable(initializer(shape=(dims[l], dims[l - 1])), name=f"W{l}")
        parameters[f"b{l}"] = tf.Variable(initializer(shape=(dims[l], 1)), name=f"b{l}")
    return parameters


def _parameters(parameters: Mapping) -> dict:
    if not isinstance(parameters, Mapping) or sorted(k for k in parameters if k[:1] in "Wb") != sorted(KEYS):
        keys = sorted(parameters) if isinstance(parameters, Mapping) else type(parameters).__name__
        raise ValueError(f"the course's model has 3 layers (W1, b1, W2, b2, W3, b3), got {keys}")
    return {k: parameters[k] for k in KEYS}


def forward_propagation(X, parameters):
    """Z1 = W1·X + b1, A1 = relu(Z1), Z2 = W2·A1 + b2, A2 = relu(Z2), Z3 = W3·A2 + b3.  X (n_x, m) -> Z3 (C, m)."""
    p = _parameters(parameters)
    X = tf.cast(X, p["W1"].dtype)
    Z1 = tf.math.add(tf.linalg.matmul(p["W1"], X), p["b1"])
    A1 = keras.activations.relu(Z1)
    Z2 = tf.math.add(tf.linalg.matmul(p["W2"], A1), p["b2"])
    A2 = keras.activations.relu(Z2)
    return tf.math.add(tf.linalg.matmul(p["W3"], A2), p["b3"])


def compute_total_loss(logits, labels):
    """Σ over the mini-batch of `keras.losses.categorical_crossentropy(Y.T, Z3.T, from_logits=True)`.

    logits Z3 (C, m), labels Y one-hot (C, m) -> a scalar tensor (a sum, not a mean: the course divides by m
    once per epoch). The transposes to Keras's (m, C) go through `keras_impl.convert`.
    """
    logits = tf.convert_to_tensor(logits)
    labels = tf.cast(labels, logits.dtype)
    per_example = keras.losses.categorical_crossentropy(convert.labels_to_keras(labels),
                                                        convert.labels_to_keras(logits), from_logits=True)
    return tf.reduce_sum(per_example)


def total_loss_and_grads(X, Y, parameters):
    """J_total and its gradients by GradientTape: -> (J_total, {"dW1": ..., "db1": ..., ..., "db3": ...})."""
    p = _parameters(parameters)
    with tf.GradientTape() as tape:
        for v in p.values():
            tape.watch(v)
        J = compute_total_loss(forward_propagation(X, p), Y)
    grads = tape.gradient(J, list(p.values()))
    return J, {f"d{k}": g for k, g in zip(KEYS, grads, strict=True)}


def mini_batches(X, Y, minibatch_size):
    """`tf.data.Dataset.zip((features, labels)).batch(minibatch_size)` of course-layout X (n_x, m), Y (C, m).

    The dataset yields Keras-layout batches (s, n_x), (s, C), in order; the last holds the remainder.
    """
    s = check_count(minibatch_size, "minibatch_size")
    features = tf.data.Dataset.from_tensor_slices(convert.inputs_to_keras(X))
    labels = tf.data.Dataset.from_tensor_slices(convert.labels_to_keras(Y))
    return tf.data.Dataset.zip((features, labels)).batch(s)


def course_adam(learning_rate) -> keras.optimizers.Adam:
    """The course's `keras.optimizers.Adam(learning_rate)`: β1 = 0.9, β2 = 0.999, ε̂ = 1e-7 (Keras's defaults).

    Every hyper-parameter through `hyper` (exact in float64). The rule it runs is written out in
    numpy_impl/tf_model.py (`update_parameters_with_keras_adam`): the notes' Adam with ε = ε̂/√(1 - β2^t).
    """
    return keras.optimizers.Adam(learning_rate=hyper(learning_rate), beta_1=hyper(0.9), beta_2=hyper(0.999),
                                 epsilon=hyper(1e-7))


def _as_course_arrays(X, Y):
    """A tf.data.Dataset of examples (the course passes datasets of `normalize`d images) -> NumPy course layout."""
    if isinstance(X, tf.data.Dataset):
        X = np.stack(list(X.as_numpy_iterator())).T
    if isinstance(Y, tf.data.Dataset):
        Y = np.stack(list(Y.as_numpy_iterator())).T
    return X, Y


def model(X_train, Y_train, X_test, Y_test, learning_rate=0.0001, num_epochs=1500, minibatch_size=32,
          print_cost=True, parameters=None):
    """The course's `model`: tf.data mini-batches in order, one Adam step each, epochs; see numpy_impl's twin.

    X_train (n_x, m), Y_train one-hot (C, m), X_test, Y_test likewise; or, as in the course, `tf.data.Dataset`s
    of examples `(n_x,)` and one-hot labels `(C,)`. `parameters`: the start (default `initialize_parameters(n_x,
    C)`); its variables are trained in place. Every 10th epoch the epoch cost Σ J_total / m, the running train
    accuracy of the epoch (`keras.metrics.CategoricalAccuracy` over the batches as they were predicted, before
    each one's step) and the test accuracy are recorded, and printed if `print_cost`. (The course's notebook
    records them only when `print_cost` is true; here the history does not depend on printing.) A non-finite
    epoch cost stops the run with an error naming the epoch.
    -> (parameters, costs, train_acc, test_acc), lists of 0-d tensors.
    """
    X_train, Y_train = _as_course_arrays(X_train, Y_train)
    X_test, Y_test = _as_course_arrays(X_test, Y_test)
    X_train, Y_train, X_test, Y_test = check_train_test_one_hot(X_train, Y_train, X_test, Y_test)
    check_learning_rate(learning_rate)
    num_epochs, minibatch_size = check_count(num_epochs, "num_epochs"), check_count(minibatch_size, "minibatch_size")
    if parameters is None:
        parameters = initialize_parameters(X_train.shape[0], Y_train.shape[0])
    p = _parameters(parameters)
    if not all(isinstance(v, tf.Variable) for v in p.values()):  # a start given as arrays: trained as variables
        parameters = p = convert.to_variables(p)
    variables = list(p.values())
    dtype = variables[0].dtype
    optimizer = course_adam(learning_rate)
    optimizer.build(variables)
    train_accuracy = keras.metrics.CategoricalAccuracy(dtype=dtype)
    test_accuracy = keras.metrics.CategoricalAccuracy(dtype=dtype)
    minibatches = mini_batches(tf.cast(X_train, dtype), tf.cast(Y_train, dtype), minibatch_size)
    test_minibatches = mini_batches(tf.cast(X_test, dtype), tf.cast(Y_test, dtype), minibatch_size)
    m = X_train.shape[1]

    def train_step(minibatch_X, minibatch_Y):
        with tf.GradientTape() as tape:
            Z3 = forward_propagation(convert.inputs_from_keras(minibatch_X), p)
            minibatch_total_loss = compute_total_loss(Z3, convert.inputs_from_keras(minibatch_Y))
        train_accuracy.update_state(minibatch_Y, convert.labels_to_keras(Z3))
        grads = tape.gradient(minibatch_total_loss, variables)
        optimizer.apply_gradients(zip(grads, variables, strict=True))
        return minibatch_total_loss

    # The batches are exactly those tf.data yields, taken out of the dataset once: iterating a Dataset inside a
    # tf.function cost ~20x the arithmetic per epoch at this size (measured on 2 cores), a loop over a stacked
    # tensor of the full batches does not. The remainder batch (m mod s examples) comes last, as in tf.data.
    batches = list(minibatches)
    full = [b for b in batches if b[0].shape[0] == minibatch_size]
    remainder = batches[len(full):]
    X_full = tf.stack([x for x, _ in full]) if full else None
    Y_full = tf.stack([y for _, y in full]) if full else None

    # One trace of the step for both batch sizes (a full batch and the remainder): tracing dominates short runs.
    n_x, C = X_train.shape[0], Y_train.shape[0]
    train_step = tf.function(train_step, input_signature=(tf.TensorSpec((None, n_x), dtype),
                                                          tf.TensorSpec((None, C), dtype)))

    @tf.function
    def train_epoch():  # the course's loop over the mini-batches of one epoch, as one graph
        epoch_total_loss = tf.constant(0, dtype)
        for k in tf.range(len(full)):
            epoch_total_loss += train_step(X_full[k], Y_full[k])
        for minibatch_X, minibatch_Y in remainder:
            epoch_total_loss += train_step(minibatch_X, minibatch_Y)
        return epoch_total_loss / tf.constant(m, dtype)

    costs, train_acc, test_acc = [], [], []
    for epoch in range(num_epochs):
        train_accuracy.reset_state()
        epoch_total_loss = train_epoch()
        check_training_finite(epoch, learning_rate, cost=epoch_total_loss.numpy())  # once per epoch: no sync per step
        if epoch % 10 == 0:
            test_accuracy.reset_state()
            for minibatch_X, minibatch_Y in test_minibatches:
                Z3 = forward_propagation(convert.inputs_from_keras(minibatch_X), p)
                test_accuracy.update_state(minibatch_Y, convert.labels_to_keras(Z3))
            costs.append(epoch_total_loss)
            train_acc.append(train_accuracy.result())
            test_acc.append(test_accuracy.result())
            if print_cost:
                print(f"Cost after epoch {epoch}: {float(epoch_total_loss):f}\n"
                      f"Train accuracy: {float(train_acc[-1]):.4f}\nTest_accuracy: {float(test_acc[-1]):.4f}")
    return parameters, costs, train_acc, test_acc


def accuracy(X, Y, parameters) -> float:
    """The fraction of columns of X (n_x, m) whose predicted class argmax Z3 is the class of Y (C, m)."""
    p = _parameters(parameters)
    X = check_X(X, n_x=int(p["W1"].shape[1]))
    Y = check_one_hot_labels(Y, m=X.shape[1], C=int(p["W3"].shape[0]))
    Z3 = forward_propagation(X, p)
    return float(tf.reduce_mean(tf.cast(tf.argmax(Z3, axis=0) == tf.argmax(Y, axis=0), tf.float64)))


# ---------------------------------------------------------------- part 2: Keras blocks


def build_keras_model(n_x, n_y) -> keras.Sequential:
    """`Sequential([Input((n_x,)), Dense(25, "relu"), Dense(12, "relu"), Dense(n_y)])`, logits out, in floatx.

    Kernels `GlorotNormal(seed=1)`, biases zeros (Keras's default; the course's tf.Variable model draws its biases
    from GlorotNormal too). Copy course parameters in with `convert.set_dense_weights(model, parameters)`.
    """
    n_x, n_y = check_count(n_x, "n_x"), check_count(n_y, "n_y")
    floatx = keras.config.floatx()
    layers = [keras.Input((n_x,), dtype=floatx)]
    for l, (units, g) in enumerate(zip((*HIDDEN_UNITS, n_y), ("relu", "relu", None), strict=True), start=1):
        initializer = keras.initializers.GlorotNormal(seed=1)
        layers.append(keras.layers.Dense(units, activation=g, kernel_initializer=initializer, name=f"layer{l}"))
    return keras.Sequential(layers)


def keras_total_loss() -> keras.losses.CategoricalCrossentropy:
    """`CategoricalCrossentropy(from_logits=True, reduction="sum")`: the course's total loss, as a Keras loss."""
    return keras.losses.CategoricalCrossentropy(from_logits=True, reduction="sum", dtype=keras.config.floatx())


def keras_fit(keras_model: keras.Model, X, Y, learning_rate, num_epochs, minibatch_size):
    """`compile(course_adam(α), keras_total_loss())` then `fit(X.T, Y.T, batch_size, epochs, shuffle=False)`.

    X (n_x, m), Y one-hot (C, m) in course layout (moved through convert). `shuffle=False` keeps the course's
    batches (consecutive, remainder last). Returns the `History`.
    """
    check_learning_rate(learning_rate)
    batch_size = check_count(minibatch_size, "minibatch_size")
    keras_model.compile(optimizer=course_adam(learning_rate), loss=keras_total_loss(), jit_compile=False)
    dtype = keras_model.trainable_variables[0].dtype
    return keras_model.fit(tf.cast(convert.inputs_to_keras(X), dtype), tf.cast(convert.labels_to_keras(Y), dtype),
                           batch_size=batch_size, epochs=check_count(num_epochs, "num_epochs"), shuffle=False,
                           verbose=0)

