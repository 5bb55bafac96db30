import Core
/// Durations: "under 3 minutes", "less than 4 min", "over 5 mins long", "3-5 minutes", "between 2 and 4
/// minutes", "around 3:30", "90 seconds", "short", "long".
extension ParseState {
    private static let atMostWords: [[String]] = [
        ["no", "longer", "than"], ["shorter", "than"], ["less", "than"], ["at", "most"], ["up", "to"], ["within"],
        ["under"], ["below"], ["max"], ["maximum"], ["upto"], ["<"],
    ]
    private static let atLeastWords: [[String]] = [
        ["no", "shorter", "than"], ["longer", "than"], ["more", "than"], ["at", "least"], ["over"], ["above"],
        ["min"], ["minimum"], [">"],
    ]
    private static let aroundWords: [[String]] = [["around"], ["about"], ["approx"], ["approximately"], ["roughly"], ["~"]]
    /// Unit words and the seconds in one of them. One-letter units count only glued to the number
    /// and after a bound ("under 3m"), since "3m" alone may be an Open Key code and "90s" a decade.
    private static let units: [String: Double] = [
        "minute": 60, "minutes": 60, "min": 60, "mins": 60, "mn": 60, "second": 1, "seconds": 1, "sec": 1, "secs": 1,
        "hour": 3600, "hours": 3600, "hr": 3600, "hrs": 3600,
    ]
    private static let shortUnits: [String: Double] = ["m": 60, "s": 1, "h": 3600]

    /// Seconds in a quantity at `index`: "3 minutes", "3-minute", "3:30", "3m" (when `allowShortUnits`).
    private func seconds(at index: Int, allowShortUnits: Bool) -> (value: Double, length: Int)? {
        // "3:30"
        if let minutes = number(index), text(index + 1) == ":", isGlued(index + 1), let secondsPart = number(index + 2),
            isGlued(index + 2), secondsPart < 60
        {
            let unitLength = Self.units[text(index + 3) ?? ""] != nil ? 1 : 0
            return (minutes * 60 + secondsPart, 3 + unitLength)
        }
        guard let amount = quantity(at: index) else { return nil }
        var at = index + amount.length
        if text(at) == "-" { at += 1 }
        if let unit = text(at), let perUnit = Self.units[unit] {
            return (amount.value * perUnit, at + 1 - index)
        }
        if allowShortUnits, isGlued(at), let unit = text(at), let perUnit = Self.shortUnits[unit] {
            return (amount.value * perUnit, at + 1 - index)
        }
        return nil
    }

    mutating func matchDurations() {
        var index = 0
        while index < tokens.count {
            if let length = matchDuration(at: index) {
                index += length
            } else {
                index += 1
            }
        }
        for index in tokens.indices where filters.duration == nil {
            switch word(index) {
            case "short", "shorter":
                filters.duration = DurationRange(maxSeconds: 180)
                take(index..<(index + 1))
            case "long", "longer", "extended":
                filters.duration = DurationRange(minSeconds: 360)
                take(index..<(index + 1))
            default: break
            }
        }
    }

    private mutating func matchDuration(at start: Int) -> Int? {
        guard isFree(start) else { return nil }
        // Ranges: "between 3 and 5 minutes", "3-5 minutes", "from 2 to 4 mins".
        let intro = (text(start) == "between" || text(start) == "from") ? 1 : 0
        if let low = quantity(at: start + intro), let separator = text(start + intro + low.length),
            ["-", "to", "and"].contains(separator)
        {
            let highStart = start + intro + low.length + 1
            if let high = seconds(at: highStart, allowShortUnits: false) {
                let perUnit = high.value / (number(highStart) ?? high.value)
                let lowSeconds = low.value * (perUnit.isFinite && perUnit > 0 ? perUnit : 1)
                if lowSeconds <= high.value {
                    let end = highStart + high.length
                    record(DurationRange(minSeconds: lowSeconds, maxSeconds: high.value), start..<end)
                    return end - start
                }
            }
        }
        var bound = Bound.around
        var index = start
        if let length = firstMatch(of: Self.atMostWords, at: index) {
            bound = .atMost
            index += length
        } else if let length = firstMatch(of: Self.atLeastWords, at: index) {
            bound = .atLeast
            index += length
        } else if let length = firstMatch(of: Self.aroundWords, at: index) {
            index += length
        }
        guard let amount = seconds(at: index, allowShortUnits: index > start) else { return nil }
        var end = index + amount.length
        if text(end) == "long" { end += 1 }
        switch bound {
        case .atMost: record(DurationRange(maxSeconds: amount.value), start..<end)
        case .atLeast: record(DurationRange(minSeconds: amount.value), start..<end)
        case .around, .exact:
            let slack = max(15, (amount.value * 0.15).rounded())
            record(DurationRange(minSeconds: max(0, amount.value - slack), maxSeconds: amount.value + slack), start..<end)
        }
        return end - start
    }

    private mutating func record(_ range: DurationRange, _ tokens: Range<Int>) {
        take(tokens)
        guard let current = filters.duration else {
            filters.duration = range
            return
        }
        // "over 2 minutes and under 5": both bounds.
        filters.duration = DurationRange(
            minSeconds: range.minSeconds ?? current.minSeconds, maxSeconds: range.maxSeconds ?? current.maxSeconds)
    }
}
