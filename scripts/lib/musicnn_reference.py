#!/usr/bin/env python3
"""A numpy-only reference of the musicnn auto-tagger (musicnn 0.1.0, ISC licence, Jordi Pons, Music
Technology Group, Universitat Pompeu Fabra), run on the converted weights file. It writes the small
expected-output file the Swift tests compare the Swift engine against:

    python3 scripts/lib/musicnn_reference.py \\
        --weights models/musicnn.weights \\
        --expected Tests/AudioAnalysisTests/Resources/musicnn-reference.json

The test signal is synthesised here from a formula (see test_signal), so the Swift side can make the
same samples without a fixture. Then, as musicnn computes its input (librosa 0.6/0.7 defaults):
16 kHz mono, 512-point STFT with a periodic Hann window, hop 256, centred frames with reflect padding
of 256 samples at each end, power spectrum, 96-band Slaney mel filterbank (0-8000 Hz, Slaney area
normalisation), then log10(10000 x + 1). musicnn 0.1.0 casts the mel power to float16 before the
log; here it is cast to float32 instead. The STFT, power and filterbank are computed in float64, the
log in float32. The network runs in float64 on the float32 weights.

The network is musicnn's build_musicnn (models.py) at inference (is_training False: batch
normalisation uses the moving statistics, dropout is off), 187-frame patches:

* input batch normalisation (one channel);
* front end on the normalised input, concatenated in this order (561 features per frame):
  timbral 7x38 and 7x67 (time zero-padded by 3 each side, valid convolution, 204 filters each),
  temporal 128x1, 64x1, 32x1 ('same' convolution, 51 filters each); every block is
  convolution + bias, ReLU, batch normalisation, then the maximum over the frequency axis;
* mid end: three 7 x width convolutions (64 filters, time zero-padded by 3), each ReLU then batch
  normalisation, the second and third with residual additions; the dense connection concatenates
  [front end, layer 1, layer 2 + layer 1, layer 3 + (layer 2 + layer 1)] (753 features);
* back end: the maximum and the mean over time, interleaved per feature ([max_0, mean_0, max_1, ...],
  as TensorFlow's concat on axis 2 then flatten lays them out; 1506), batch normalisation, dense 200
  + ReLU, batch normalisation, dense 50, sigmoid.

Batch normalisation: gamma * (x - moving_mean) / sqrt(moving_variance + 0.001) + beta (0.001 is
tf.layers.batch_normalization's default epsilon).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import struct
import sys
import zlib

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

SAMPLE_RATE = 16000
N_SAMPLES = 160000
N_FFT = 512
HOP = 256
N_MELS = 96
PATCH_FRAMES = 187
PATCH_STARTS = [0, 219, 439]
LOG_MEL_FRAMES = [0, 1, 2, 100, 313, 625]
MODELS = ["MTT_musicnn", "MSD_musicnn"]
BN_EPSILON = 1e-3
SIGNIFICANT_DIGITS = 7


# --- The test signal -----------------------------------------------------------------------------

def test_signal() -> np.ndarray:
    """N = 160000 samples at 16 kHz, n = 0..N-1, t = n / 16000, in float64, then cast to float32:

    x = 0.3 sin(2 pi 110 t) (0.5 + 0.5 sin(2 pi 2 t)) + 0.2 sin(2 pi 659.25 t)
        + 0.1 sin(2 pi 1318.5 t) ((n // 4000) mod 2) + 0.05 u_n

    u_n is an LCG: state_0 = 1, state_{k+1} = (1103515245 state_k + 12345) mod 2^31,
    u_n = state_{n+1} / 2^31 * 2 - 1 (the first sample uses the first updated state).
    """
    n = np.arange(N_SAMPLES, dtype=np.int64)
    t = n.astype(np.float64) / SAMPLE_RATE
    states = np.empty(N_SAMPLES, dtype=np.float64)
    state = 1
    for k in range(N_SAMPLES):
        state = (state * 1103515245 + 12345) % (1 << 31)
        states[k] = state
    u = states / 2.0 ** 31 * 2.0 - 1.0
    gate = ((n // 4000) % 2).astype(np.float64)
    x = (0.3 * np.sin(2 * np.pi * 110.0 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 2.0 * t))
         + 0.2 * np.sin(2 * np.pi * 659.25 * t)
         + 0.1 * np.sin(2 * np.pi * 1318.5 * t) * gate
         + 0.05 * u)
    return x.astype(np.float32)


# --- The log-mel spectrogram ---------------------------------------------------------------------

def hz_to_mel(hz):
    """Slaney's mel scale (librosa's htk=False): linear below 1 kHz, logarithmic above."""
    hz = np.asarray(hz, dtype=np.float64)
    f_sp = 200.0 / 3
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = math.log(6.4) / 27.0
    linear = hz / f_sp
    logarithmic = min_log_mel + np.log(np.maximum(hz, min_log_hz) / min_log_hz) / logstep
    return np.where(hz >= min_log_hz, logarithmic, linear)


def mel_to_hz(mel):
    mel = np.asarray(mel, dtype=np.float64)
    f_sp = 200.0 / 3
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = math.log(6.4) / 27.0
    linear = f_sp * mel
    logarithmic = min_log_hz * np.exp(logstep * (mel - min_log_mel))
    return np.where(mel >= min_log_mel, logarithmic, linear)


def mel_filterbank(sr: int = SAMPLE_RATE, n_fft: int = N_FFT, n_mels: int = N_MELS,
                   fmin: float = 0.0, fmax: float | None = None) -> np.ndarray:
    """(n_mels, 1 + n_fft // 2) triangular filters on the Slaney mel scale, each scaled to unit area
    (2 / bandwidth in Hz), as librosa.filters.mel(htk=False, norm='slaney') makes them."""
    if fmax is None:
        fmax = sr / 2.0
    bins = np.linspace(0.0, sr / 2.0, 1 + n_fft // 2)
    edges = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    widths = np.diff(edges)
    distance = edges[:, None] - bins[None, :]
    rising = -distance[:-2] / widths[:-1, None]
    falling = distance[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling))
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return weights


def log_mel(signal: np.ndarray) -> np.ndarray:
    """(frames, 96) float32, frames = 1 + len(signal) // 256."""
    padded = np.pad(signal.astype(np.float64), N_FFT // 2, mode="reflect")
    n_frames = 1 + (len(padded) - N_FFT) // HOP
    frames = sliding_window_view(padded, N_FFT)[::HOP][:n_frames]
    window = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(N_FFT) / N_FFT)  # periodic Hann
    spectrum = np.fft.rfft(frames * window, axis=1)
    power = spectrum.real ** 2 + spectrum.imag ** 2
    mel = (power @ mel_filterbank().T).astype(np.float32)
    return np.log10(np.float32(10000) * mel + np.float32(1)).astype(np.float32)


# --- The weights file ----------------------------------------------------------------------------

def read_weights(path: str) -> tuple[dict, dict[str, dict[str, np.ndarray]]]:
    """Returns (header, {model: {variable: array}}) of a converted weights file, checked."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 20 or blob[:8] != b"MFWEIGHT":
        raise SystemExit(f"{path}: not a MusicForge weights file")
    version, header_length, crc = struct.unpack_from("<III", blob, 8)
    if version != 1:
        raise SystemExit(f"{path}: weights format version {version}, this reads 1")
    header = json.loads(blob[20:20 + header_length].decode("utf-8"))
    start = 20 + header_length
    start += -start % 64
    data = blob[start:]
    if zlib.crc32(data) != crc:
        raise SystemExit(f"{path}: the data does not match its checksum")
    floats = np.frombuffer(data, dtype="<f4")
    models: dict[str, dict[str, np.ndarray]] = {}
    for tensor in header["tensors"]:
        model, variable = tensor["name"].split("/", 1)
        count = int(np.prod(tensor["shape"], dtype=np.int64))
        offset = tensor["offset"]
        if offset + count > floats.size:
            raise SystemExit(f"{path}: tensor {tensor['name']} runs past the end of the data")
        models.setdefault(model, {})[variable] = floats[offset:offset + count].reshape(tensor["shape"])
    return header, models


# --- The network ---------------------------------------------------------------------------------

class Musicnn:
    """musicnn's graph on one patch (frames, 96) at a time, in float64."""

    def __init__(self, variables: dict[str, np.ndarray]):
        self.v = {name: value.astype(np.float64) for name, value in variables.items()}

    def bn(self, index: int, x: np.ndarray) -> np.ndarray:
        name = "batch_normalization" + (f"_{index}" if index else "")
        v = self.v
        scale = v[f"{name}/gamma"] / np.sqrt(v[f"{name}/moving_variance"] + BN_EPSILON)
        return (x - v[f"{name}/moving_mean"]) * scale + v[f"{name}/beta"]

    def conv(self, index: int, x: np.ndarray) -> np.ndarray:
        """Valid 2-D convolution (cross-correlation, as TensorFlow's) of (time, width) by conv2d_INDEX
        ([kh, kw, 1, out]) plus bias, then ReLU: (time - kh + 1, width - kw + 1, out)."""
        name = "conv2d" + (f"_{index}" if index else "")
        kernel = self.v[f"{name}/kernel"][:, :, 0, :]
        kh, kw, _ = kernel.shape
        windows = sliding_window_view(x, (kh, kw))  # (t, w, kh, kw)
        out = np.tensordot(windows, kernel, axes=([2, 3], [0, 1])) + self.v[f"{name}/bias"]
        return np.maximum(out, 0.0)

    @staticmethod
    def pad_time(x: np.ndarray, before: int, after: int) -> np.ndarray:
        return np.pad(x, ((before, after), (0, 0)))

    def frontend(self, x: np.ndarray) -> np.ndarray:
        timbral = self.pad_time(x, 3, 3)
        features = []
        for conv_index, bn_index in ((0, 1), (1, 2)):  # 7x38, 7x67
            features.append(self.bn(bn_index, self.conv(conv_index, timbral)).max(axis=1))
        for conv_index, bn_index in ((2, 3), (3, 4), (4, 5)):  # 128x1, 64x1, 32x1, 'same'
            length = self.v["conv2d_%d/kernel" % conv_index].shape[0]
            padded = self.pad_time(x, (length - 1) // 2, length // 2)
            features.append(self.bn(bn_index, self.conv(conv_index, padded)).max(axis=1))
        return np.concatenate(features, axis=1)

    def midend(self, front: np.ndarray) -> list[np.ndarray]:
        def layer(conv_index: int, bn_index: int, x: np.ndarray) -> np.ndarray:
            return self.bn(bn_index, self.conv(conv_index, self.pad_time(x, 3, 3))[:, 0, :])

        m1 = layer(5, 6, front)
        m2 = layer(6, 7, m1) + m1
        m3 = layer(7, 8, m2) + m2
        return [front, m1, m2, m3]

    def __call__(self, patch: np.ndarray) -> np.ndarray:
        x = self.bn(0, patch.astype(np.float64))
        features = np.concatenate(self.midend(self.frontend(x)), axis=1)  # (frames, 753)
        pooled = np.stack([features.max(axis=0), features.mean(axis=0)], axis=1).reshape(-1)
        hidden = self.bn(9, pooled)
        hidden = np.maximum(hidden @ self.v["dense/kernel"] + self.v["dense/bias"], 0.0)
        hidden = self.bn(10, hidden)
        logits = hidden @ self.v["dense_1/kernel"] + self.v["dense_1/bias"]
        return 1.0 / (1.0 + np.exp(-logits))


def patches(spectrogram: np.ndarray) -> list[np.ndarray]:
    return [spectrogram[start:start + PATCH_FRAMES] for start in PATCH_STARTS]


# --- The expected-output file --------------------------------------------------------------------

def rounded(values) -> list:
    return [float(f"{float(v):.{SIGNIFICANT_DIGITS}g}") for v in np.asarray(values).reshape(-1)]


def reference(weights_path: str) -> dict:
    _, models = read_weights(weights_path)
    signal = test_signal()
    spectrogram = log_mel(signal)
    assert spectrogram.shape == (1 + N_SAMPLES // HOP, N_MELS)
    result = {
        "description": (
            "Expected musicnn outputs for the synthetic test signal, from scripts/lib/musicnn_reference.py "
            "(numpy; musicnn 0.1.0 models, ISC licence, Jordi Pons, MTG-UPF). Signal: n = 0..159999, "
            "t = n/16000, x = 0.3 sin(2 pi 110 t)(0.5 + 0.5 sin(2 pi 2 t)) + 0.2 sin(2 pi 659.25 t) "
            "+ 0.1 sin(2 pi 1318.5 t)((n div 4000) mod 2) + 0.05 u_n in float64, cast to float32; "
            "u_n = s_{n+1}/2^31*2 - 1, s_0 = 1, s_{k+1} = (1103515245 s_k + 12345) mod 2^31. "
            "Log-mel: 512-point STFT, periodic Hann, hop 256, centred with reflect padding, power, "
            "96 Slaney mel bands 0-8000 Hz (Slaney area norm), log10(10000 x + 1) in float32; layout "
            "(frame, band). Patches of 187 frames from patch_starts; mean is the mean of per_patch. "
            f"Values rounded to {SIGNIFICANT_DIGITS} significant digits."),
        "sample_rate": SAMPLE_RATE,
        "samples": N_SAMPLES,
        "frames": int(spectrogram.shape[0]),
        "log_mel": {"frames": LOG_MEL_FRAMES, "values": [rounded(spectrogram[f]) for f in LOG_MEL_FRAMES]},
        "patch_starts": PATCH_STARTS,
        "models": {},
    }
    for model in MODELS:
        if model not in models:
            raise SystemExit(f"{weights_path}: no {model} tensors")
        network = Musicnn(models[model])
        outputs = np.stack([network(p) for p in patches(spectrogram)])
        result["models"][model] = {
            "per_patch": [rounded(row) for row in outputs],
            "mean": rounded(outputs.mean(axis=0)),
        }
    return result


def to_json(value, indent: int = 0) -> str:
    """JSON with objects and lists of lists indented, and lists of numbers on one line each."""
    pad = "  " * (indent + 1)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k)}: {to_json(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"
    if isinstance(value, list) and value and isinstance(value[0], (list, dict)):
        return "[\n" + ",\n".join(pad + to_json(v, indent + 1) for v in value) + "\n" + "  " * indent + "]"
    return json.dumps(value, separators=(", ", ": "))


def main() -> None:
    default_weights = os.path.join(os.environ.get("MUSICFORGE_MODELS") or "models", "musicnn.weights")
    parser = argparse.ArgumentParser(description="Writes the musicnn reference outputs the Swift tests compare against.")
    parser.add_argument("--weights", default=default_weights,
                        help="the converted weights file (default: $MUSICFORGE_MODELS/musicnn.weights, else models/musicnn.weights)")
    parser.add_argument("--expected", required=True,
                        help="the JSON file to write, e.g. Tests/AudioAnalysisTests/Resources/musicnn-reference.json")
    args = parser.parse_args()
    if not os.path.isfile(args.weights):
        raise SystemExit(f"{args.weights}: no weights file (scripts/lib/convert_musicnn.py makes it)")
    text = to_json(reference(args.weights)) + "\n"
    directory = os.path.dirname(os.path.abspath(args.expected))
    os.makedirs(directory, exist_ok=True)
    partial = args.expected + ".partial"
    with open(partial, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(partial, args.expected)
    print(f"Wrote {args.expected} ({len(text)} bytes).", file=sys.stderr)


if __name__ == "__main__":
    main()
