"""The GPT of `micrograd.gpt` on arrays: on `Tensor`s and in PyTorch.

The same function of the same weights as `micrograd.gpt.scalar_gpt`, but
a whole batch of names at once: the names are laid end to end (`pack`)
and a mask keeps each row's attention inside its own name and its past.
`tensor_weights` and `torch_weights` wrap the floats of
`micrograd.gpt.init_weights`. Needs NumPy (and PyTorch for the torch_
functions, imported when called).
"""

import numpy as np

from micrograd.gpt import (BLOCK_SIZE, N_HEAD, RMS_EPS,
                           _check_something_to_predict, head_size, n_layers)
from micrograd.tensor import Tensor, cross_entropy

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
    x = transformer_blocks(w, x, attention_mask(positions), n_head, attention)
    return x @ w["lm_head"].T


def transformer_blocks(w, x, mask, n_head=N_HEAD, attention=None):
    """x (one row per token) through every block of the model.

    It uses only what `Tensor` and PyTorch's tensors both have (@, .T,
    slices, mean, log_softmax, relu), so `tensor_gpt` and `torch_loss` run
    these same lines, each engine computing its own gradients.
    """
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
    return x


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
    """`tensor_loss` in PyTorch: the same blocks on torch tensors, PyTorch's
    own cross-entropy and autograd."""
    import torch
    import torch.nn.functional as F

    inputs, positions, targets = pack(sequences, w["wpe"].shape[0])
    x = tensor_rmsnorm(w["wte"][inputs] + w["wpe"][positions])
    mask = torch.from_numpy(attention_mask(positions))
    x = transformer_blocks(w, x, mask, n_head)
    return F.cross_entropy(x @ w["lm_head"].T, torch.tensor(targets))
