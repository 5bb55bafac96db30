import Core
/// Tempo: "120bpm", "118-124 BPM", "between 90 and 100", "from 125 to 128", "around 128", "128ish",
/// "170+", "under 100 bpm", "ninety bpm", "one twenty eight bpm".
extension ParseState {
    /// Tempi a query may ask for; numbers outside are not read as BPM.
    static let plausibleBPM: ClosedRange<Double> = 40...250
    /// Bare numbers (no "bpm") are read as a tempo only in this range: "128 techno", "dnb 174".
    static let bareBPM: ClosedRange<Double> = 60...220

    enum Bound { case exact, around, atLeast, atMost }

    private static let aroundWords: [[String]] = [
        ["close", "to"], ["around"], ["about"], ["approx"], ["approximately"], ["roughly"], ["circa"], ["near"], ["~"],
    ]
    private static let atLeastWords: [[String]] = [
        ["faster", "than"], ["at", "least"], ["more", "than"], ["no", "slower", "than"], ["over"], ["above"],
        ["minimum"], ["min"], [">"],
    ]
    private static let atMostWords: [[String]] = [
        ["slower", "than"], ["at", "most"], ["less", "than"], ["no", "faster", "than"], ["up", "to"], ["under"],
        ["below"], ["maximum"], ["max"], ["<"],
    ]
    private static let unitWords: [[String]] = [
        ["beats", "per", "minute"], ["beats", "per", "min"], ["beats", "a", "minute"], ["bpm"], ["bpms"], ["bmp"],
    ]

    /// ± around an exact tempo: 120 → 118…122.
    static func exactTolerance(_ bpm: Double) -> Double { max(2, (bpm * 0.015).rounded()) }
    /// ± for "around": 128 → 124…132.
    static func aroundTolerance(_ bpm: Double) -> Double { max(3, (bpm * 0.03).rounded()) }

    static func range(_ bpm: Double, _ bound: Bound) -> NumericRange {
        switch bound {
        case .exact:
            let tolerance = exactTolerance(bpm)
            return NumericRange(min: bpm - tolerance, max: bpm + tolerance, target: bpm)
        case .around:
            let tolerance = aroundTolerance(bpm)
            return NumericRange(min: bpm - tolerance, max: bpm + tolerance, target: bpm)
        case .atLeast: return NumericRange(min: bpm)
        case .atMost: return NumericRange(max: bpm)
        }
    }

    /// Length of a BPM unit at `index` ("bpm", "beats per minute"), or nil.
    func unitLength(at index: Int) -> Int? { firstMatch(of: Self.unitWords, at: index) }

    /// A number at `index`, in digits or words: its value and how many tokens it spans.
    func quantity(at index: Int) -> (value: Double, length: Int)? {
        if let value = number(index) { return (value, 1) }
        guard word(index) != nil, let parsed = numberWords[index] else { return nil }
        for offset in 0..<parsed.length where !isFree(index + offset) { return nil }
        return (Double(parsed.value), parsed.length)
    }

    /// Finds every explicit tempo.
    mutating func matchTempo() {
        var index = 0
        while index < tokens.count {
            if let length = matchTempo(at: index) {
                index += length
            } else {
                index += 1
            }
        }
    }

    private mutating func matchTempo(at start: Int) -> Int? {
        guard isFree(start) else { return nil }
        var index = start
        // "tempo 128", "tempo of 128", "bpm: 128", "bpm=128"
        var prefixed = false
        if text(index) == "tempo" || text(index) == "bpm" {
            index += 1
            if text(index) == "of" || text(index) == ":" { index += 1 }
            prefixed = true
        }

        // A range: "between 90 and 100", "from 125 to 128", "118-124", "118 to 124 bpm".
        var rangeIntro = false
        var rangeStart = index
        if text(index) == "between" || text(index) == "from" {
            rangeIntro = true
            rangeStart = index + 1
        }
        if let low = quantity(at: rangeStart) {
            var separator = rangeStart + low.length
            if text(separator) == "bpm" { separator += 1 }
            if let sep = text(separator), ["-", "to", "and", "/"].contains(sep), let high = quantity(at: separator + 1) {
                let end = separator + 1 + high.length
                let unit = unitLength(at: end)
                let values = [low.value, high.value]
                let plausible = values.allSatisfy { Self.plausibleBPM.contains($0) } && high.value >= low.value
                let confident =
                    unit != nil || prefixed || (rangeIntro && low.length == 1)
                    || (values.allSatisfy { Self.bareBPM.contains($0) } && high.value - low.value <= 40 && low.length == 1)
                if plausible && confident {
                    addBPM(NumericRange(min: low.value, max: high.value, target: ((low.value + high.value) / 2).rounded()))
                    let length = end + (unit ?? 0) - start
                    take(start..<(start + length))
                    return length
                }
            }
        }

        // A bound word, then a number: "around 128", "over 170 bpm", "under 100".
        var bound = Bound.exact
        if let length = firstMatch(of: Self.aroundWords, at: index) {
            bound = .around
            index += length
        } else if let length = firstMatch(of: Self.atLeastWords, at: index) {
            bound = .atLeast
            index += length
        } else if let length = firstMatch(of: Self.atMostWords, at: index) {
            bound = .atMost
            index += length
        }
        guard let value = quantity(at: index) else { return nil }
        var end = index + value.length
        // "128ish", "170+"
        if isGlued(end), text(end) == "ish" {
            bound = .around
            end += 1
        } else if isGlued(end), text(end) == "+" {
            bound = .atLeast
            end += 1
        }
        let unit = unitLength(at: end)
        let isDigits = value.length == 1
        let confident = unit != nil || prefixed || (bound != .exact && isDigits && Self.bareBPM.contains(value.value))
        guard confident else { return nil }
        let length = end + (unit ?? 0) - start
        if Self.plausibleBPM.contains(value.value) {
            addBPM(Self.range(value.value, bound))
            take(start..<(start + length))
        } else {
            // "500 bpm": read, but not a tempo anyone can be given; it counts against confidence.
            take(start..<(start + length), weight: 0)
        }
        return length
    }

    /// A bare number in the tempo range when the query gave no tempo otherwise: "128 techno".
    mutating func matchBareTempo() {
        guard !explicitBPM else { return }
        for index in tokens.indices {
            guard let value = number(index), Self.bareBPM.contains(value) else { continue }
            // "90s" is a decade, "3m" a duration or a key code: a glued word makes it something else.
            if index + 1 < tokens.count, tokens[index + 1].glued, tokens[index + 1].kind == .word { continue }
            if index > 0, tokens[index].glued, tokens[index - 1].kind == .symbol, tokens[index - 1].text != "~" { continue }
            addBPM(Self.range(value, .exact))
            take(index..<(index + 1), weight: 0.6)
            return
        }
    }
}
