"""Figure: predicted against measured yield on BH FullCV, coloured by the predicted sigma."""

import polars as pl

import paths
from reeval.cli import run
from reeval.render.figures import new_figure, save_figure


def main() -> None:
    data = pl.read_parquet(paths.data / "results/yield_model/figure_predictions.parquet")
    fig, axes = new_figure(ncols=2, width=6.5, height=2.8)
    parity, errors = axes
    points = parity.scatter(
        data["y"], data["mu"], c=data["sigma"], s=3, cmap="viridis", rasterized=True
    )
    parity.plot([0, 100], [0, 100], color="0.3", linewidth=0.8)
    parity.set(
        xlabel="measured yield (%)",
        ylabel="predicted yield $\\mu$ (%)",
        title="BH FullCV, test reactions",
    )
    fig.colorbar(points, ax=parity, label="predicted $\\sigma$ (%)")
    error = (data["y"] - data["mu"]).abs()
    errors.scatter(data["sigma"], error, s=3, color="0.4", alpha=0.5, rasterized=True)
    top = float(max(data["sigma"].max(), 1.0))
    errors.plot([0, top], [0, top], color="#d62728", linewidth=0.8, label="$|y-\\mu| = \\sigma$")
    errors.plot(
        [0, top],
        [0, 1.96 * top],
        color="#d62728",
        linewidth=0.8,
        linestyle="--",
        label="$|y-\\mu| = 1.96\\,\\sigma$",
    )
    errors.set(
        xlabel="predicted $\\sigma$ (%)",
        ylabel="absolute error $|y-\\mu|$ (%)",
        title="error against uncertainty",
    )
    errors.legend(loc="upper left", fontsize=7)
    save_figure(fig, paths.figures / "yield_parity.pdf")


if __name__ == "__main__":
    run(main)
