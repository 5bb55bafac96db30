import Foundation

/// Estimates a track's tempo from its onset envelope.
///
/// 1. The autocorrelation of the onset envelope shows the periodicities of the rhythm.
/// 2. Each candidate tempo on a fine logarithmic grid is scored by a comb over that autocorrelation:
///    the mean correlation at one, two, three and four beat periods, so a tempo whose bars and beats
///    both recur wins over a stray periodicity (Scheirer, "Tempo and beat analysis of acoustic musical
///    signals", JASA 1998, comb filterbank; applied to the autocorrelation as in Percival &
///    Tzanetakis, "Streamlined tempo estimation based on autocorrelation and cross-correlation with
///    pulses", IEEE/ACM TASLP 2014), plus a little of the correlation at half the period: a beat
///    that is subdivided (eighth notes) is the level a listener taps, more often than the bar above.
/// 3. The comb scores are weighted with a log-normal tempo prior centred on 130 BPM, 1.3 octaves
///    wide: the resonance of human tempo perception (Moelants & McKinney, "Tempo perception and
///    musical content", ICMPC 2004; the same weighting as Ellis, "Beat tracking by dynamic
///    programming", JNMR 2007), with centre and width chosen on the real-music sets of
///    Tests/Resources/real-music, within 60..<200. The octave (is it 87 or 174?) is then settled
///    between the winner, its half and its double by the same weighting and the tatum: the fastest
///    regular pulse in the autocorrelation.
/// 4. The winning period is refined from the autocorrelation peaks at its multiples with parabolic
///    interpolation, which gives a precision well below one frame.
public struct TempoEstimator: Sendable {
    /// The range reported tempi fall in.
    public static let range: Range<Double> = 60..<200
    /// Centre and width (in octaves) of the tempo prior.
    public var priorCentre: Double = 130
    public var priorOctaves: Double = 1.3
    /// Weight of the correlation at half the beat period in a candidate's salience.
    public var halfPeriodWeight: Double = 0.15
    /// Shortest audio with a measurable tempo: a few bars at slow tempi.
    public static let minimumSeconds: Double = 4

    public init() {}

    func estimate(_ envelope: OnsetEnvelope) -> TempoEstimate? {
        let fps = envelope.framesPerSecond
        let values = envelope.values
        guard Double(values.count) >= Self.minimumSeconds * fps else { return nil }
        let maxLag = min(values.count - 1, Int((4 * 60 * fps / Self.range.lowerBound).rounded(.up)) + 2)
        let acf = Self.autocorrelation(values, maxLag: maxLag)
        guard let acf else { return nil }

        var candidates: [(bpm: Double, salience: Double)] = []
        var bpm = Self.range.lowerBound
        while bpm < Self.range.upperBound {
            candidates.append((bpm, salience(acf, period: 60 * fps / bpm)))
            bpm *= 1.002
        }
        let tatum = Self.tatumPeriod(acf, framesPerSecond: fps)
        func prior(_ bpm: Double) -> Double {
            let octaves = log2(bpm / priorCentre) / priorOctaves
            return exp(-0.5 * octaves * octaves)
        }
        let weighted = candidates.map { $0.salience * prior($0.bpm) }
        guard let strongest = weighted.indices.max(by: { weighted[$0] < weighted[$1] }),
            candidates[strongest].salience > 0
        else { return nil }
        // The octave: among the strongest tempo, its half and its double, a slow beat (under
        // `tatumCheckBelow`) that spans more than `maxTatumsPerBeat` of the fastest regular pulses (the
        // tatum) is taken as a half-time reading of a fast track (drum & bass heard at 87 instead of
        // 174, dubstep at 70 instead of 140).
        let family = [0.5, 1, 2].map { candidates[strongest].bpm * $0 }.filter { Self.range.contains($0) }
        let chosen = family.max { a, b in
            func score(_ bpm: Double) -> Double {
                let period = 60 * fps / bpm
                let halfTime = bpm < Self.tatumCheckBelow && tatum.map { period > Self.maxTatumsPerBeat * $0 } == true
                return salience(acf, period: period) * prior(bpm) * (halfTime ? 0.25 : 1)
            }
            return score(a) < score(b)
        }!
        let best = candidates.indices.min { abs(candidates[$0].bpm - chosen) < abs(candidates[$1].bpm - chosen) }!
        let period = Self.refine(acf, period: 60 * fps / candidates[best].bpm)
        var tempo = 60 * fps / period
        // Refinement may step just outside the range at its edges.
        while tempo >= Self.range.upperBound { tempo /= 2 }
        while tempo < Self.range.lowerBound { tempo *= 2 }

        let saliences = candidates.map(\.salience).sorted()
        let median = saliences[saliences.count / 2]
        let confidence = min(1, max(0, 2 * (candidates[best].salience - median)))
        return TempoEstimate(
            bpm: (tempo * 100).rounded() / 100, confidence: (confidence * 1000).rounded() / 1000,
            alternatives: [tempo / 2, tempo * 2].map { ($0 * 100).rounded() / 100 })
    }

    /// Between a tempo and its double, a beat spanning more than this many tatums loses: when fast
    /// regular figures (drum & bass breaks, dubstep hats) run at two per beat of the faster reading,
    /// that reading is the one DJ software counts (Klapuri, Eronen & Astola, "Analysis of the meter of
    /// acoustic musical signals", IEEE TASLP 2006, model the beat as a small multiple of the tatum).
    static let maxTatumsPerBeat = 3.5
    /// Only a reading slower than this is suspected of being half time: a moderate tempo with busy
    /// sixteenths (funk, breakbeat at 100-130) is counted as it is.
    static let tatumCheckBelow = 90.0

    /// The tatum: the shortest lag between 70 and 250 ms (16th notes from 60 to 214 BPM) at which the
    /// autocorrelation has a clear peak, at least half as high as the strongest peak up to 2 s.
    /// Nil when the rhythm has no such fast regular pulse.
    static func tatumPeriod(_ acf: [Double], framesPerSecond fps: Double) -> Double? {
        let low = max(2, Int(0.07 * fps))
        let high = min(acf.count - 2, Int(0.25 * fps))
        let far = min(acf.count - 2, Int(2 * fps))
        guard low < high, high < far else { return nil }
        var strongest = 0.0
        for lag in low...far where acf[lag] > acf[lag - 1] && acf[lag] >= acf[lag + 1] {
            strongest = max(strongest, acf[lag])
        }
        guard strongest > 0 else { return nil }
        for lag in low...high where acf[lag] > acf[lag - 1] && acf[lag] >= acf[lag + 1] && acf[lag] >= 0.5 * strongest {
            return Double(lag)
        }
        return nil
    }

    /// Autocorrelation of the mean-removed envelope, normalised so lag 0 is 1 and corrected for the
    /// shrinking overlap at long lags. Nil when the envelope is flat (silence, a drone).
    static func autocorrelation(_ values: [Float], maxLag: Int) -> [Double]? {
        let count = values.count
        let mean = values.reduce(0, +) / Float(count)
        let centred = values.map { $0 - mean }
        var acf = [Double](repeating: 0, count: maxLag + 1)
        centred.withUnsafeBufferPointer { x in
            let x = x.baseAddress!
            for lag in 0...maxLag { acf[lag] = Double(VectorMath.dot(x, x + lag, count: count - lag)) / Double(count - lag) }
        }
        guard acf[0] > 1e-9 else { return nil }
        let energy = acf[0]
        return acf.map { $0 / energy }
    }

    /// The comb score of a period plus `halfPeriodWeight` of the correlation at half of it.
    func salience(_ acf: [Double], period: Double) -> Double {
        Self.comb(acf, period: period) + halfPeriodWeight * Self.interpolate(acf, at: period / 2)
    }

    /// Mean autocorrelation at one to four periods, each read with linear interpolation.
    static func comb(_ acf: [Double], period: Double) -> Double {
        var sum = 0.0
        var terms = 0
        for multiple in 1...4 {
            let lag = period * Double(multiple)
            guard lag < Double(acf.count - 1) else { break }
            sum += interpolate(acf, at: lag)
            terms += 1
        }
        return terms == 0 ? 0 : sum / Double(terms)
    }

    /// The period refined from the autocorrelation peaks nearest to its multiples, each located by
    /// parabolic interpolation and weighted by its height.
    static func refine(_ acf: [Double], period: Double) -> Double {
        var weightedSum = 0.0
        var weights = 0.0
        for multiple in 1...4 {
            let expected = period * Double(multiple)
            let reach = max(1, Int((expected * 0.03).rounded(.up)))
            let low = max(1, Int(expected.rounded()) - reach)
            let high = min(acf.count - 2, Int(expected.rounded()) + reach)
            guard low <= high else { break }
            guard let peak = (low...high).max(by: { acf[$0] < acf[$1] }), acf[peak] > 0,
                acf[peak] >= acf[peak - 1], acf[peak] >= acf[peak + 1]
            else { continue }
            let left = acf[peak - 1]
            let centre = acf[peak]
            let right = acf[peak + 1]
            let curvature = left - 2 * centre + right
            let offset = curvature < 0 ? 0.5 * (left - right) / curvature : 0
            weightedSum += (Double(peak) + offset) / Double(multiple) * centre
            weights += centre
        }
        return weights > 0 ? weightedSum / weights : period
    }

    static func interpolate(_ values: [Double], at position: Double) -> Double {
        let index = Int(position)
        let fraction = position - Double(index)
        return values[index] * (1 - fraction) + values[min(index + 1, values.count - 1)] * fraction
    }
}
