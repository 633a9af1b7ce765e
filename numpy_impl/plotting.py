"""Plot helpers shared by the notebooks (a helper, not a concept: it draws, it computes nothing).

Every helper takes `ax=None` (the current Axes then) and returns the Axes, so plots compose into
subplots. Arrays are in course layout: `X (2, m)`, `Y (1, m)`. Used for NumPy and TF/Keras results alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import matplotlib.pyplot as plt
import numpy as np

LINESTYLES = ["-", "--", ":", "-."]  # identical curves drawn on top of each other stay visible


def plot_data(X, Y, ax=None, title: str = ""):
    """Scatter the 2-D points `X (2, m)` coloured by their labels `Y (1, m)`."""
    ax = ax or plt.gca()
    ax.scatter(X[0], X[1], c=np.ravel(Y), cmap="coolwarm", s=12, edgecolors="k", linewidths=0.3)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)
    return ax


def plot_decision_boundary(predict: Callable, X, Y, ax=None, title: str = "decision boundary", margin: float = 0.5):
    """Colour the plane by `predict(points (2, k)) -> (1, k)` (meshgrid + contourf), then scatter X by Y."""
    ax = ax or plt.gca()
    x0, x1 = np.meshgrid(np.linspace(X[0].min() - margin, X[0].max() + margin, 200),
                         np.linspace(X[1].min() - margin, X[1].max() + margin, 200))
    grid = np.stack([x0.ravel(), x1.ravel()])
    ax.contourf(x0, x1, np.asarray(predict(grid), dtype=float).reshape(x0.shape), alpha=0.3, cmap="coolwarm")
    return plot_data(X, Y, ax=ax, title=title)


def plot_cost_curves(curves: Mapping, ax=None, title: str = "cost J", every: int = 1, logy: bool = False,
                     ylabel: str = "cost J"):
    """Cost curves `{label: costs}` on one axes, a cost recorded every `every` iterations.

    NumPy, tape and Keras curves that agree lie on top of each other (different line styles keep each visible).
    """
    ax = ax or plt.gca()
    for i, (label, costs) in enumerate(curves.items()):
        costs = np.asarray(costs, dtype=np.float64)
        ax.plot(every * np.arange(len(costs)), costs, LINESTYLES[i % len(LINESTYLES)], linewidth=2, label=label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    return ax


def show_image(image, ax=None, title: str = ""):
    """One image `(height, width, channels)` in [0, 1] (one channel: grey levels), without axes ticks."""
    ax = ax or plt.gca()
    image = np.asarray(image, dtype=np.float64)
    ax.imshow(image[..., 0] if image.shape[-1] == 1 else image, cmap="gray" if image.shape[-1] == 1 else None,
              vmin=0.0, vmax=1.0)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title)
    return ax
