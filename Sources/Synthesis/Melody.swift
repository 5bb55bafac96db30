import SynthesisVoices
/// One sung note of a tune, in 16th steps from the tune's first bar.
struct MelodyNote: Sendable {
    var step: Double
    var length: Double
    var midi: Int
    var velocity: Double
    /// Index into `Formants.vowels`.
    var vowel: Int
}

/// Writes vocal-like tunes over the progression.
///
/// A tune spans one cycle of the progression (4 or 8 bars) and is built like a song phrase: a two-bar motif, its
/// answer (same rhythm, pitches refitted to the new chords), the motif again, and a cadence that lands on the
/// tonic — so the melody, like the harmony, starts and ends at home. Strong beats take chord tones, weak ones move
/// by scale step. In minor the scale is natural minor, but over a major V (harmonic minor) the raised leading tone
/// replaces the flat seventh, and the final tonic is often approached from the leading tone.
struct MelodyWriter {
    let composition: Composition
    let style: LeadStyle

    private typealias Slot = (start: Double, length: Double)

    /// The tune for `section`; `variant` 1 rewrites the second half of the answer phrases for variety on repeats.
    func tune(for section: Section, variant: Int) -> [MelodyNote] {
        let c = composition
        let salt: UInt64 = section == .chorus ? 11 : section == .breakdown ? 23 : 5
        var random = SeededRandom(seed: c.seed &+ salt, stream: .lead)
        var variantRandom = SeededRandom(seed: c.seed &+ salt &+ UInt64(variant + 1) &* 977, stream: .lead)

        let centre = style.centre + (section == .chorus ? 2 : 0) - (section == .breakdown ? 2 : 0)
        let range = (centre - 8)...(centre + 9)
        let lengthScale = section == .breakdown ? 2.0 : 1.0
        let restChance = min(0.6, style.restChance + (section == .verse ? 0.1 : 0) + (c.energy < 0.35 ? 0.1 : 0))
        let motif = rhythm(random: &random, lengthScale: lengthScale, restChance: restChance)
        let segments = max(2, c.progression.lengthBars / 2)

        var notes: [MelodyNote] = []
        var previous = nearest(to: centre, in: chordTones(bar: 0, step: 0), range: range)
        var direction = 1
        var motifPitches: [Int] = []
        for segment in 0..<segments {
            let offset = Double(segment * 32)
            let isCadence = segment == segments - 1
            let rewrites = variant == 1 && segment % 2 == 1
            var slots = motif
            if isCadence {
                // Keep the motif's first bar, then hold the tonic from beat 1 (or beat 3) of the last bar.
                slots = motif.filter { $0.start + $0.length <= 16 }
                let landing = random.chance(0.6) ? 16.0 : 24.0
                if let last = slots.last, last.start + last.length <= landing - 2, random.chance(0.6) {
                    slots.append((landing - 2, 2))
                }
                slots.append((landing, min(12, 31 - landing)))
            }
            for (index, slot) in slots.enumerated() {
                let step = offset + slot.start
                let bar = Int(step / 16)
                let stepInBar = step - Double(bar * 16)
                let tones = chordTones(bar: bar, step: stepInBar)
                let scale = scaleTones(bar: bar, step: stepInBar)
                let strong = stepInBar.truncatingRemainder(dividingBy: 8) == 0
                let isFinal = isCadence && index == slots.count - 1
                let isPickup = isCadence && index == slots.count - 2 && slot.start == slots[slots.count - 1].start - 2
                var pitch: Int
                if isFinal {
                    pitch = nearest(to: previous, in: [0], range: range)
                } else if isPickup {
                    // Leading tone (harmonic minor's raised seventh, or major's seventh) unless the chord has
                    // the flat seventh; then the second degree.
                    let chordHasFlatSeventh = c.progression.chord(bar: bar, step: stepInBar).relativePitchClasses
                        .contains(10)
                    let leadingToneChance = composition.mode == .minor ? 0.4 : 0.6
                    let approach = !chordHasFlatSeventh && random.chance(leadingToneChance) ? 11 : 2
                    pitch = nearest(to: previous, in: [approach], range: range)
                } else if segment > 0 && index < motifPitches.count && !(rewrites && index >= slots.count / 2) {
                    let template = motifPitches[index]
                    pitch = nearest(to: template, in: strong ? tones : scale, range: range)
                } else if rewrites {
                    pitch =
                        strong
                        ? pickChordTone(near: previous, tones: tones, range: range, random: &variantRandom)
                        : stepwise(
                            from: previous, direction: &direction, scale: scale, range: range, random: &variantRandom)
                } else if strong || index == 0 {
                    pitch = pickChordTone(near: previous, tones: tones, range: range, random: &random)
                } else {
                    pitch = stepwise(from: previous, direction: &direction, scale: scale, range: range, random: &random)
                }
                if segment == 0 { motifPitches.append(pitch) }
                previous = pitch
                let velocity = (strong ? 0.95 : 0.8) * (index == 0 ? 1.05 : 1)
                notes.append(
                    MelodyNote(step: step, length: slot.length, midi: pitch, velocity: min(1, velocity), vowel: 0))
            }
        }
        // Vowels: a "word" keeps one vowel for a few notes, as a singer would.
        var vowel = random.pick(style.vowels)
        for index in notes.indices {
            if random.chance(0.35) { vowel = random.pick(style.vowels) }
            notes[index].vowel = vowel
        }
        return notes
    }

    /// A two-bar rhythm: note slots in 16th steps, with rests, never crossing step 32.
    private func rhythm(random: inout SeededRandom, lengthScale: Double, restChance: Double) -> [Slot] {
        for _ in 0..<20 {
            var slots: [Slot] = []
            var position = random.chance(0.3) ? 2.0 : 0.0
            while position < 30 {
                if !slots.isEmpty && random.chance(restChance) {
                    position += random.chance(0.5) ? 2 : 4
                    continue
                }
                var length = style.durations[random.weightedIndex(style.weights)] * lengthScale
                // Phrases tend to restart on the beat: stretch a note that would leave the next one just off it.
                let end = position + length
                let toBeat = (4 - end.truncatingRemainder(dividingBy: 4)).truncatingRemainder(dividingBy: 4)
                if toBeat == 2 && random.chance(0.5) { length += 2 }
                length = min(length, 32 - position)
                slots.append((position, length))
                position += length
            }
            if slots.count >= 3 { return slots }
        }
        return [(0, 4), (4, 4), (8, 8), (16, 8)]
    }

    /// Chord tones (relative to the tonic) sounding at a position of the tune.
    private func chordTones(bar: Int, step: Double) -> [Int] {
        composition.progression.chord(bar: bar, step: step).coreTones
    }

    /// The key's scale with chord tones substituted for their semitone neighbours (harmonic minor over V).
    private func scaleTones(bar: Int, step: Double) -> [Int] {
        var scale = Set(Scale.intervals(composition.mode))
        for tone in chordTones(bar: bar, step: step) where !scale.contains(tone) {
            scale.remove((tone + 1) % 12)
            scale.remove((tone + 11) % 12)
            scale.insert(tone)
        }
        return scale.sorted()
    }

    /// MIDI notes in `range` whose pitch class (relative to the tonic) is in `relative`.
    private func candidates(_ relative: [Int], range: ClosedRange<Int>) -> [Int] {
        let tonic = composition.tonic
        return range.filter { relative.contains((($0 - tonic) % 12 + 12) % 12) }
    }

    private func nearest(to target: Int, in relative: [Int], range: ClosedRange<Int>) -> Int {
        let options = candidates(relative, range: range)
        return options.min { abs($0 - target) < abs($1 - target) || (abs($0 - target) == abs($1 - target) && $0 < $1) }
            ?? target
    }

    /// A chord tone near `previous`: mostly small moves, sometimes a leap, rarely a repeat.
    private func pickChordTone(near previous: Int, tones: [Int], range: ClosedRange<Int>, random: inout SeededRandom)
        -> Int
    {
        let options = candidates(tones, range: range).filter { abs($0 - previous) <= 9 }
        guard !options.isEmpty else { return nearest(to: previous, in: tones, range: range) }
        // The tonic and the mode's third define the key (and major vs minor): favour them a little.
        let third = composition.mode == .minor ? 3 : 4
        let weights = options.map { note -> Double in
            let distance = Double(abs(note - previous))
            let relative = ((note - composition.tonic) % 12 + 12) % 12
            let keyTone = relative == 0 || relative == third ? 1.4 : 1
            return keyTone * (distance == 0 ? 0.35 : 1 / (1 + distance * distance / 9))
        }
        return options[random.weightedIndex(weights)]
    }

    /// A scale step from `previous`, usually continuing the current direction, turning at the range's edges.
    private func stepwise(
        from previous: Int, direction: inout Int, scale: [Int], range: ClosedRange<Int>,
        random: inout SeededRandom
    ) -> Int {
        let options = candidates(scale, range: range)
        guard !options.isEmpty else { return previous }
        var index = options.indices.min { abs(options[$0] - previous) < abs(options[$1] - previous) }!
        if random.chance(0.3) { direction = -direction }
        let size = random.weightedIndex([0.12, 0.68, 0.2])  // repeat, step, skip
        index += direction * size
        if index < 0 || index >= options.count {
            direction = -direction
            index = min(max(0, index + 2 * direction * size), options.count - 1)
        }
        return options[index]
    }
}
