"""The GPT of the book's last chapter: scalar, tensor and PyTorch versions agree.

Same weights, same names: the loss and all 4,192 gradients at step 0 agree to
1e-10 between `Value`, `Tensor` and PyTorch (float64), and a few Adam steps give
the same loss curves.
"""

import inspect
import math
import random

import numpy as np
import pytest

from micrograd.gpt import (N_EMBD, Tokenizer, baseline_losses, count_parameters, generate,
                           init_weights, load_names, scalar_loss, scalar_weights)
from micrograd.gpt_tensor import (attention_mask, pack, tensor_gpt, tensor_loss, tensor_weights,
                                  torch_loss, torch_weights)
from micrograd.optim import Adam

torch = pytest.importorskip("torch")

TOLERANCE = 1e-10


@pytest.fixture(scope="module")
def names():
    return load_names()


@pytest.fixture(scope="module")
def tokenizer(names):
    return Tokenizer(names)


def scalar_run(weights, batch):
    w = scalar_weights(weights)
    loss = scalar_loss(w, batch)
    loss.backward()
    return loss.data, {k: np.array([[p.grad for p in row] for row in m]) for k, m in w.items()}


def tensor_run(weights, batch):
    w = tensor_weights(weights)
    loss = tensor_loss(w, batch)
    loss.backward()
    return loss.item(), {k: np.asarray(t.grad) for k, t in w.items()}


def torch_run(weights, batch):
    w = torch_weights(weights)
    loss = torch_loss(w, batch)
    loss.backward()
    return loss.item(), {k: t.grad.numpy() for k, t in w.items()}


def test_names_come_from_the_names_package(names):
    assert 5000 < len(names) < 6000
    assert names == sorted(set(names))
    assert all(n.isalpha() and n.islower() for n in names)
    assert {"emma", "john", "mary"} <= set(names)


def test_tokenizer_round_trip(names, tokenizer):
    assert tokenizer.vocab_size == 27
    for name in names[:100]:
        tokens = tokenizer.encode(name)
        assert tokens[0] == tokens[-1] == tokenizer.bos
        assert tokenizer.decode(tokens) == name


def test_microgpt_size(tokenizer):
    """microgpt's sizes, which gpt-model and deep-networks quote: 4,192 parameters for 27 tokens,
    vectors 16 wide, weights drawn with a standard deviation of 0.08 whatever the fan-in."""
    assert count_parameters(init_weights(tokenizer.vocab_size)) == 4192
    assert N_EMBD == 16 and inspect.signature(init_weights).parameters["std"].default == 0.08


@pytest.mark.parametrize("group", [["emma"], ["christopher", "al", "bo"], ["x"]])
@pytest.mark.parametrize("n_layer", [1, 2])
def test_step_zero_agrees(tokenizer, group, n_layer):
    weights = init_weights(tokenizer.vocab_size, n_layer=n_layer, seed=n_layer)
    batch = [tokenizer.encode(name) for name in group]
    runs = [scalar_run(weights, batch), tensor_run(weights, batch), torch_run(weights, batch)]
    reference_loss, reference_grads = runs[2]
    assert 2.5 < reference_loss < 4.5  # about log(27) at initialisation
    for loss, grads in runs[:2]:
        assert abs(loss - reference_loss) < TOLERANCE
        for name, g in reference_grads.items():
            assert grads[name].shape == g.shape
            np.testing.assert_allclose(grads[name], g, rtol=0, atol=TOLERANCE, err_msg=name)


def test_context_is_cut_to_the_block_size(tokenizer):
    """Names longer than the context: every version predicts only `block_size` tokens."""
    weights = init_weights(tokenizer.vocab_size, block_size=4, seed=3)
    batch = [tokenizer.encode("maximilian"), tokenizer.encode("al")]
    losses = [scalar_run(weights, batch)[0], tensor_run(weights, batch)[0],
              torch_run(weights, batch)[0]]
    assert max(losses) - min(losses) < TOLERANCE
    assert len(pack(batch, block_size=4)[0]) == 4 + 3  # 'al' has 3 predictions


def test_short_training_runs_agree(names, tokenizer):
    """Five Adam steps of one name each: the same loss curve on the three engines."""
    weights = init_weights(tokenizer.vocab_size, seed=0)
    order = [tokenizer.encode(n) for n in random.Random(0).sample(names, 5)]

    def run(w, loss_fn, optimizer):
        curve = []
        for tokens in order:
            loss = loss_fn(w, [tokens])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            curve.append(float(loss.data))
        return curve

    settings = dict(lr=0.01, betas=(0.85, 0.99))
    ws, wt, wp = scalar_weights(weights), tensor_weights(weights), torch_weights(weights)
    scalar = run(ws, scalar_loss, Adam([p for m in ws.values() for row in m for p in row], **settings))
    tensor = run(wt, tensor_loss, Adam(list(wt.values()), **settings))
    reference = run(wp, torch_loss, torch.optim.Adam(wp.values(), **settings))
    np.testing.assert_allclose(scalar, reference, rtol=0, atol=1e-9)
    np.testing.assert_allclose(tensor, reference, rtol=0, atol=1e-9)
    assert reference[-1] != reference[0]


def test_attention_mask_is_causal_within_each_name():
    positions = [0, 1, 2, 0, 1]  # two names packed: rows 0-2 and rows 3-4
    allowed = attention_mask(positions) == 0
    expected = np.array([[1, 0, 0, 0, 0],
                         [1, 1, 0, 0, 0],
                         [1, 1, 1, 0, 0],
                         [0, 0, 0, 1, 0],
                         [0, 0, 0, 1, 1]], dtype=bool)
    assert (allowed == expected).all()


def test_packed_names_do_not_see_each_other(tokenizer):
    """The logits of a name are the same alone and packed after another name."""
    w = tensor_weights(init_weights(tokenizer.vocab_size, seed=5))
    alone = tokenizer.encode("emma")
    inputs, positions, _ = pack([tokenizer.encode("bob"), alone])
    packed = tensor_gpt(w, inputs, positions).data[-(len(alone) - 1):]
    single = tensor_gpt(w, *pack([alone])[:2]).data
    np.testing.assert_allclose(packed, single, rtol=0, atol=1e-12)


def test_attention_weights_are_recorded(tokenizer):
    w = tensor_weights(init_weights(tokenizer.vocab_size))
    maps = []
    inputs, positions, _ = pack([tokenizer.encode("ann")])
    tensor_gpt(w, inputs, positions, attention=maps)
    assert len(maps) == 4
    for m in maps:
        assert m.shape == (4, 4)
        np.testing.assert_allclose(m.sum(axis=1), 1.0)
        assert (np.triu(m, k=1) == 0).all()


def test_initial_loss_is_near_uniform(tokenizer):
    w = tensor_weights(init_weights(tokenizer.vocab_size))
    loss = tensor_loss(w, [tokenizer.encode("emma")]).item()
    assert abs(loss - math.log(27)) < 0.2


# ---------------------------------------------------------------- hyper-parameters and edges (issue 18)

LOSSES = {"scalar": lambda weights, batch, n_head: scalar_loss(scalar_weights(weights), batch, n_head),
          "tensor": lambda weights, batch, n_head: tensor_loss(tensor_weights(weights), batch, n_head),
          "torch": lambda weights, batch, n_head: torch_loss(torch_weights(weights), batch, n_head)}


@pytest.mark.parametrize("version", LOSSES)
@pytest.mark.parametrize("n_head, error, message", [
    (3, ValueError, r"n_head = 3 does not divide the width n_embd = 16 .*\[1, 2, 4, 8, 16\]"),
    (5, ValueError, "n_head = 5 does not divide"),
    (6, ValueError, "n_head = 6 does not divide"),
    (7, ValueError, "n_head = 7 does not divide"),
    (0, ValueError, "n_head must be at least 1 attention head, got 0"),
    (-4, ValueError, "n_head must be at least 1"),
    (32, ValueError, r"n_head = 32 is more heads than the width has columns \(n_embd = 16\)"),
    (4.0, TypeError, "n_head must be a whole number of attention heads, got float"),
    (True, TypeError, "got bool"),
])
def test_a_head_count_that_does_not_split_the_width_is_refused(tokenizer, version, n_head, error, message):
    """The probe's M3: 3 or 5 heads silently ran 4 (and the versions disagreed), 6 or 7 ran 8,
    0 divided by zero, 32 raised 0.0 to a negative power. torch.nn.MultiheadAttention refuses
    an embed_dim that num_heads does not divide; every version here says why."""
    weights = init_weights(tokenizer.vocab_size)
    with pytest.raises(error, match=message):
        LOSSES[version](weights, [tokenizer.encode("emma")], n_head)


@pytest.mark.parametrize("n_head", [1, 2, 8, 16, np.int64(4)])
def test_every_head_count_that_divides_the_width_agrees(tokenizer, n_head):
    weights = init_weights(tokenizer.vocab_size, seed=5)
    batch = [tokenizer.encode("ava")]
    losses = [LOSSES[version](weights, batch, n_head) for version in LOSSES]
    values = [losses[0].data, losses[1].item(), losses[2].item()]
    assert max(values) - min(values) < TOLERANCE, values


def test_scalar_loss_is_finite_where_a_probability_underflows(tokenizer):
    """The probe's L13: lm_head x 4000 puts a logit gap past ~745, so softmax gives the target a
    probability of exactly 0 and its log raised; the loss is finite (log-sum-exp) as in torch."""
    weights = init_weights(tokenizer.vocab_size)
    weights["lm_head"] = [[4000 * x for x in row] for row in weights["lm_head"]]
    batch = [tokenizer.encode("emma")]
    reference = torch_run(weights, batch)[0]
    assert math.isfinite(reference) and reference > 745
    for run in (scalar_run, tensor_run):
        assert run(weights, batch)[0] == pytest.approx(reference, rel=1e-12)


@pytest.mark.parametrize("version", LOSSES)
def test_a_negative_target_is_refused(tokenizer, version):
    """The probe's L14: the scalar loss read target -1 as the last class (Python list indexing);
    all three versions refuse it, as torch does. (As an input token -1 picks the last row in all
    three, as torch's tensor indexing does: the versions agree, so that stays.)"""
    weights = init_weights(tokenizer.vocab_size)
    error = RuntimeError if version == "torch" else ValueError
    with pytest.raises((error, IndexError), match=r"-1|out of bounds"):
        LOSSES[version](weights, [[0, 1, -1]], 4)


@pytest.mark.parametrize("version", LOSSES)
@pytest.mark.parametrize("batch", [[], [[0]], [[0], []]])
def test_nothing_to_predict_is_a_clear_error(tokenizer, version, batch):
    """The probe's L15: no sequence with two tokens gave a ZeroDivisionError (scalar) or NumPy's
    'zero-size array' (tensor); torch's cross_entropy gives nan. All three say what is wrong."""
    weights = init_weights(tokenizer.vocab_size)
    with pytest.raises(ValueError, match="nothing to predict: each sequence needs at least two tokens"):
        LOSSES[version](weights, batch, 4)


def test_the_scalar_gpt_needs_no_numpy():
    """micrograd.gpt runs in the browser (Pyodide without NumPy): importing it, training a step
    and sampling must not touch NumPy; the array versions live in micrograd.gpt_tensor."""
    code = """if True:
        import sys
        sys.modules["numpy"] = None          # 'import numpy' now raises ImportError
        import random
        from micrograd.gpt import generate, init_weights, scalar_loss, scalar_weights
        w = scalar_weights(init_weights(27, seed=1))
        scalar_loss(w, [[0, 5, 13, 13, 1, 0]]).backward()
        generate(w, random.Random(0))
        """
    import subprocess
    import sys

    subprocess.run([sys.executable, "-c", code], check=True)


def test_baselines_count_on_one_list_and_score_another():
    fit = [[0, 1, 2, 0], [0, 1, 0]]
    losses = baseline_losses(fit, fit, 3)
    assert losses["uniform"] == pytest.approx(math.log(3))
    # add-one counts: next tokens 1, 2, 0, 1, 0 -> counts (1+2, 1+2, 1+1) of 8
    assert losses["unigram"] == pytest.approx(-(2 * math.log(3 / 8) + 2 * math.log(3 / 8)
                                                + math.log(2 / 8)) / 5)
    assert losses["uniform"] > losses["unigram"] > losses["bigram"]
    # a pair never counted is unlikely, not impossible
    assert math.isfinite(baseline_losses(fit, [[0, 2, 2, 2, 0]], 3)["bigram"])


def test_generate_draws_a_name_and_follows_the_temperature(tokenizer):
    w = scalar_weights(init_weights(tokenizer.vocab_size, seed=3))
    name = generate(w, random.Random(0))
    assert all(1 <= t < tokenizer.vocab_size for t in name) and len(name) <= 16
    # near temperature 0 the draw is the largest logit: the same name whatever the seed
    cold = {tuple(generate(w, random.Random(s), temperature=1e-3)) for s in range(3)}
    assert len(cold) == 1

