"""Loads synthetic sound vectors into `tracks` and times /v1/similar's KNN query (see scripts/bench-knn).

The vectors imitate the tagging networks' output as measured on the real-music set (91 recordings: median
probability 0.008, 82 % of values under 0.05, 3 % over 0.3): 60 styles, each a prototype of 100
probabilities where a handful of tags are likely (0.3-0.9) and the rest are small (exponential, mean
0.012); a track is its style's prototype scaled per tag by a log-normal factor (sd 0.35) plus noise (sd
0.01), clipped to 0..1. Seeded, so every run loads the same table; the figures of the vectors are printed.
"""

import argparse
import json
import re
import shlex
import statistics
import subprocess
import time

import numpy as np

DIMENSIONS = 100
STYLES = 60
GOAL_MS = 20.0
KEY_CANDIDATES = 800
RECALL_QUERIES = 50


def vectors(count: int, rng: np.random.Generator, prototypes: np.ndarray) -> np.ndarray:
    styles = rng.integers(0, len(prototypes), size=count)
    scale = rng.lognormal(0, 0.35, size=(count, DIMENSIONS))
    noise = rng.normal(0, 0.01, size=(count, DIMENSIONS))
    return np.clip(prototypes[styles] * scale + noise, 0, 1)


def cube_literal(vector: np.ndarray) -> str:
    return "(" + ",".join(f"{v:.4f}" for v in vector) + ")"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--psql", required=True, help="the psql command line, connection included")
    args = parser.parse_args()
    psql = shlex.split(args.psql)

    rng = np.random.default_rng(2026)
    prototypes = rng.exponential(0.012, size=(STYLES, DIMENSIONS))
    for prototype in prototypes:
        likely = rng.choice(DIMENSIONS, size=rng.integers(3, 9), replace=False)
        prototype[likely] = rng.uniform(0.3, 0.9, size=len(likely))

    started = time.monotonic()
    rows = vectors(args.tracks, rng, prototypes)
    lines = []
    for index, vector in enumerate(rows):
        lines.append(f"synthetic:{index}\tsynthetic\t{index}\t{3}\t{cube_literal(vector)}\n")
    copy = "COPY tracks (id, source, external_id, analysis_version, sound) FROM STDIN;\n"
    loaded = subprocess.run(psql, input=copy + "".join(lines) + "\\.\n", text=True, capture_output=True)
    if loaded.returncode != 0:
        raise SystemExit(f"COPY into tracks failed: {loaded.stderr.strip()}")
    subprocess.run(psql + ["-c", "ANALYZE tracks"], check=True, capture_output=True)
    load_s = time.monotonic() - started

    queries = vectors(args.queries, rng, prototypes)
    times = []
    recalls = []
    plan_uses_index = True
    first_plan = ""
    for number, vector in enumerate(queries):
        target = f"cube(ARRAY[{','.join(f'{v:.4f}' for v in vector)}]::float8[])"
        # TrackStore.nearQuery's SQL, with TrackStore.keyCandidates.
        sql = (
            "SELECT source, external_id, title, artist, duration_seconds, url, audio_url, license, tags FROM ("
            "SELECT source, external_id, title, artist, duration_seconds, url, audio_url, license, tags, sound "
            "FROM tracks WHERE sound IS NOT NULL AND analysis_version = 3 "
            f"ORDER BY sound_key <-> sound_key_of({target}) LIMIT {KEY_CANDIDATES}) nearest_by_key "
            f"ORDER BY sound <-> {target}, external_id LIMIT 50"
        )
        out = subprocess.run(psql + ["-t", "-A", "-c", "EXPLAIN (ANALYZE, FORMAT JSON) " + sql],
                             check=True, capture_output=True, text=True).stdout
        plan = json.loads(out)[0]
        times.append(plan["Execution Time"])
        text = json.dumps(plan["Plan"])
        uses = '"Index Name": "tracks_sound_key"' in text and '"Node Type": "Seq Scan"' not in text
        plan_uses_index = plan_uses_index and uses
        if number == 0:
            first_plan = subprocess.run(psql + ["-t", "-A", "-c", "EXPLAIN (ANALYZE, BUFFERS) " + sql],
                                        check=True, capture_output=True, text=True).stdout
        if number < RECALL_QUERIES:
            found = subprocess.run(psql + ["-t", "-A", "-c", f"SELECT external_id FROM ({sql}) nearest"],
                                   check=True, capture_output=True, text=True).stdout.split()
            exact = subprocess.run(
                psql + ["-t", "-A", "-c", f"SELECT external_id FROM tracks ORDER BY sound <-> {target}, external_id LIMIT 50"],
                check=True, capture_output=True, text=True).stdout.split()
            recalls.append(len(set(found) & set(exact)) / len(exact))

    times.sort()
    median = statistics.median(times)
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(f"KNN by sound over {args.tracks:,} tracks (100 dimensions; GiST on the 6-dimensional sound key, the nearest"
          f" {KEY_CANDIDATES} by key re-ranked exactly), {args.queries} queries, LIMIT 50")
    print(f"  loading and indexing: {load_s:.1f} s")
    sample = rows[:2000]
    distances = np.sqrt(((sample[:200, None, :] - sample[None, :, :]) ** 2).sum(-1))
    print(f"  the vectors: median {np.median(rows):.3f}, {np.mean(rows < 0.05) * 100:.0f} % under 0.05, "
          f"{np.mean(rows > 0.3) * 100:.0f} % over 0.3; median distance between two {np.median(distances):.2f}")
    verdict = lambda figure: "met" if figure < GOAL_MS else "NOT met"
    print(f"  execution time: median {median:.2f} ms ({verdict(median)}), p95 {p95:.2f} ms ({verdict(p95)}),"
          f" max {times[-1]:.2f} ms; goal < {GOAL_MS:g} ms a query")
    print(f"  recall: {statistics.mean(recalls) * 100:.1f} % of the exact 50 nearest found (mean of {len(recalls)} queries,"
          f" the exact ones by a scan of the table); worst query {min(recalls) * 100:.0f} %")
    print(f"  every plan an index scan on tracks_sound_key: {'yes' if plan_uses_index else 'NO'}")
    print("  the first query's plan:")
    for line in first_plan.strip().splitlines():
        if re.search(r"Scan|Limit|Order By|Buffers|Execution|Planning", line):
            line = line.strip()
            print("    " + (line if len(line) <= 150 else line[:140] + " …)'::cube)"))


if __name__ == "__main__":
    main()
