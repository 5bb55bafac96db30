"""Fits the sound key of migration 0007 (see scripts/fit-sound-key): the principal axes of real sound vectors.

Reads `musicforge analyze --json` outputs (one JSON object per line) on stdin, takes their `sound` vectors
(100 tag probabilities), and prints the mean and the first --axes principal axes as PostgreSQL float8[]
literals. Each axis's sign is fixed so that its largest component is positive, so a refit of the same
vectors prints the same numbers.
"""

import argparse
import json
import sys

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--axes", type=int, default=6)
    args = parser.parse_args()
    vectors = [json.loads(line)["sound"] for line in sys.stdin if line.strip()]
    vectors = np.array([v for v in vectors if v], dtype=np.float64)
    if len(vectors) <= args.axes:
        raise SystemExit(f"{len(vectors)} sound vectors are too few to fit {args.axes} axes.")
    mean = vectors.mean(axis=0)
    _, singular, axes = np.linalg.svd(vectors - mean, full_matrices=False)
    axes = axes[: args.axes]
    axes *= np.sign(axes[np.arange(len(axes)), np.abs(axes).argmax(axis=1)])[:, None]
    explained = (singular[: args.axes] ** 2).sum() / (singular**2).sum()
    print(f"-- fitted on {len(vectors)} vectors; the {args.axes} axes hold {explained * 100:.0f} % of their variance",
          file=sys.stderr)
    literal = lambda values: "{" + ",".join(f"{v:.5f}" for v in values) + "}"
    print(f"mean: '{literal(mean)}'")
    print(f"axes: '{{{','.join(literal(a) for a in axes)}}}'")


if __name__ == "__main__":
    main()
