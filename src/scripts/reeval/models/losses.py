"""Training losses of the yield model (all in standardised yield units)."""

from __future__ import annotations

from dataclasses import dataclass

import torch


def heteroscedastic_loss(y: torch.Tensor, mu: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    """Mean of (y - mu)^2 / sigma^2 + log sigma^2 (Kendall & Gal 2017; Chen et al. 2024)."""
    return (torch.exp(-log_var) * (y - mu) ** 2 + log_var).mean()


@dataclass(frozen=True)
class LossWeights:
    """The weights of the yield loss's terms (MSE, heteroscedastic, MoE auxiliary) and
    which prediction the MSE is taken of."""

    mse: float
    heteroscedastic: float
    aux: float
    sample_in_mse: bool  # MSE of the reparameterised sample mu + eps * sigma, not of mu


def yield_loss(
    y: torch.Tensor,
    mu: torch.Tensor,
    log_var: torch.Tensor | None,
    aux: torch.Tensor,
    weights: LossWeights,
    use_aux: bool,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Weighted MSE + heteroscedastic term + MoE load balancing; plain MSE without a variance."""
    if log_var is None:
        loss = ((y - mu) ** 2).mean()
    else:
        prediction = mu
        if weights.sample_in_mse:
            eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype).to(mu.device)
            prediction = mu + eps * torch.exp(0.5 * log_var)
        loss = weights.mse * (
            (y - prediction) ** 2
        ).mean() + weights.heteroscedastic * heteroscedastic_loss(y, mu, log_var)
    if use_aux:
        loss = loss + weights.aux * aux
    return loss
