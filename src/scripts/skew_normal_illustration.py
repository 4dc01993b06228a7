"""Draw the seeded skew-normal sample and write its mean, median and trimean for the text."""

import argparse
from pathlib import Path

import numpy as np

from reeval.cli import run
from reeval.io import atomic_path
from reeval.render.variables import write_variable, write_variables
from reeval.stats.illustration import (
    PARAMETER_VARIABLES,
    estimate_variables,
    location_estimates,
    skew_normal_sample,
)


def _whole(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shape", type=float, required=True)
    parser.add_argument("--scale", type=float, required=True)
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--sample", required=True, type=Path, help=".npy file for the figure")
    parser.add_argument("--output-dir", required=True, type=Path)
    args = parser.parse_args()
    sample = skew_normal_sample(args.shape, args.scale, args.n, args.seed)
    with atomic_path(args.sample) as tmp:
        np.save(tmp, sample)
    estimates = location_estimates(sample, args.shape, args.scale)
    write_variables(args.output_dir, estimate_variables(estimates), digits=1)
    parameters = [_whole(args.shape), _whole(args.scale), args.n]
    for name, value in zip(PARAMETER_VARIABLES, parameters, strict=True):
        write_variable(args.output_dir, name, value)
    print(estimates)


if __name__ == "__main__":
    run(main)
