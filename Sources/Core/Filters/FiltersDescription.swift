import Foundation

extension Filters {
    /// A few readable lines, one per constraint, for people at a terminal.
    public var readableDescription: String {
        var lines: [(String, String)] = []
        func number(_ value: Double) -> String {
            value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
        }
        func range(_ range: NumericRange) -> String {
            var text: String
            switch (range.min, range.max) {
            case (let low?, let high?): text = "\(number(low))–\(number(high))"
            case (let low?, nil): text = "at least \(number(low))"
            case (nil, let high?): text = "at most \(number(high))"
            case (nil, nil): text = "any"
            }
            if let target = range.target { text += " (target \(number(target)))" }
            return text
        }
        if let bpm { lines.append(("bpm", range(bpm))) }
        if let key {
            lines.append(("key", "\(key.key.tonic.name) \(key.key.mode.rawValue) (\(key.key.camelot), \(key.key.openKey))"))
        }
        if harmonic { lines.append(("harmonic", "compatible keys welcome")) }
        if let energy { lines.append(("energy", range(energy))) }
        if !genres.isEmpty { lines.append(("genres", genres.joined(separator: ", "))) }
        if !moods.isEmpty { lines.append(("moods", moods.joined(separator: ", "))) }
        if !instruments.isEmpty { lines.append(("instruments", instruments.joined(separator: ", "))) }
        if let vocals { lines.append(("vocals", vocals.rawValue)) }
        if let duration {
            let seconds = NumericRange(min: duration.minSeconds, max: duration.maxSeconds)
            lines.append(("duration", range(seconds) + " s"))
        }
        if !keywords.isEmpty { lines.append(("keywords", keywords.joined(separator: ", "))) }
        if !exclude.isEmpty { lines.append(("exclude", exclude.joined(separator: ", "))) }
        var parserText = parser.rawValue
        if let promptVersion { parserText += " (prompt \(promptVersion))" }
        if let fallbackReason { parserText += " (fallback: \(fallbackReason))" }
        lines.append(("parser", parserText))
        lines.append(("confidence", String(format: "%.2f", confidence)))
        let width = lines.map(\.0.count).max() ?? 0
        return lines.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }
}
