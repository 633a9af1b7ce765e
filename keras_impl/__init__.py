"""Deep-learning fundamentals with TensorFlow/Keras: `tf.Variable` + `GradientTape`, and Keras blocks.

Each module mirrors `numpy_impl/<concept>.py` by name. Nothing here calls NumPy-side math: the parity
suite compares two independent implementations. Layout transposes live in `keras_impl.convert` only.
"""

import os

# Quiet TensorFlow's start-up chatter (CUDA probing, oneDNN notice). Must run before TF is imported.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
