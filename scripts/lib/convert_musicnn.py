#!/usr/bin/env python3
"""Converts the musicnn 0.1.0 auto-tagging models (ISC licence, Jordi Pons, Music Technology Group,
Universitat Pompeu Fabra) to the single weights file the Swift engine loads.

    python3 scripts/lib/convert_musicnn.py --wheel-dir DIR --out models/musicnn.weights

DIR is the unpacked musicnn 0.1.0 wheel or sdist: the folder that holds ``musicnn/`` (or that folder
itself). Both TensorFlow 1 checkpoints, ``musicnn/MTT_musicnn/`` and ``musicnn/MSD_musicnn/``, are
read; the tag labels come from ``musicnn/configuration.py``.

The file written (all integers little-endian):

    bytes 0-7    "MFWEIGHT"
    bytes 8-11   u32 format version, 1
    bytes 12-15  u32 header length H
    bytes 16-19  u32 zlib CRC-32 of the data section
    bytes 20..   H bytes of UTF-8 JSON: source, licence, models (their labels) and tensors (name,
                 shape, offset in floats from the start of the data section)
    zero padding to the next multiple of 64 bytes, then the data section: every tensor as float32, in
    header order, in TensorFlow's layout ([kh, kw, in, out] convolution kernels, [in, out] dense
    kernels).

Only the model variables are kept (kernels, biases, batch-normalisation parameters and moving
statistics); optimiser state (Adam slots, beta powers) is dropped. Every expected tensor must be
present with its expected shape, or nothing is written.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import struct
import sys
import tempfile
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tf_checkpoint import CheckpointError, read_checkpoint  # noqa: E402

MAGIC = b"MFWEIGHT"
VERSION = 1
ALIGNMENT = 64
SOURCE = ("musicnn 0.1.0 (PyPI), MagnaTagATune and Million Song Dataset models, by Jordi Pons "
          "(Music Technology Group, Universitat Pompeu Fabra)")
LICENCE = "ISC"
# Model name -> the list in configuration.py that holds its labels.
MODELS = {"MTT_musicnn": "MTT_LABELS", "MSD_musicnn": "MSD_LABELS"}
N_MELS = 96
N_CLASSES = 50


def expected_shapes() -> dict[str, tuple[int, ...]]:
    """The variables musicnn's build_musicnn creates (64 mid-end filters, 200 back-end units), named
    in the order TensorFlow's layers number them while the graph is built."""
    shapes: dict[str, tuple[int, ...]] = {}

    def bn(index: int, channels: int) -> None:
        name = "batch_normalization" + (f"_{index}" if index else "")
        for variable in ("beta", "gamma", "moving_mean", "moving_variance"):
            shapes[f"{name}/{variable}"] = (channels,)

    def layer(kind: str, index: int, kernel: tuple[int, ...]) -> None:
        name = kind + (f"_{index}" if index else "")
        shapes[f"{name}/kernel"] = kernel
        shapes[f"{name}/bias"] = (kernel[-1],)

    bn(0, 1)                                              # the input
    layer("conv2d", 0, (7, int(0.4 * N_MELS), 1, 204))     # timbral 7x38
    bn(1, 204)
    layer("conv2d", 1, (7, int(0.7 * N_MELS), 1, 204))     # timbral 7x67
    bn(2, 204)
    for i, length in enumerate((128, 64, 32)):             # temporal
        layer("conv2d", 2 + i, (length, 1, 1, 51))
        bn(3 + i, 51)
    front = 2 * 204 + 3 * 51
    layer("conv2d", 5, (7, front, 1, 64))                  # mid end
    bn(6, 64)
    layer("conv2d", 6, (7, 64, 1, 64))
    bn(7, 64)
    layer("conv2d", 7, (7, 64, 1, 64))
    bn(8, 64)
    pooled = 2 * (front + 3 * 64)                          # max and mean of 753 features
    bn(9, pooled)
    layer("dense", 0, (pooled, 200))
    bn(10, 200)
    layer("dense", 1, (200, N_CLASSES))
    return shapes


def package_dir(root: str) -> str:
    for candidate in (os.path.join(root, "musicnn"), root):
        if os.path.isfile(os.path.join(candidate, "configuration.py")) and \
                os.path.isdir(os.path.join(candidate, "MTT_musicnn")):
            return candidate
    raise SystemExit(f"{root}: no musicnn package here (expected musicnn/configuration.py and "
                     "musicnn/MTT_musicnn/); pass the folder the musicnn 0.1.0 wheel or sdist was unpacked to.")


def read_labels(package: str) -> dict[str, list[str]]:
    """The label lists of configuration.py, read without importing it (it is plain assignments)."""
    path = os.path.join(package, "configuration.py")
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    values = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                values[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    labels = {}
    for model, variable in MODELS.items():
        value = values.get(variable)
        if not (isinstance(value, list) and len(value) == N_CLASSES and all(isinstance(v, str) for v in value)):
            raise SystemExit(f"{path}: {variable} is not a list of {N_CLASSES} labels")
        labels[model] = value
    return labels


def read_model(package: str, model: str, shapes: dict[str, tuple[int, ...]]) -> dict[str, np.ndarray]:
    prefix = os.path.join(package, model) + os.sep  # musicnn saved its checkpoints with an empty name
    try:
        tensors = read_checkpoint(prefix, names=lambda name: name in shapes)
    except CheckpointError as error:
        raise SystemExit(f"{model}: {error}") from error
    problems = []
    for name, shape in shapes.items():
        if name not in tensors:
            problems.append(f"{name} is missing")
        elif tensors[name].dtype != np.float32:
            problems.append(f"{name} is {tensors[name].dtype}, not float32")
        elif tuple(tensors[name].shape) != shape:
            problems.append(f"{name} has shape {list(tensors[name].shape)}, expected {list(shape)}")
        elif not np.all(np.isfinite(tensors[name])):
            problems.append(f"{name} has non-finite values")
    if problems:
        raise SystemExit(f"{model}: not the musicnn 0.1.0 checkpoint this converter expects:\n  "
                         + "\n  ".join(problems))
    return tensors


def build(package: str) -> bytes:
    shapes = expected_shapes()
    labels = read_labels(package)
    entries = []
    chunks = []
    offset = 0
    for model in MODELS:
        tensors = read_model(package, model, shapes)
        for name in sorted(shapes):
            array = np.ascontiguousarray(tensors[name], dtype="<f4")
            entries.append({"name": f"{model}/{name}", "shape": list(array.shape), "offset": offset})
            chunks.append(array.tobytes())
            offset += array.size
    header = {
        "source": SOURCE,
        "licence": LICENCE,
        "models": {model: {"labels": labels[model]} for model in MODELS},
        "tensors": entries,
    }
    header_bytes = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    data = b"".join(chunks)
    start = 20 + len(header_bytes)
    padding = b"\0" * (-start % ALIGNMENT)
    return (MAGIC + struct.pack("<III", VERSION, len(header_bytes), zlib.crc32(data))
            + header_bytes + padding + data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel-dir", required=True,
                        help="the unpacked musicnn 0.1.0 wheel or sdist (the folder holding musicnn/)")
    parser.add_argument("--out", required=True, help="the weights file to write, e.g. models/musicnn.weights")
    args = parser.parse_args()

    blob = build(package_dir(args.wheel_dir))
    out_dir = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".musicnn.", suffix=".partial", dir=out_dir)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
        os.chmod(tmp, 0o644)
        os.replace(tmp, args.out)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    print(f"Wrote {args.out} ({len(blob)} bytes).", file=sys.stderr)


if __name__ == "__main__":
    main()
