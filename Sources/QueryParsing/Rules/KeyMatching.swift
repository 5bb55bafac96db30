import Core
import MusicTheory

/// Keys in the spellings DJs use: "A minor", "Am", "a min", "F#m", "F♯ minor", "Gb", "E flat major",
/// "key of G", Camelot "8A", Open Key "1m"; and harmonic intent: "compatible with 8A", "mixes with 5B".
extension ParseState {
    private static let harmonicIntro: [[String]] = [
        ["harmonically", "compatible", "with"], ["harmonically", "compatible", "to"], ["compatible", "with"],
        ["compatible", "to"], ["in", "key", "with"], ["mixes", "with"], ["mixes", "well", "with"], ["mix", "with"],
        ["mixable", "with"], ["harmonic", "with"], ["harmonic", "to"], ["blends", "with"], ["blend", "with"],
        ["goes", "with"], ["works", "with"], ["matches"], ["matching"],
    ]
    private static let keyIntro: [[String]] = [
        ["in", "the", "key", "of"], ["key", "of"], ["in", "key"], ["camelot"], ["open", "key"], ["key"], ["in"],
    ]
    /// Words that mean harmonic mixing on their own.
    private static let harmonicWords: [[String]] = [
        ["harmonically", "compatible"], ["harmonic", "mixing"], ["harmonic", "mix"], ["camelot", "compatible"],
        ["key", "compatible"], ["compatible", "keys"], ["harmonic"], ["harmonically"], ["compatible"],
    ]
    private static let modeWords: [String: Mode] = [
        "minor": .minor, "min": .minor, "moll": .minor, "major": .major, "maj": .major, "dur": .major,
    ]

    /// Finds the first key; later ones are read (so they do not become keywords) but do not replace it.
    mutating func matchKeys() {
        var index = 0
        while index < tokens.count {
            guard isFree(index) else {
                index += 1
                continue
            }
            let harmonic = firstMatch(of: Self.harmonicIntro, at: index)
            let keyStart = index + (harmonic ?? 0)
            let intro = firstMatch(of: Self.keyIntro, at: keyStart) ?? 0
            if let found = key(at: keyStart + intro, introduced: intro > 0) {
                let end = keyStart + intro + found.length + (text(keyStart + intro + found.length) == "key" ? 1 : 0)
                take(index..<end)
                if filters.key == nil { filters.key = KeyFilter(found.key) }
                if harmonic != nil { filters.harmonic = true }
                index = end
            } else {
                index += 1
            }
        }
        // "harmonic mixing", "harmonically compatible" on their own.
        for index in tokens.indices {
            if let length = firstMatch(of: Self.harmonicWords, at: index) {
                filters.harmonic = true
                take(index..<(index + length))
            }
        }
    }

    /// A key starting at `index`. `introduced` is true after "in", "key of" and the like, which lets
    /// a bare letter ("in C") count.
    private func key(at index: Int, introduced: Bool) -> (key: MusicalKey, length: Int)? {
        // Camelot "8A" and Open Key "1m": a number glued to one letter.
        if let value = number(index), value == value.rounded(), (1...12).contains(value), isGlued(index + 1),
            let letter = word(index + 1), letter.count == 1
        {
            let code = "\(Int(value))\(letter)"
            if let camelot = CamelotCode(code) { return (camelot.key, 2) }
            if let openKey = OpenKeyCode(code) { return (openKey.key, 2) }
        }
        guard let written = word(index), let spelled = Self.spelledKey(written) else { return nil }
        // "I am looking for…"
        if written == "am", index > 0, tokens[index - 1].text == "i" { return nil }
        var tonic = spelled.tonic
        var mode = spelled.mode
        var accidental = spelled.hasAccidental
        var end = index + 1
        if mode == nil && !accidental {
            // A separate sign or word: "F#", "F ♯", "E flat", "c-sharp".
            let sign = text(end) == "-" ? end + 1 : end
            switch text(sign) {
            case "#", "sharp":
                tonic = tonic.transposed(by: 1)
                accidental = true
                end = sign + 1
            case "flat":
                tonic = tonic.transposed(by: -1)
                accidental = true
                end = sign + 1
            default: break
            }
        }
        if mode == nil {
            let at = text(end) == "-" ? end + 1 : end
            if let word = text(at), let named = Self.modeWords[word] {
                mode = named
                end = at + 1
            } else if text(at) == "m", isGlued(at), at == end {
                // "F#m": a glued "m" after a sign.
                mode = .minor
                end = at + 1
            }
        }
        // "a minor key" means some minor key, not A minor.
        if written == "a", spelled.mode == nil, !accidental, mode != nil, text(end) == "key" {
            return nil
        }
        if mode == nil {
            // A bare letter is a key only after "in" or "key of", and "in a" only at the end of the query.
            let bareLetter = written.count == 1 && !accidental
            if bareLetter && text(end) == "&" { return nil }
            if bareLetter && !(introduced && (written != "a" || end >= tokens.count)) { return nil }
            mode = .major
        }
        return (MusicalKey(tonic: tonic, mode: mode!), end - index)
    }

    /// Reads one word such as "a", "am", "bbm", "ebmaj", "gb", "c#"-less "cmin": a letter, an optional
    /// flat "b", an optional mode suffix. Works on the UTF-8 bytes without allocating: the key matcher
    /// asks at every position, and most words are not keys.
    private static func spelledKey(_ word: String) -> (tonic: PitchClass, mode: Mode?, hasAccidental: Bool)? {
        let bytes = word.utf8
        // The longest key word is "abminor".
        guard let first = bytes.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "g"), bytes.count <= 7 else {
            return nil
        }
        let natural = PitchClass(naturals[Int(first - UInt8(ascii: "a"))])
        let rest = bytes.dropFirst()
        if rest.first == UInt8(ascii: "b"), let suffix = modeSuffix(rest.dropFirst()) {
            return (natural.transposed(by: -1), suffix.mode, true)
        }
        guard let suffix = modeSuffix(rest) else { return nil }
        return (natural, suffix.mode, false)
    }

    /// The mode suffix `bytes` spell, or nil when they are not one.
    private static func modeSuffix(_ bytes: Substring.UTF8View) -> (text: String, mode: Mode?)? {
        suffixes.first { bytes.elementsEqual($0.text.utf8) }
    }

    /// Semitones above C of the natural notes a…g.
    private static let naturals = [9, 11, 0, 2, 4, 5, 7]

    /// Mode suffixes written onto a note: "" (no mode), "m", "min", "minor", "maj", "major".
    private static let suffixes: [(text: String, mode: Mode?)] = [
        ("", nil), ("m", .minor), ("min", .minor), ("minor", .minor), ("maj", .major), ("major", .major),
    ]
}
