"""The one-model training loop (the materials property MLPs and MMoE): early stopping on a
scripted validation-loss sequence stops at the right epoch and restores the best weights."""

import numpy as np
import pytest
import torch

from reeval.settings import Optimisation
from reeval.training.loop import train_with_early_stopping

CFG = Optimisation(
    epochs=12,
    batch_size=4,
    lr=0.05,
    weight_decay=0.0,
    min_lr=0.001,
    grad_clip=5.0,
    patience=3,
    validation_fraction=0.1,
)


def scripted_training(losses: list[float], cfg: Optimisation = CFG):
    """Train a linear model on a learnable target, the validation MSE of epoch e being
    losses[e - 1]; returns (history, best epoch, weights after each epoch, final weights)."""
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    x = torch.randn(16, 3)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5]])
    snapshots = []

    def batch_loss(rows):
        index = torch.as_tensor(rows)
        return ((model(x[index]) - y[index]) ** 2).mean()

    def validation_mse():
        snapshots.append({k: v.clone() for k, v in model.state_dict().items()})
        return losses[len(snapshots) - 1]

    history, best = train_with_early_stopping(
        model,
        batch_loss,
        validation_mse,
        np.arange(16),
        cfg,
        torch.Generator().manual_seed(0),
        progress=False,
    )
    return history, best, snapshots, model.state_dict()


@pytest.mark.parametrize(
    ("losses", "best", "epochs_run"),
    [
        # best at epoch 2, then no improvement for `patience` epochs: stops at 2 + 3
        ([5.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 9.0, 9.0], 2, 5),
        # improving to the cap: runs every epoch, the last is the best
        ([12.0 - e for e in range(12)], 12, 12),
        # an equal loss is no improvement: best at 4, stops at 4 + 3
        ([5.0, 4.0, 3.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.5], 4, 7),
    ],
)
def test_stops_after_patience_and_restores_the_best_weights(losses, best, epochs_run):
    history, best_epoch, snapshots, final = scripted_training(losses)
    assert best_epoch == best
    assert [h["epoch"] for h in history] == list(range(1, epochs_run + 1))
    assert [h["validation_mse"] for h in history] == losses[:epochs_run]
    for key, value in final.items():
        torch.testing.assert_close(value, snapshots[best - 1][key], rtol=0, atol=0)
    if epochs_run != best:  # the weights did move after the best epoch
        assert any(not torch.equal(snapshots[-1][k], snapshots[best - 1][k]) for k in final)


def test_without_validation_rows_the_last_epoch_is_kept():
    history, best_epoch, snapshots, final = scripted_training([float("nan")] * 12)
    assert best_epoch == 12 and len(history) == 12
    for key, value in final.items():
        torch.testing.assert_close(value, snapshots[-1][key], rtol=0, atol=0)


def test_the_training_loss_falls_on_a_learnable_target():
    history, *_ = scripted_training([float("nan")] * 12)
    assert history[-1]["train_loss"] < 0.5 * history[0]["train_loss"]


def test_adamw_for_all_weights_at_once_trains_the_same_weights():
    """`adamw` (torch's AdamW with `foreach`) gives the weights of torch's default AdamW bit
    for bit, with weight decay, clipping and a cosine schedule, over many small tensors."""
    from reeval.training.runtime import adamw, optimisation_step

    def trained(make_optimizer) -> list[torch.Tensor]:
        torch.manual_seed(0)
        model = torch.nn.Sequential(
            torch.nn.Linear(5, 8), torch.nn.ReLU(), torch.nn.Linear(8, 4), torch.nn.Linear(4, 1)
        )
        x, y = torch.randn(32, 5), torch.randn(32, 1)
        optimizer = make_optimizer(model)
        schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=5)
        for step in range(20):
            loss = ((model(x[step % 4 :: 4]) - y[step % 4 :: 4]) ** 2).mean()
            optimisation_step(optimizer, loss, 0.5, "test")
            schedule.step()
        return [p.detach().clone() for p in model.parameters()]

    ours = trained(lambda m: adamw(m, 0.01, 0.1))
    torch_default = trained(lambda m: torch.optim.AdamW(m.parameters(), lr=0.01, weight_decay=0.1))
    assert all(torch.equal(a, b) for a, b in zip(ours, torch_default, strict=True))
    assert not torch.equal(ours[0], trained(lambda m: adamw(m, 0.02, 0.1))[0])
