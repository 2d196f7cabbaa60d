"""Loss functions and the L2 penalty, written with `Value` operations so they backpropagate."""

from micrograd.engine import Value


def max_margin_loss(scores, labels):
    """Mean hinge loss: max(0, 1 - y * score) over the batch, labels -1 or +1.

    Zero for a point on the right side with a margin of at least 1;
    grows linearly the further a point is on the wrong side.
    """
    _check_batch(scores, labels)
    for y in labels:
        # A bool is a class, not a sign, even though True == 1.
        if isinstance(y, bool) or y not in (-1, 1):
            raise ValueError(f"max_margin_loss needs labels -1 or +1, got {y!r}")
    losses = [(1 - y * s).relu() for s, y in zip(scores, labels)]
    return sum(losses) * (1.0 / len(losses))


def mean_squared_error(predictions, targets):
    """The mean of (prediction - target)**2 over the batch."""
    _check_batch(predictions, targets)
    squares = [(p - t) ** 2 for p, t in zip(predictions, targets)]
    return sum(squares) * (1.0 / len(squares))


def l2_penalty(parameters, alpha=1e-4):
    """alpha * the sum of squared parameters: pulls every weight towards 0."""
    return alpha * sum((p * p for p in parameters), Value(0.0))


def _check_batch(outputs, targets):
    if len(outputs) != len(targets):
        raise ValueError(f"got {len(outputs)} outputs but {len(targets)} targets")
    if len(outputs) == 0:
        raise ValueError("a loss needs at least one example, got an empty batch")
