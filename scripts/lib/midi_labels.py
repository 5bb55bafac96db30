"""Tempo and key labels of a recording from the MIDI file it was rendered from.

    python3 scripts/lib/midi_labels.py FILE.mid START SECONDS

Prints one JSON object: the MIDI tempo (BPM of a quarter note, when the file has one tempo event), and a key
when three published key profiles agree on it. Each profile is correlated with the duration-weighted
pitch-class histogram of the MIDI notes (the drum channel left out) sounding inside the excerpt
[START, START + SECONDS], in the 24 rotations of major and minor; a profile's answer is the best one.
The key is given only when Krumhansl-Kessler (1982), Temperley (2007, Kostka-Payne) and Albrecht-Shanahan
(2013) all give the same answer. This is how the tempo-and-key set's labels were made (see
Tests/Resources/real-music/README.md); it needs the `mido` package, and nothing at run time uses it.
"""
import json
import sys

import mido
import numpy as np

PROFILES = {
    "krumhansl": ([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88],
                  [6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17]),
    "temperley": ([0.748, 0.060, 0.488, 0.082, 0.670, 0.460, 0.096, 0.715, 0.104, 0.366, 0.057, 0.400],
                  [0.712, 0.084, 0.474, 0.618, 0.049, 0.460, 0.105, 0.747, 0.404, 0.067, 0.133, 0.330]),
    "albrecht": ([0.238, 0.006, 0.111, 0.006, 0.137, 0.094, 0.016, 0.214, 0.009, 0.080, 0.008, 0.081],
                 [0.220, 0.006, 0.104, 0.123, 0.019, 0.103, 0.012, 0.214, 0.062, 0.022, 0.061, 0.052]),
}
NAMES = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
DRUMS = 9  # General MIDI's percussion channel, counted from 0


def histogram(path: str, start: float, end: float) -> tuple[np.ndarray, list[float]]:
    midi = mido.MidiFile(path)
    pcs, tempos, sounding = np.zeros(12), [], {}
    now, tempo = 0.0, 500_000
    for message in mido.merge_tracks(midi.tracks):
        now += mido.tick2second(message.time, midi.ticks_per_beat, tempo)
        if message.type == "set_tempo":
            tempo = message.tempo
            tempos.append(round(mido.tempo2bpm(tempo), 2))
        elif message.type in ("note_on", "note_off") and message.channel != DRUMS:
            if message.type == "note_on" and message.velocity > 0:
                sounding[(message.channel, message.note)] = now
            elif (began := sounding.pop((message.channel, message.note), None)) is not None:
                pcs[message.note % 12] += max(0.0, min(now, end) - max(began, start))
    return pcs, tempos


def best_key(pcs: np.ndarray, major: list[float], minor: list[float]) -> str:
    scores = [(np.corrcoef(np.roll(profile, tonic), pcs)[0, 1], f"{NAMES[tonic]} {mode}")
              for tonic in range(12) for mode, profile in (("major", major), ("minor", minor))]
    return max(scores)[1]


def main() -> None:
    path, start, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    pcs, tempos = histogram(path, start, start + seconds)
    answers = {name: best_key(pcs, *profile) for name, profile in PROFILES.items()}
    agreed = set(answers.values())
    print(json.dumps({
        "bpm": tempos[0] if len(set(tempos)) == 1 else None,
        "tempo_events": sorted(set(tempos)),
        "key": agreed.pop() if len(agreed) == 1 else None,
        "profiles": answers,
    }))


if __name__ == "__main__":
    main()
