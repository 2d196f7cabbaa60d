"""A tiny character-level GPT on the scalar `Value` engine, in plain Python.

The model is the one of karpathy's microgpt: token and position
embeddings, one transformer block (causal self-attention with 4 heads,
then a small MLP, each behind an RMSNorm and inside a residual
connection) and a linear head that scores the next character. 16-dim
embeddings and a context of 16 characters give 4,192 parameters for 27
tokens. No biases, no learned norm gains.

This module needs nothing but the standard library and
`micrograd.engine`, so it runs wherever Python does, a reader's browser
included. The same model on NumPy arrays (`micrograd.tensor`) and in
PyTorch is in `micrograd.gpt_tensor`; `init_weights` draws plain floats
once, and each version wraps the same floats. The book's two GPT
chapters show this file piece by piece.
"""

import math
import numbers
import random

from micrograd.engine import Value, weighted_sum
from micrograd.losses import cross_entropy as scalar_cross_entropy

N_EMBD = 16        # width of every vector that flows through the model
N_HEAD = 4         # attention heads, each N_EMBD // N_HEAD dimensions wide
BLOCK_SIZE = 16    # the longest context the model can see
RMS_EPS = 1e-5     # keeps RMSNorm finite for a vector of zeros


# ----------------------------------------------------------------------
# Data: names as sequences of tokens

def load_names():
    """The first names of the `names` package (1990 US Census), lower case.

    The package ships two lists, female and male first names, with their
    frequencies; a name in both lists is kept once.
    """
    from importlib.resources import files

    found = set()
    for list_file in ("dist.female.first", "dist.male.first"):
        text = files("names").joinpath(list_file).read_text()
        for line in text.splitlines():   # NAME  frequency  cumulative  rank
            if line.strip():
                found.add(line.split()[0].lower())
    return sorted(found)


class Tokenizer:
    """Characters to integer ids and back. Id 0 is BOS, the boundary token.

    BOS stands before the first character of a name ("begin") and after its
    last one ("end"): one token does both jobs.
    """

    def __init__(self, names):
        self.chars = sorted(set("".join(names)))
        self.bos = 0
        self.vocab_size = len(self.chars) + 1
        self._ids = {c: i + 1 for i, c in enumerate(self.chars)}

    def encode(self, name):
        """BOS, the name's characters, BOS: one training sequence."""
        return [self.bos] + [self._ids[c] for c in name] + [self.bos]

    def decode(self, ids):
        """The name spelled by token ids (BOS tokens dropped)."""
        return "".join(self.chars[i - 1] for i in ids if i != self.bos)


def baseline_losses(fit, evaluate, vocab_size):
    """What simple counting achieves: the mean cross-entropy on the token
    sequences `evaluate` of three models counted on the sequences `fit`.

    uniform: every token equally likely. unigram: each token as often as
    it comes next in `fit`. bigram: as often as it follows the token
    before it. Every count starts at 1 (add-one smoothing), so a pair
    never seen in `fit` is unlikely, not impossible.
    """
    nexts = [1] * vocab_size                        # nexts[b]: b came next
    pairs = [[1] * vocab_size for _ in range(vocab_size)]   # b after a
    for tokens in fit:
        for a, b in zip(tokens, tokens[1:]):
            nexts[b] += 1
            pairs[a][b] += 1
    total, row_totals = sum(nexts), [sum(row) for row in pairs]
    steps = [(a, b) for tokens in evaluate for a, b in zip(tokens, tokens[1:])]
    unigram = [-math.log(nexts[b] / total) for a, b in steps]
    bigram = [-math.log(pairs[a][b] / row_totals[a]) for a, b in steps]
    return {"uniform": math.log(vocab_size),
            "unigram": sum(unigram) / len(steps),
            "bigram": sum(bigram) / len(steps)}


# ----------------------------------------------------------------------
# Weights: plain floats, shared by every version of the model

def init_weights(vocab_size, n_embd=N_EMBD, block_size=BLOCK_SIZE,
                 n_layer=1, std=0.08, seed=42):
    """A dict of weight matrices (lists of rows of floats), drawn from
    N(0, std²).

    A matrix that maps n_in numbers to n_out numbers has n_out rows of n_in
    weights, as in `torch.nn.Linear`.
    """
    rng = random.Random(seed)

    def matrix(n_out, n_in):
        return [[rng.gauss(0.0, std) for _ in range(n_in)]
                for _ in range(n_out)]

    weights = {"wte": matrix(vocab_size, n_embd),    # token embeddings
               "wpe": matrix(block_size, n_embd)}    # position embeddings
    for layer in range(n_layer):
        for name in ("attn_wq", "attn_wk", "attn_wv", "attn_wo"):
            weights[f"layer{layer}.{name}"] = matrix(n_embd, n_embd)
        weights[f"layer{layer}.mlp_fc1"] = matrix(4 * n_embd, n_embd)
        weights[f"layer{layer}.mlp_fc2"] = matrix(n_embd, 4 * n_embd)
    weights["lm_head"] = matrix(vocab_size, n_embd)
    return weights


def count_parameters(weights):
    """How many numbers the weight matrices hold."""
    return sum(len(row) for matrix in weights.values() for row in matrix)


def n_layers(weights):
    """How many transformer blocks the weights describe."""
    return sum(1 for name in weights if name.endswith(".attn_wq"))


def head_size(n_embd, n_head):
    """The width of one attention head: n_embd // n_head columns.

    The heads split the width into equal slices, so n_head must be a whole
    number from 1 to n_embd that divides it (torch.nn.MultiheadAttention
    refuses the others too): a remainder would make a narrower last head,
    or fewer or more heads than asked for, and the versions would disagree.
    """
    if isinstance(n_head, bool) or not isinstance(n_head, numbers.Integral):
        raise TypeError(f"n_head must be a whole number of attention heads, "
                        f"got {type(n_head).__name__}")
    if n_head < 1:
        raise ValueError(f"n_head must be at least 1 attention head, "
                         f"got {n_head}")
    if n_head > n_embd:
        raise ValueError(f"n_head = {n_head} is more heads than the width "
                         f"has columns (n_embd = {n_embd}): each head needs "
                         f"at least one")
    if n_embd % n_head:
        divisors = [d for d in range(1, n_embd + 1) if n_embd % d == 0]
        raise ValueError(f"n_head = {n_head} does not divide the width "
                         f"n_embd = {n_embd} into equal heads; choose one "
                         f"of {divisors}")
    return n_embd // n_head


def _check_something_to_predict(n_targets):
    if n_targets == 0:
        raise ValueError("nothing to predict: each sequence needs at least "
                         "two tokens (one to read, the next to predict)")


# ----------------------------------------------------------------------
# The scalar model: every number is a Value

def scalar_weights(weights):
    """The same weights as `Value`s: a dict of lists of rows of Values."""
    return {name: [[Value(w) for w in row] for row in matrix]
            for name, matrix in weights.items()}


def linear(x, w):
    """W x for a list of Values x: one fused dot-product node per output."""
    return [weighted_sum(row, x, 0.0) for row in w]


def rmsnorm(x):
    """x / sqrt(mean(x²) + eps): x rescaled to a root-mean-square of 1."""
    mean_square = weighted_sum(x, x, 0.0) * (1.0 / len(x))
    scale = (mean_square + RMS_EPS) ** -0.5
    return [xi * scale for xi in x]


def softmax(logits):
    """exp(z_i) / sum_j exp(z_j), shifted by the largest z: no overflow."""
    shift = max(z.data for z in logits)
    exps = [(z - shift).exp() for z in logits]
    total = sum(exps)
    return [e / total for e in exps]


def scalar_gpt(w, token, pos, keys, values, n_head=N_HEAD):
    """The logits for the token after `token` at position `pos`.

    `keys` and `values` hold, per layer, the key and value vectors of the
    positions seen so far; this call appends its own. Attending to them and
    to nothing later is what makes the attention causal.
    """
    x = [t + p for t, p in zip(w["wte"][token], w["wpe"][pos])]
    x = rmsnorm(x)
    head_dim = head_size(len(x), n_head)
    scale = head_dim ** -0.5
    for layer in range(len(keys)):
        pre = f"layer{layer}."
        # 1) causal self-attention
        residual = x
        x = rmsnorm(x)
        q = linear(x, w[pre + "attn_wq"])
        keys[layer].append(linear(x, w[pre + "attn_wk"]))
        values[layer].append(linear(x, w[pre + "attn_wv"]))
        heads = []
        for h in range(0, len(x), head_dim):
            q_h = q[h:h + head_dim]
            scores = [weighted_sum(q_h, k[h:h + head_dim], 0.0) * scale
                      for k in keys[layer]]
            attention = softmax(scores)
            for j in range(h, h + head_dim):
                column = [v[j] for v in values[layer]]
                heads.append(weighted_sum(attention, column, 0.0))
        out = linear(heads, w[pre + "attn_wo"])
        x = [a + b for a, b in zip(out, residual)]
        # 2) MLP
        residual = x
        x = rmsnorm(x)
        x = [h.relu() for h in linear(x, w[pre + "mlp_fc1"])]
        x = [a + b for a, b in zip(linear(x, w[pre + "mlp_fc2"]), residual)]
    return linear(x, w["lm_head"])


def scalar_loss(w, sequences, n_head=N_HEAD):
    """Mean cross-entropy of predicting each next token, over all positions
    of all the sequences (lists of token ids) given.

    As `tensor_loss` and `torch_loss`: log-softmax by the log-sum-exp trick
    (finite even where a probability underflows to 0), a target outside
    the vocabulary (-1 too) refused, an error when there is nothing to
    predict.
    """
    layers = n_layers(w)
    batch_logits, targets = [], []
    for tokens in sequences:
        keys = [[] for _ in range(layers)]
        values = [[] for _ in range(layers)]
        for pos in range(min(len(tokens) - 1, len(w["wpe"]))):
            logits = scalar_gpt(w, tokens[pos], pos, keys, values, n_head)
            batch_logits.append(logits)
            targets.append(tokens[pos + 1])
    _check_something_to_predict(len(targets))
    return scalar_cross_entropy(batch_logits, targets)

def generate(w, rng, temperature=1.0, bos=0, n_head=N_HEAD):
    """A new name from the scalar model, as a list of token ids.

    Start at BOS, turn the logits divided by `temperature` into
    probabilities, draw the next token with `rng`, feed it back; stop when
    the model draws BOS (the end of the name) or the context is full.
    """
    keys = [[] for _ in range(n_layers(w))]
    values = [[] for _ in range(n_layers(w))]
    token, name = bos, []
    for pos in range(len(w["wpe"])):
        logits = scalar_gpt(w, token, pos, keys, values, n_head)
        scaled = [z.data / temperature for z in logits]
        top = max(scaled)
        token = rng.choices(range(len(scaled)),
                            weights=[math.exp(z - top) for z in scaled])[0]
        if token == bos:
            break
        name.append(token)
    return name
