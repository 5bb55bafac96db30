"""Measures what tagging costs (see scripts/bench-tagging): CPU seconds of the ffmpeg CLI decoding a clip,
against the worker's own CPU for the full analysis of it (`musicforge analyze --json --timings`: decode plus
analysis, the worker's thread time), with the weights and without; medians of N runs."""

import argparse
import json
import os
import resource
import statistics
import subprocess
import tempfile

GOAL_RATIO = 2.0
# The DSP part (tempo, key, energy, loudness, waveform: the analysis with tags off) against the same decode.
GOAL_DSP_RATIO = 1.0
GOAL_RSS_MB = 96.0


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ffmpeg_cpu_ms(clip: str) -> float:
    before = children_cpu()
    subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-threads", "1", "-i", clip,
                    "-f", "null", "-"], check=True)
    return (children_cpu() - before) * 1000


def ours(binary: str, path: str, models: str | None) -> dict:
    environment = dict(os.environ)
    if models is not None:
        environment["MUSICFORGE_MODELS"] = models
    out = subprocess.run([binary, "analyze", "--json", "--timings", path], check=True, capture_output=True, text=True,
                         env=environment).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--clip", required=True)
    parser.add_argument("--long", required=True)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    ffmpeg = statistics.median(ffmpeg_cpu_ms(args.clip) for _ in range(args.repeats))
    rows = []
    empty = tempfile.mkdtemp(prefix="musicforge-no-weights.")
    for label, models in (("tags on", None), ("tags off (no weights)", empty)):
        runs = [ours(args.binary, args.clip, models) for _ in range(args.repeats)]
        decode = statistics.median(r["timing_ms"]["decode"] for r in runs)
        analysis = statistics.median(r["timing_ms"]["analysis"] for r in runs)
        total = statistics.median(r["timing_ms"]["decode"] + r["timing_ms"]["analysis"] for r in runs)
        tagged = runs[0].get("tags") is not None
        rows.append((label, decode, analysis, total, total / ffmpeg, tagged))
    long_run = ours(args.binary, args.long, None)

    print(f"30 s Opus clip, medians of {args.repeats} runs, CPU milliseconds (one thread)")
    print(f"  ffmpeg CLI decode (-f null, 1 thread): {ffmpeg:.1f} ms")
    for label, decode, analysis, total, ratio, tagged in rows:
        print(f"  ours, {label}: decode {decode:.1f} + analysis {analysis:.1f} = {total:.1f} ms"
              f" = {ratio:.2f}× ffmpeg{'' if tagged == (label == 'tags on') else '  (tags not as expected!)'}")
    on = rows[0]
    print(f"  goal: full analysis with tags ≤ {GOAL_RATIO:g}× ffmpeg — {'met' if on[4] <= GOAL_RATIO else 'NOT met'}")
    print(f"  tagging's own share: {on[2] - rows[1][2]:.1f} ms")
    dsp = rows[1][2]
    print(f"  the DSP part alone (tags off, analysis without the decode): {dsp:.1f} ms = {dsp / ffmpeg:.2f}× ffmpeg;"
          f" goal ≤ {GOAL_DSP_RATIO:g}× — {'met' if dsp / ffmpeg <= GOAL_DSP_RATIO else 'NOT met'}")
    rss = long_run.get("peak_rss_mb")
    print(f"10-minute MP3 with tags: worker peak RSS {rss} MB (goal ≤ {GOAL_RSS_MB:g} MB) — "
          f"{'met' if rss is not None and rss <= GOAL_RSS_MB else 'NOT met'}")


if __name__ == "__main__":
    main()
