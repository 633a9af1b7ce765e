"""Deep-learning fundamentals from scratch in NumPy, in the notes' notation and layout.

`X` is `(n_x, m)` (one example per column), `Y` is `(n_y, m)`, `W[l]` is `(n[l], n[l-1])`, `b[l]` is
`(n[l], 1)` and `Z = W A_prev + b`. Backward passes are written by hand. This package never imports
TensorFlow: it is one of the two independent sides that the parity suite compares.
"""
