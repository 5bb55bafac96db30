/// ISO 8601 durations as YouTube's `contentDetails.duration` writes them: "PT3M45S", "PT1H2M",
/// "P1DT2H", "PT0S".
enum ISO8601Duration {
    /// Seconds, or nil for anything that is not a duration.
    static func seconds(_ text: String) -> Double? {
        var scalars = Substring(text.uppercased())
        guard scalars.first == "P" else { return nil }
        scalars = scalars.dropFirst()
        var total = 0.0
        var number = ""
        var inTime = false
        var sawComponent = false
        for character in scalars {
            switch character {
            case "T":
                guard number.isEmpty, !inTime else { return nil }
                inTime = true
            case "0"..."9", ".", ",":
                number.append(character == "," ? "." : character)
            default:
                guard let value = Double(number) else { return nil }
                let unit: Double
                switch (character, inTime) {
                case ("W", false): unit = 604_800
                case ("D", false): unit = 86_400
                case ("H", true): unit = 3_600
                case ("M", true): unit = 60
                case ("S", true): unit = 1
                default: return nil
                }
                total += value * unit
                number = ""
                sawComponent = true
            }
        }
        return number.isEmpty && sawComponent ? total : nil
    }
}
