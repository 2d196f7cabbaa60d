"""Plots for 2-D classifiers (matplotlib and NumPy)."""

import matplotlib.pyplot as plt
import numpy as np

from micrograd.engine import Value


def decision_scores(model, xx, yy):
    """The model's score at every point of the grid (xx, yy), shaped like xx."""
    points = np.column_stack([xx.ravel(), yy.ravel()])
    scores = [model([Value(float(a)), Value(float(b))]) for a, b in points]
    if not isinstance(scores[0], Value):
        kind = type(scores[0]).__name__
        raise TypeError("decision_scores needs a model with one output "
                        f"(a Value), got a {kind}")
    return np.array([s.data for s in scores]).reshape(xx.shape)


def decision_boundary(model, X, y, ax=None, steps=80, margin=0.5):
    """Colours the plane by the sign of the model's score, draws (X, y) over it.

    X is an (n, 2) array, y holds labels -1 or +1 (or 0 and 1: 0 is drawn
    as the negative class). Returns the matplotlib Axes.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError("decision_boundary needs 2-D points, an array of "
                         f"shape (n, 2); got {X.shape}")
    labels = np.asarray(y)
    if labels.shape != (len(X),):
        raise ValueError(f"decision_boundary needs one label per point: "
                         f"{len(X)} points, labels of shape {labels.shape}")
    classes = set(labels.tolist())
    if not (classes <= {-1, 1} or classes <= {0, 1}):
        raise ValueError("decision_boundary needs labels -1 and +1 (or 0 "
                         f"and 1), got {sorted(classes)}")
    negative = 0 if classes <= {0, 1} and 0 in classes else -1
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 2:
        raise ValueError(f"steps must be a whole number >= 2, got {steps!r}")
    x_min, x_max = X[:, 0].min() - margin, X[:, 0].max() + margin
    y_min, y_max = X[:, 1].min() - margin, X[:, 1].max() + margin
    xx, yy = np.meshgrid(np.linspace(x_min, x_max, steps),
                         np.linspace(y_min, y_max, steps))
    zz = decision_scores(model, xx, yy)  # before any figure: it may fail
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    ax.contourf(xx, yy, zz > 0, levels=[-0.5, 0.5, 1.5],
                colors=["#f4c7c3", "#c6dbef"], alpha=0.8)
    ax.contour(xx, yy, zz, levels=[0.0], colors="#333333", linewidths=1)
    names = ("-1", "+1") if negative == -1 else ("0", "1")
    for label, name, colour, marker in ((negative, names[0], "#c0392b", "o"),
                                        (1, names[1], "#1f5fa8", "s")):
        pts = X[labels == label]
        ax.scatter(pts[:, 0], pts[:, 1], c=colour, marker=marker, s=18,
                   edgecolors="white", linewidths=0.5, label=f"y = {name}")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(y_min, y_max)
    ax.legend(loc="upper right", fontsize=8)
    return ax
