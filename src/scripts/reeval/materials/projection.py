"""The 2-D UMAP of each representation of the structure pool (the data of a figure)."""

from __future__ import annotations

import numpy as np
import polars as pl

from reeval.materials.recall import RECALL_REPRESENTATIONS, usable
from reeval.settings import Umap


def umap_table(pool: pl.DataFrame, arrays, cfg: Umap) -> pl.DataFrame:
    """representation, id, crystal_system, x, y: each representation's usable rows,
    standardised, projected with UMAP (cfg: n_neighbors, min_dist, seed; one thread, so
    the layout is reproducible). umap is imported here: it is slow to import."""
    import umap

    parts = []
    for name in RECALL_REPRESENTATIONS:
        matrix = arrays[name]
        ok = usable(matrix)
        x = matrix[ok]
        x = (x - x.mean(0)) / np.where(x.std(0) > 0, x.std(0), 1)
        reducer = umap.UMAP(
            n_neighbors=cfg.n_neighbors,
            min_dist=cfg.min_dist,
            random_state=cfg.seed,
            n_jobs=1,
        )
        xy = reducer.fit_transform(x)
        parts.append(
            pl.DataFrame(
                {
                    "representation": name,
                    "id": pool["id"].filter(pl.Series(ok)),
                    "crystal_system": pool["crystal_system"].filter(pl.Series(ok)),
                    "x": xy[:, 0],
                    "y": xy[:, 1],
                }
            )
        )
    return pl.concat(parts)
