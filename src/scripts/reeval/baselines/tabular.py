"""Tree ensembles on fixed reaction features: random forests and gradient boosting."""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestRegressor
from threadpoolctl import threadpool_limits

from reeval.settings import Boosting, Forest


def fit_predict_trees(
    kind: str,
    features: np.ndarray,
    yields: np.ndarray,
    train_rows: np.ndarray,
    test_rows: np.ndarray,
    settings: Forest | Boosting,
    seed: int,
    threads: int,
) -> np.ndarray:
    """Fit on the training rows and predict the test rows (yields in %)."""
    if kind == "forest":
        model = RandomForestRegressor(
            n_estimators=settings.n_estimators,
            max_features=settings.max_features,
            min_samples_leaf=settings.min_samples_leaf,
            n_jobs=threads,
            random_state=seed,
        )
    elif kind == "boosting":
        model = HistGradientBoostingRegressor(
            max_iter=settings.max_iter,
            learning_rate=settings.learning_rate,
            max_leaf_nodes=settings.max_leaf_nodes,
            min_samples_leaf=settings.min_samples_leaf,
            early_stopping=False,
            random_state=seed,
        )
    else:
        raise ValueError(f"not a tree model: {kind!r}")
    if kind == "boosting":
        # a feature constant over the training rows is never split on: without it the
        # boosting is the same (bit for bit, tested) and 2048-bit DRFP fits several times
        # faster (few hundred bits vary in a data set)
        varying = np.flatnonzero(features[train_rows].std(axis=0) > 0)
        features = features[:, varying]
    with threadpool_limits(threads):
        model.fit(features[train_rows], yields[train_rows])
        if kind == "forest":
            # A threaded forest adds its trees' predictions in the order the threads finish,
            # which changes the last bit from run to run; one thread adds them in tree order.
            model.set_params(n_jobs=1)
        return model.predict(features[test_rows])
