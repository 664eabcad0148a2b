"""qlearn.train.fit: the learning-rate halving option (default behaviour unchanged)."""

import pytest
import torch

from qlearn.train import fit


def _data():
    x = torch.linspace(0, 1, 20)[:, None]
    return x, 3 * x


def test_default_keeps_the_learning_rate_and_the_numbers():
    x, y = _data()
    a, b = torch.nn.Linear(1, 1), torch.nn.Linear(1, 1)
    b.load_state_dict(a.state_dict())
    ha = fit(a, x, y, epochs=30, lr=0.1, seed=0, progress=False)
    hb = fit(b, x, y, epochs=30, lr=0.1, seed=0, progress=False, lr_halving_patience=None)
    assert ha.losses == hb.losses and "lr" not in ha.metrics


def test_lr_halves_after_patience_epochs_without_improvement():
    # a constant loss never improves after the first epoch: halve every `patience` epochs
    model = torch.nn.Linear(1, 1)
    x = torch.zeros(4, 1)

    def flat(pred, target):
        return (pred * 0).sum() + 1.0

    h = fit(model, x, x[:, 0], loss=flat, epochs=8, lr=0.8, seed=0, progress=False,
            lr_halving_patience=3)  # fmt: skip
    assert h.metrics["lr"] == [0.8, 0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2]


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_bad_patience_raises(bad):
    x, y = _data()
    with pytest.raises(ValueError, match="lr_halving_patience"):
        fit(torch.nn.Linear(1, 1), x, y, epochs=1, progress=False, lr_halving_patience=bad)
