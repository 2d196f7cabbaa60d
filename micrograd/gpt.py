"""A tiny character-level GPT: on `Value`s, on `Tensor`s and in PyTorch.

The model is the one of karpathy's microgpt: token and position
embeddings, one transformer block (causal self-attention with 4 heads,
then a small MLP, each behind an RMSNorm and inside a residual
connection) and a linear head that scores the next character. 16-dim
embeddings and a context of 16 characters give 4,192 parameters for 27
tokens. No biases, no learned norm gains.

The three versions compute the same function of the same weights:
`init_weights` draws plain floats once, and `scalar_weights`,
`tensor_weights` and `torch_weights` wrap them. The book's GPT chapter
shows this file piece by piece.
"""

import numbers
import random

import numpy as np

from micrograd.engine import Value, weighted_sum
from micrograd.losses import cross_entropy as scalar_cross_entropy
from micrograd.tensor import Tensor, cross_entropy

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
        raise ValueError(f"n_head must be at least 1 attention head, got {n_head}")
    if n_head > n_embd:
        raise ValueError(f"n_head = {n_head} is more heads than the width has "
                         f"columns (n_embd = {n_embd}): each head needs at least one")
    if n_embd % n_head:
        divisors = [d for d in range(1, n_embd + 1) if n_embd % d == 0]
        raise ValueError(f"n_head = {n_head} does not divide the width n_embd = "
                         f"{n_embd} into equal heads; choose one of {divisors}")
    return n_embd // n_head


def _check_something_to_predict(n_targets):
    if n_targets == 0:
        raise ValueError("nothing to predict: each sequence needs at least two "
                         "tokens (one to read, the next to predict)")


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
            batch_logits.append(scalar_gpt(w, tokens[pos], pos, keys, values, n_head))
            targets.append(tokens[pos + 1])
    _check_something_to_predict(len(targets))
    return scalar_cross_entropy(batch_logits, targets)


# ----------------------------------------------------------------------
# The tensor model: a whole batch of names at once

def pack(sequences, block_size=BLOCK_SIZE):
    """Several sequences laid end to end: the input tokens, each one's
    position in its own sequence, and the tokens to predict. Each
    sequence is cut to `block_size` predictions."""
    inputs, positions, targets = [], [], []
    for tokens in sequences:
        n = min(len(tokens) - 1, block_size)
        inputs += tokens[:n]
        positions += range(n)
        targets += tokens[1:n + 1]
    _check_something_to_predict(len(targets))
    return inputs, positions, targets


def attention_mask(positions):
    """0 where row i may attend to column j, -1e9 where it may not.

    Row i may see itself and the earlier tokens of its own sequence,
    which started `positions[i]` rows before it; never a later token,
    nor another sequence packed next to it.
    """
    i = np.arange(len(positions))[:, None]
    j = np.arange(len(positions))[None, :]
    start = i - np.asarray(positions)[:, None]
    return np.where((start <= j) & (j <= i), 0.0, -1e9)


def tensor_weights(weights):
    """The same weights as `Tensor`s, one per matrix."""
    return {name: Tensor(matrix, label=name)
            for name, matrix in weights.items()}


def tensor_rmsnorm(x):
    """Each row of x divided by its root-mean-square."""
    return x * ((x * x).mean(axis=-1, keepdims=True) + RMS_EPS) ** -0.5


def attention_head(q, k, v, mask):
    """One head of causal self-attention: each row's weighted mean of the
    value rows it may see, weighted by softmax(q k^T / sqrt(d)). Returns the
    output and the attention weights."""
    scores = q @ k.T * q.shape[1] ** -0.5 + mask
    weights = scores.log_softmax(axis=-1).exp()
    return weights @ v, weights


def tensor_gpt(w, inputs, positions, n_head=N_HEAD, attention=None):
    """The logits for the token after each input token, one row each.

    Pass a list as `attention` to receive each head's attention weights.
    """
    x = tensor_rmsnorm(w["wte"][inputs] + w["wpe"][positions])
    mask = attention_mask(positions)
    head_dim = head_size(x.shape[1], n_head)
    for layer in range(n_layers(w)):
        pre = f"layer{layer}."
        # 1) causal self-attention: each head writes into x through its
        #    own columns of attn_wo (W_o applied to the heads side by side)
        h = tensor_rmsnorm(x)
        q = h @ w[pre + "attn_wq"].T
        k = h @ w[pre + "attn_wk"].T
        v = h @ w[pre + "attn_wv"].T
        for start in range(0, x.shape[1], head_dim):
            cols = slice(start, start + head_dim)
            out, weights = attention_head(q[:, cols], k[:, cols],
                                          v[:, cols], mask)
            x = x + out @ w[pre + "attn_wo"][:, cols].T
            if attention is not None:
                attention.append(weights.data)
        # 2) MLP
        h = tensor_rmsnorm(x)
        x = x + (h @ w[pre + "mlp_fc1"].T).relu() @ w[pre + "mlp_fc2"].T
    return x @ w["lm_head"].T


def tensor_loss(w, sequences, n_head=N_HEAD):
    """Mean cross-entropy over all positions of all the sequences."""
    inputs, positions, targets = pack(sequences, len(w["wpe"].data))
    return cross_entropy(tensor_gpt(w, inputs, positions, n_head), targets)


# ----------------------------------------------------------------------
# The same model in PyTorch, as a reference (torch is imported when called)

def torch_weights(weights):
    """The same weights as float64 torch tensors that require gradients."""
    import torch

    return {name: torch.tensor(m, dtype=torch.float64, requires_grad=True)
            for name, m in weights.items()}


def torch_loss(w, sequences, n_head=N_HEAD):
    """`tensor_loss`, line by line in PyTorch."""
    import torch
    import torch.nn.functional as F

    def rmsnorm(x):
        return x * ((x * x).mean(-1, keepdim=True) + RMS_EPS) ** -0.5

    inputs, positions, targets = pack(sequences, w["wpe"].shape[0])
    x = rmsnorm(w["wte"][inputs] + w["wpe"][positions])
    mask = torch.from_numpy(attention_mask(positions))
    head_dim = head_size(x.shape[1], n_head)
    for layer in range(n_layers(w)):
        pre = f"layer{layer}."
        h = rmsnorm(x)
        q = h @ w[pre + "attn_wq"].T
        k = h @ w[pre + "attn_wk"].T
        v = h @ w[pre + "attn_wv"].T
        for start in range(0, x.shape[1], head_dim):
            cols = slice(start, start + head_dim)
            scores = q[:, cols] @ k[:, cols].T * head_dim ** -0.5 + mask
            out = scores.softmax(-1) @ v[:, cols]
            x = x + out @ w[pre + "attn_wo"][:, cols].T
        h = rmsnorm(x)
        x = x + torch.relu(h @ w[pre + "mlp_fc1"].T) @ w[pre + "mlp_fc2"].T
    return F.cross_entropy(x @ w["lm_head"].T, torch.tensor(targets))
