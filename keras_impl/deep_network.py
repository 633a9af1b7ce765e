"""The deep (L-layer) network with TensorFlow: autodiff instead of the hand-written backward pass (concept A9).

Part 1, `tf.Variable` + `GradientTape`, in course layout (no transposes): the parameters are a course dict of
variables `{"W1": tf.Variable, "b1": ..., "WL", "bL"}` (`convert.to_variables(parameters)`), `W[l] (n_l, n_{l-1})`,
`b[l] (n_l, 1)`; the forward pass is the notes' `Z[l] = W[l] A[l-1] + b[l]`, `A[l] = g[l](Z[l])`; the cost is
computed from the logits `ZL` (stable); the tape gives every `dW[l], db[l]`; the update is `W[l] -= α dW[l]`;
the training loop is one `tf.function` over `tf.range`.

Part 2, Keras blocks: a `keras.Sequential` of `Dense` layers built from the same `layer_dims` (inputs `(m, n_x)`,
`kernel = W.T`, all layout moves through `keras_impl.convert`), `BinaryCrossentropy(from_logits=True)` on the
last layer's logits (`keras_impl.losses.keras_binary_crossentropy`), gradients by tape on that loss,
`keras_impl.optimization.keras_sgd`, and a compiled full-batch loop.

The output layer is linear (it returns `ZL`) and the sigmoid `AL = σ(ZL)` is applied by the loss and by
`predict`: the cost is then computed from logits on purpose (docs/traps.md, trap 3), finite for every
`ZL`, instead of Keras silently choosing between a clipped-probability path and a logits path.

Which NumPy function (`numpy_impl.deep_network`) each function mirrors:

| here                                   | NumPy                                                         |
|----------------------------------------|---------------------------------------------------------------|
| `L_model_forward_logits(X, parameters)`| `L_model_forward` (same AL; returns ZL = caches[-1][1], no caches) |
| `compute_cost_from_logits(ZL, Y)`      | `compute_cost_from_logits` (and `compute_cost` at AL = σ(ZL)) |
| `compute_grads(X, Y, parameters)`      | the dW, db of `L_model_backward` (and the cost)               |
| `activation_grads(X, Y, parameters)`   | the dA of `L_model_backward` (divided by m: see its docstring)|
| `update_parameters`                    | `update_parameters` (in place on the variables)               |
| `gradient_descent`                     | `gradient_descent` (same arguments; all steps in one tf.function) |
| `predict(X, y, parameters)`            | `predict`                                                     |
| `build_model`, `keras_forward`, `keras_gradients`, `make_train_function`, `keras_predict` (Keras blocks) |
|                                        | none, `L_model_forward`, the dW, db of `L_model_backward`,    |
|                                        | `gradient_descent`, `predict`                                 |

Every public function checks its inputs with `numpy_impl.validation`, the checks its NumPy twin runs, before
anything is traced: the same bad input raises the same exception with the same message on both sides. Inside a
`tf.function` (symbolic tensors) the checks are skipped: the caller checked the inputs once, before tracing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import keras
import numpy as np
import tensorflow as tf

from keras_impl import convert
from keras_impl.activations import activation as tf_activation
from keras_impl.losses import keras_binary_crossentropy
from numpy_impl.validation import (
    as_float_array,
    check_activations,
    check_count,
    check_finite,
    check_grads,
    check_layer_dims,
    check_learning_rate,
    check_parameter_dtype,
    check_prediction_and_labels,
    check_training_finite,
    check_X,
    check_Y,
    number_of_layers,
)

# Which NumPy function (numpy_impl.deep_network, or numpy_impl.<module>.<name>) each function here mirrors;
# the docs site pairs its code columns from this, parity_tests/test_twins.py checks it. None: no NumPy twin.
MIRRORS = {
    "A9": {
        "L_model_forward_logits": "L_model_forward",
        "compute_cost_from_logits": "compute_cost_from_logits",
        "compute_grads": "L_model_backward",
        "activation_grads": "L_model_backward",
        "update_parameters": "update_parameters",
        "gradient_descent": "gradient_descent",
        "predict": "predict",
        "build_model": None,
        "keras_forward": "L_model_forward",
        "keras_gradients": "L_model_backward",
        "make_train_function": "gradient_descent",
        "keras_predict": "predict",
    },
}
# The Keras-block versions and how they map onto the notes' formulas.
KERAS_BLOCKS = {
    "keras_forward": (
        "One Dense per layer of layer_dims (relu hidden, logits out) with kernel = W[l]ᵀ, bias = b[l][:, 0]: A[l] = "
        "g(W[l] A[l-1] + b[l]) moved to Keras layout."
    ),
    "keras_gradients": (
        "BinaryCrossentropy(from_logits=True) on ZL and the tape's kernel/bias gradients, transposed by convert: "
        "the course's grads dW[l], db[l] of L_model_backward."
    ),
    "make_train_function": (
        "keras_sgd(α) full batch, compiled: one step per iteration of the course's gradient descent (the loop of "
        "L_layer_model), what model.fit(batch_size=m, shuffle=False) does without its per-epoch overhead."
    ),
    "keras_predict": (
        "σ(ZL) > 0.5 on the model's logits, in course layout: the course's predict."
    ),
}

HIDDEN = ("relu", "sigmoid", "tanh")  # the same op and the same name in tf.nn / tf.math and as a Dense activation


def _eager(*values) -> bool:
    """True unless one of `values` is a symbolic tensor (inside a tf.function: the caller checked the inputs)."""
    return tf.executing_eagerly() and not any(tf.is_tensor(v) and not hasattr(v, "numpy") for v in values)


def _arrays(parameters: Mapping) -> Mapping:
    """The values of a parameters dict (arrays, tensors or variables) as NumPy arrays, for the shared checks."""
    if not isinstance(parameters, Mapping):
        return parameters  # number_of_layers names the wrong type
    return {k: v.numpy() if hasattr(v, "numpy") else v for k, v in parameters.items()}


def _check_activations(activations, L: int) -> list[str]:
    """NumPy's check (one known name per layer), then the TF side's own rule: the output layer is a sigmoid."""
    names = check_activations(activations, L, HIDDEN)
    if names[-1] != "sigmoid":
        raise ValueError(f"the output layer must be 'sigmoid' here (the cost is computed from the logits ZL), got "
                         f"{names[-1]!r}")
    return names


def _check_forward(X, parameters: Mapping, activations) -> tuple[np.ndarray, int, list[str]]:
    """The checks of `numpy_impl.deep_network.L_model_forward`, in its order: X (n_x, m) in the parameters' dtype."""
    arrays = _arrays(parameters)
    L = number_of_layers(arrays)
    dtype = check_parameter_dtype(arrays)
    X = check_X(np.asarray(X), n_x=np.shape(arrays["W1"])[1]).astype(dtype, copy=False)
    names = _check_activations(activations, L)
    for l in range(1, L + 1):  # linear_forward's checks, layer by layer
        check_finite(as_float_array(arrays[f"W{l}"], "W"), "W")
        check_finite(as_float_array(arrays[f"b{l}"], "b"), "b")
    return X, L, names


# ---------------------------------------------------------------- part 1: tf.Variable + GradientTape


def _forward(A, parameters: Mapping, names: Sequence[str]):
    """A[0] = A, then every layer; returns ([A[0], ..., A[L-1]], AL, ZL)."""
    inputs, Z = [], A
    for l, g in enumerate(names, start=1):
        inputs.append(A)
        Z = tf.matmul(parameters[f"W{l}"], A) + parameters[f"b{l}"]
        A = tf_activation(g)(Z)
    return inputs, A, Z


def _names(parameters: Mapping, activations) -> list[str]:
    L = sum(1 for k in parameters if k.startswith("W") and k[1:].isdigit())
    return list(activations) if activations is not None else ["relu"] * (L - 1) + ["sigmoid"]


def L_model_forward_logits(X, parameters: Mapping, activations: Sequence[str] | None = None):
    """Z[l] = W[l]·A[l-1] + b[l], A[l] = g[l](Z[l]), [RELU] x (L-1) then SIGMOID, in course layout.

    X (n_x, m), parameters {"W1", "b1", ..., "WL", "bL"} (variables or tensors, one dtype) -> (AL (1, m), ZL (1, m)).
    NumPy's `L_model_forward` returns (AL, caches) instead: the tape needs no caches.
    """
    if _eager(X):
        X, _, names = _check_forward(X, parameters, activations)
    else:
        names = _names(parameters, activations)
    X = tf.cast(X, parameters["W1"].dtype)
    _, AL, ZL = _forward(X, parameters, names)
    return AL, ZL


def compute_cost_from_logits(ZL, Y) -> tf.Tensor:
    """J = 1/m Σ (max(Z, 0) - Z·Y + log(1 + e^(-|Z|))) = -1/m Σ (Y log AL + (1-Y) log(1-AL)), AL = σ(ZL).

    `tf.nn.sigmoid_cross_entropy_with_logits` averaged over the m examples. ZL, Y (1, m) -> scalar. Strict like
    its NumPy twin: labels must be 0 or 1.
    """
    if _eager(ZL, Y):
        check_prediction_and_labels(np.asarray(ZL), np.asarray(Y), "ZL")
    ZL = tf.convert_to_tensor(ZL)
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.cast(Y, ZL.dtype), logits=ZL))


def _keys(L: int) -> list[str]:
    return [f"{p}{l}" for l in range(1, L + 1) for p in "Wb"]


def compute_grads(X, Y, parameters: Mapping, activations: Sequence[str] | None = None):
    """The cost J and the grads {"dW1", "db1", ..., "dWL", "dbL"} = ∂J/∂W[l], ∂J/∂b[l] by GradientTape.

    X (n_x, m), Y (1, m) with labels in {0, 1}, parameters a dict of `tf.Variable`s -> (J, grads), every
    gradient shaped like its parameter. No hand-written backward pass: the tape differentiates the forward pass.
    """
    if _eager(X, Y):
        X, L, _ = _check_forward(X, parameters, activations)
        check_Y(np.asarray(Y), m=X.shape[1], n_y=np.shape(parameters[f"W{L}"])[0], binary=True)
    keys = _keys(sum(1 for k in parameters if k.startswith("W") and k[1:].isdigit()))
    with tf.GradientTape() as tape:
        tape.watch([parameters[k] for k in keys])  # tensors as well as variables
        _, ZL = L_model_forward_logits(X, parameters, activations)
        cost = compute_cost_from_logits(ZL, tf.cast(Y, ZL.dtype))
    grads = tape.gradient(cost, [parameters[k] for k in keys])
    return cost, {f"d{k}": g for k, g in zip(keys, grads, strict=True)}


def activation_grads(X, Y, parameters: Mapping, activations: Sequence[str] | None = None) -> dict[str, tf.Tensor]:
    """∂J/∂A[l] for l = 0..L-1 by tape (A[0] = X), keyed like the course: `{"dA0": ..., "dA{L-1}": ...}`.

    The course's backward pass starts from dAL = -(Y/AL - (1-Y)/(1-AL)), the derivative of the per-example
    loss, and divides by m only in dW and db; so its `dA[l]` is `m · ∂J/∂A[l]` (the parity test multiplies by m).
    """
    X, L, names = _check_forward(X, parameters, activations)
    check_Y(np.asarray(Y), m=X.shape[1], n_y=np.shape(parameters[f"W{L}"])[0], binary=True)
    X = tf.constant(X)
    with tf.GradientTape() as tape:
        tape.watch(X)  # X is a constant, not a Variable: the tape must be told to follow it
        inputs, _, ZL = _forward(X, parameters, names)
        cost = compute_cost_from_logits(ZL, tf.cast(Y, ZL.dtype))
    return {f"dA{l}": g for l, g in enumerate(tape.gradient(cost, inputs))}


def update_parameters(parameters: Mapping, grads: Mapping, learning_rate) -> Mapping:
    """W[l] := W[l] - α dW[l], b[l] := b[l] - α db[l], in place on the variables; returns `parameters`.

    parameters {"W1": tf.Variable, ...}, grads {"dW1", ...} (same shapes, finite). A Python α becomes a
    constant of the variables' dtype (`tf.constant(α, float64)` is exact; `tf.cast` of a Python float would
    round it through float32 first); a tensor α is used as it is.
    """
    if not isinstance(grads, Mapping) or _eager(*grads.values()):
        arrays = _arrays(parameters)
        L = number_of_layers(arrays)
        check_grads(arrays, _arrays(grads), _keys(L))
        check_learning_rate(learning_rate)
    for key, variable in parameters.items():
        if key.startswith(("W", "b")) and key[1:].isdigit():
            alpha = learning_rate if tf.is_tensor(learning_rate) else tf.constant(learning_rate, variable.dtype)
            variable.assign_sub(alpha * grads[f"d{key}"])
    return parameters


def _loop(X, Y, variables: list, learning_rate, num_iterations, names: tuple):
    """num_iterations steps in graph mode (variables [W1, b1, ...] as arguments): -> costs (num_iterations,)."""
    parameters = dict(zip(_keys(len(variables) // 2), variables, strict=True))
    costs = tf.TensorArray(X.dtype, size=num_iterations)
    for i in tf.range(num_iterations):
        cost, grads = _compute_grads_as_is(X, Y, parameters, names)
        _update_parameters_as_is(parameters, grads, learning_rate)
        costs = costs.write(i, cost)
    return costs.stack()


# AutoGraph converts only the loops (their `tf.range`); the step functions they call have no tensor-dependent
# control flow and are traced as they are (converting them recursively made tracing several times slower).
_compute_grads_as_is = tf.autograph.experimental.do_not_convert(compute_grads)
_update_parameters_as_is = tf.autograph.experimental.do_not_convert(update_parameters)
_compiled_loop = tf.function(_loop)  # one trace per network shape, dtype and activations


def gradient_descent(X, Y, parameters: Mapping, learning_rate, num_iterations: int, print_cost: bool = False,
                     record_every: int = 100, activations: Sequence[str] | None = None):
    """`num_iterations` full-batch steps of forward, cost, tape gradient, update, compiled as one `tf.function`.

    The same arguments as NumPy's `gradient_descent`: X (n_x, m), Y (1, m) with labels in {0, 1}, parameters
    (arrays, course layout) -> (final parameters as arrays, costs): the cost J before update i for
    `i % record_every == 0`, a tensor. The cost is the stable one from the logits (NumPy records the course's
    formula; they agree while AL stays inside (0, 1)). A cost or final parameter that is not finite raises a
    `FloatingPointError` naming the iteration (the first non-finite cost, found after the compiled run).
    """
    X, L, names = _check_forward(X, parameters, activations)
    Y = check_Y(np.asarray(Y), m=X.shape[1], n_y=np.shape(_arrays(parameters)[f"W{L}"])[0], binary=True)
    record_every = check_count(record_every, "record_every")
    check_learning_rate(learning_rate)
    num_iterations = check_count(num_iterations, "num_iterations", minimum=0)
    variables = convert.to_variables({k: _arrays(parameters)[k] for k in _keys(L)})
    dtype = variables["W1"].dtype
    costs = _compiled_loop(tf.constant(X, dtype), tf.constant(Y, dtype), list(variables.values()),
                           tf.constant(learning_rate, dtype), tf.constant(num_iterations, tf.int32), tuple(names))
    values = costs.numpy()
    for i in np.flatnonzero(~np.isfinite(values))[:1]:
        check_training_finite(int(i), learning_rate, cost=values[i])
    final = convert.to_parameters(variables)
    if num_iterations:
        check_training_finite(num_iterations - 1, learning_rate, **final)
    if print_cost:
        for i in range(num_iterations):
            if i % 100 == 0 or i == num_iterations - 1:
                print(f"Cost after iteration {i}: {values[i]}")
    return final, costs[::record_every]


def predict(X, y, parameters: Mapping, activations: Sequence[str] | None = None, print_accuracy: bool = False):
    """ŷ = 1 where AL > 0.5, else 0.  X (n_x, m), y (1, m) labels -> p (1, m), a tensor of the parameters' dtype.

    The arguments of NumPy's `predict`; `print_accuracy=True` prints "Accuracy: ..." as the course does.
    """
    AL, _ = L_model_forward_logits(X, parameters, activations)
    y = check_Y(np.asarray(y), m=AL.shape[1], n_y=AL.shape[0], binary=True)
    p = tf.cast(AL > 0.5, AL.dtype)
    if print_accuracy:
        print(f"Accuracy: {np.mean(p.numpy() == y)}")
    return p


# ---------------------------------------------------------------- part 2: Keras blocks


def build_model(layer_dims: Sequence[int], activations: Sequence[str] | None = None,
                kernel_initializers: Sequence | None = None) -> keras.Sequential:
    """`Sequential([Input((n_x,)), Dense(n_1, g1), ..., Dense(n_L)])`: one Dense per layer of `layer_dims`.

    Hidden layers carry their activation; the last Dense is linear (it outputs the logits ZL, `(m, n_L)`), its
    sigmoid being applied by `keras_binary_crossentropy()` (from_logits=True) and by `keras_forward`.
    `kernel_initializers`: one Keras initializer per layer (default: Keras's GlorotUniform); biases start at
    zero. The weights take Keras's floatx; copy course parameters in with `convert.set_dense_weights`.
    """
    dims = check_layer_dims(layer_dims)
    L = len(dims) - 1
    names = _check_activations(activations, L)
    initializers = list(kernel_initializers) if kernel_initializers is not None else ["glorot_uniform"] * L
    if len(initializers) != L:
        raise ValueError(f"kernel_initializers must hold one initializer per layer (L = {L}), got {len(initializers)}")
    layers = [keras.Input((dims[0],), dtype=keras.config.floatx())]
    for l in range(1, L + 1):
        g = names[l - 1] if l < L else None  # the output layer returns the logits ZL
        layers.append(keras.layers.Dense(dims[l], activation=g, kernel_initializer=initializers[l - 1],
                                         name=f"layer{l}"))
    return keras.Sequential(layers)


def _keras_inputs(model: keras.Model, X) -> tf.Tensor:
    """Course X (n_x, m), checked like NumPy's, as Keras inputs (m, n_x) in the model's dtype."""
    X = check_X(np.asarray(X), n_x=model.inputs[0].shape[-1])
    return tf.cast(convert.inputs_to_keras(X), model.trainable_variables[0].dtype)


def keras_forward(model: keras.Model, X):
    """The model on course-layout X (n_x, m) -> (AL (n_L, m), ZL (n_L, m)), moved back through convert."""
    ZL = convert.inputs_from_keras(model(_keras_inputs(model, X)))
    return tf.math.sigmoid(ZL), ZL


def keras_gradients(model: keras.Model, X, Y):
    """The Keras loss J and its gradients by tape, as course grads `{"dW1": dkernel1.T, "db1": ..., ...}`."""
    x = _keras_inputs(model, X)
    Y = check_Y(np.asarray(Y), m=x.shape[0], n_y=model.outputs[0].shape[-1], binary=True)
    with tf.GradientTape() as tape:
        cost = keras_binary_crossentropy()(tf.cast(convert.labels_to_keras(Y), x.dtype), model(x, training=True))
    grads = tape.gradient(cost, model.trainable_variables)
    return cost, convert.dense_grads_to_course(grads, model)


def make_train_function(model: keras.Model, optimizer: keras.optimizers.Optimizer):
    """A compiled full-batch trainer `train(X, Y, num_iterations) -> costs (num_iterations,)`.

    Every iteration: `keras_binary_crossentropy()` on all m examples, gradients by tape,
    `optimizer.apply_gradients`; the loop is a `tf.function` over `tf.range` (what
    `model.fit(batch_size=m, shuffle=False)` does, without its per-epoch Python overhead). X (n_x, m) and
    Y (n_y, m) are in course layout, checked, and moved once through convert.
    """
    loss = keras_binary_crossentropy()
    optimizer.build(model.trainable_variables)

    @tf.autograph.experimental.do_not_convert  # no tensor-dependent control flow: Keras is traced as it is
    def step(x, y):
        with tf.GradientTape() as tape:
            cost = loss(y, model(x, training=True))
        grads = tape.gradient(cost, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return cost

    @tf.function
    def loop(x, y, n):
        costs = tf.TensorArray(x.dtype, size=n)
        for i in tf.range(n):
            costs = costs.write(i, step(x, y))
        return costs.stack()

    def train(X, Y, num_iterations: int) -> tf.Tensor:
        x = _keras_inputs(model, X)
        Y = check_Y(np.asarray(Y), m=x.shape[0], n_y=model.outputs[0].shape[-1], binary=True)
        n = check_count(num_iterations, "num_iterations", minimum=0)
        return loop(x, tf.cast(convert.labels_to_keras(Y), x.dtype), tf.constant(n))

    return train


def keras_predict(model: keras.Model, X) -> tf.Tensor:
    """ŷ = 1 where σ(ZL) > 0.5, else 0, course layout `(n_L, m)`, in the model's dtype."""
    AL, _ = keras_forward(model, X)
    return tf.cast(AL > 0.5, AL.dtype)

