"""Losses and the L2 penalty, made of `Value` ops so that they backpropagate."""

import math
import numbers

from micrograd.engine import Value


def max_margin_loss(scores, labels):
    """Mean hinge loss: max(0, 1 - y * score) over the batch, labels -1 or +1.

    Zero for a point on the right side with a margin of at least 1;
    grows linearly the further a point is on the wrong side.
    """
    scores, labels = _check_batch(scores, labels, "max_margin_loss")
    for y in labels:
        # A bool is a class, not a sign, even though True == 1.
        if isinstance(y, bool) or y not in (-1, 1):
            raise ValueError("max_margin_loss needs labels -1 or +1, "
                             f"got {y!r}")
    losses = [(1 - y * s).relu() for s, y in zip(scores, labels)]
    return sum(losses) * (1.0 / len(losses))


def mean_squared_error(predictions, targets):
    """The mean of (prediction - target)**2 over the batch."""
    predictions, targets = _check_batch(predictions, targets,
                                        "mean_squared_error")
    squares = [(p - t) ** 2 for p, t in zip(predictions, targets)]
    return sum(squares) * (1.0 / len(squares))


def l2_penalty(parameters, alpha=1e-4):
    """alpha * the sum of squared parameters: pulls every one towards 0."""
    parameters = list(parameters)
    number = isinstance(alpha, numbers.Real) and not isinstance(alpha, bool)
    if not (number and 0 <= alpha < math.inf):
        raise ValueError(f"alpha must be a finite number >= 0, got {alpha!r}")
    _check_values(parameters, "l2_penalty needs the model's parameters")
    return alpha * sum((p * p for p in parameters), Value(0.0))


def _check_batch(outputs, targets, loss):
    """Both as lists of equal, non-zero length; the outputs must be Values."""
    outputs, targets = list(outputs), list(targets)
    if len(outputs) != len(targets):
        raise ValueError(f"got {len(outputs)} outputs "
                         f"but {len(targets)} targets")
    if len(outputs) == 0:
        raise ValueError("a loss needs at least one example, "
                         "got an empty batch")
    _check_values(outputs, f"{loss} needs the model's outputs, one per example")
    return outputs, targets


def _check_values(values, message):
    for i, v in enumerate(values):
        if not isinstance(v, Value):
            kind = type(v).__name__
            raise TypeError(f"{message}: Values, but item {i} is a {kind}")


def log_softmax(logits):
    """log p_k for each logit z_k, where p = softmax(z): e^z_k / sum_j e^z_j.

    By the log-sum-exp trick: the largest logit m is subtracted first, so no
    exp overflows and no probability rounds to 0 before its log is taken.
    m is a plain number: log p does not change when all logits shift
    together, so no gradient is lost by not flowing through m.
    """
    logits = list(logits)
    if not logits:
        raise ValueError("log_softmax needs at least one logit, got none")
    _check_values(logits, "log_softmax needs logits")
    m = max(z.data for z in logits)
    shifted = [z - m for z in logits]
    log_sum_exp = sum((s.exp() for s in shifted), Value(0.0)).log()
    return [s - log_sum_exp for s in shifted]


def cross_entropy(batch_logits, labels):
    """Mean of -log softmax(logits)[label] over the batch, labels 0 to K-1.

    Like torch.nn.functional.cross_entropy. Its gradient with respect to an
    example's logits is (softmax(logits) - onehot(label)) / batch size.
    """
    batch_logits, labels = list(batch_logits), list(labels)
    if len(batch_logits) != len(labels):
        raise ValueError(f"got {len(batch_logits)} lists of logits "
                         f"but {len(labels)} labels")
    if not batch_logits:
        raise ValueError("a loss needs at least one example, "
                         "got an empty batch")
    losses = []
    for i, (logits, y) in enumerate(zip(batch_logits, labels)):
        log_p = log_softmax(logits)
        whole = isinstance(y, numbers.Integral) and not isinstance(y, bool)
        if not (whole and 0 <= y < len(log_p)):
            raise ValueError(f"cross_entropy needs class labels 0 to "
                             f"{len(log_p) - 1}; example {i} has {y!r}")
        losses.append(-log_p[int(y)])
    return sum(losses) * (1.0 / len(losses))
