import Core
/// Known phrases (genres, moods, instruments, vocals, energy and tempo words), exclusions ("no
/// drums", "without guitar", "no vocals"), decades ("90s") and explicit energy ("energy 0.8").
extension ParseState {
    private static let exclusionWords: [[String]] = [
        ["but", "no"], ["no"], ["without"], ["w", "/", "o"], ["minus"], ["except"], ["excluding"], ["exclude"],
        ["nothing", "with"],
    ]
    private static let decadeWords: [String: String] = [
        "fifties": "50s", "sixties": "60s", "seventies": "70s", "eighties": "80s", "nineties": "90s", "noughties": "00s",
    ]

    /// The longest known phrase starting at `index` among free tokens: its meaning and length. Tokens
    /// are joined as ``Vocabulary/key(_:)`` joins them.
    func phrase(at index: Int) -> (meaning: Vocabulary.Meaning, length: Int)? {
        guard isFree(index), tokens[index].kind != .symbol || tokens[index].text == "#" else { return nil }
        var joined = ""
        var candidates: [(String, Int)] = []
        for length in 1...Vocabulary.longestPhrase {
            let at = index + length - 1
            guard let part = text(at) else { break }
            if length > 1 { joined.append(" ") }
            joined.append(part)
            candidates.append((joined, length))
        }
        for (key, length) in candidates.reversed() {
            if let meaning = Vocabulary.phrases[key] { return (meaning, length) }
        }
        return nil
    }

    /// "no drums", "without guitar or bass", "no vocals" (which means instrumental).
    mutating func matchExclusions() {
        for index in tokens.indices {
            guard let introLength = firstMatch(of: Self.exclusionWords, at: index) else { continue }
            var at = index + introLength
            var excludedAny = false
            while true {
                if let found = phrase(at: at) {
                    switch found.meaning {
                    case .vocals(.vocal, _): filters.vocals = .instrumental
                    case .genre(let name), .mood(let name), .instrument(let name): appendUnique(name, to: \.exclude)
                    case .vocals, .energy, .tempo:
                        appendUnique(tokens[at..<(at + found.length)].map(\.text).joined(separator: " "), to: \.exclude)
                    }
                    at += found.length
                } else if let word = word(at), !Vocabulary.stopWords.contains(word), !Vocabulary.structureWords.contains(word) {
                    appendUnique(word, to: \.exclude)
                    at += 1
                } else {
                    break
                }
                excludedAny = true
                // "without drums or bass", "no guitar and no piano"
                guard let joiner = text(at), ["or", "and", "nor", "/", "&"].contains(joiner), phrase(at: at + 1) != nil else { break }
                at += 1
            }
            if excludedAny { take(index..<at) }
        }
    }

    /// Every known phrase, longest first.
    mutating func matchPhrases() {
        var index = 0
        while index < tokens.count {
            guard let found = phrase(at: index) else {
                index += 1
                continue
            }
            take(index..<(index + found.length))
            switch found.meaning {
            case .genre(let name): appendUnique(name, to: \.genres)
            case .mood(let name):
                appendUnique(name, to: \.moods)
                if let energy = MoodVocabulary.named(name)?.energy { energyHints.append(energy) }
            case .instrument(let name): appendUnique(name, to: \.instruments)
            case .vocals(let vocals, let keyword):
                if filters.vocals == nil { filters.vocals = vocals }
                if let keyword { addKeyword(keyword, at: index) }
            case .energy(let range, let keyword):
                if let keyword {
                    addKeyword(keyword, at: index)
                    if let min = range.min, let max = range.max { energyHints.append(min...max) }
                } else if explicitEnergy == nil {
                    explicitEnergy = range
                }
            case .tempo(let word):
                if tempoWord == nil { tempoWord = word }
            }
            index += found.length
        }
    }

    /// "90s", "'80s", "1990s", "nineties": kept as a keyword, in the two-digit form for the 1900s
    /// ("90s") and in full from 2000 ("2010s").
    mutating func matchDecades() {
        for index in tokens.indices {
            if let word = word(index), let decade = Self.decadeWords[word] {
                addKeyword(decade, at: index)
                uses[index] = .keyword
                continue
            }
            guard let value = number(index), value == value.rounded(), isGlued(index + 1), text(index + 1) == "s" else { continue }
            let year = Int(value)
            let decade: String
            switch year {
            case 0: decade = "00s"
            case 10, 20, 30, 40, 50, 60, 70, 80, 90: decade = "\(year)s"
            case 1900...1990 where year % 10 == 0: decade = "\(year % 100)s"
            case 2000...2090 where year % 10 == 0: decade = "\(year)s"
            default: continue
            }
            addKeyword(decade, at: index)
            uses[index] = .keyword
            uses[index + 1] = .keyword
        }
    }

    /// "energy 0.8", "energy of 7/10", "energy level 8", "0.8 energy".
    mutating func matchEnergyLevel() {
        for index in tokens.indices where text(index) == "energy" {
            var at = index + 1
            if text(at) == "of" || text(at) == "level" { at += 1 }
            if text(at) == ":" { at += 1 }
            guard var value = number(at) else { continue }
            var end = at + 1
            if text(end) == "/", let scale = number(end + 1), scale > 0 {
                value /= scale
                end += 2
            } else if text(end) == "%" || value > 10 {
                value /= 100
            } else if value > 1 {
                value /= 10
            }
            guard (0...1).contains(value) else { continue }
            func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }
            explicitEnergy = NumericRange(min: rounded(max(0, value - 0.1)), max: rounded(min(1, value + 0.1)), target: rounded(value))
            take(index..<end)
        }
    }

    /// Whatever is left and has content becomes a keyword.
    mutating func collectKeywords() {
        for index in tokens.indices where uses[index] == .free {
            let token = tokens[index]
            guard token.kind != .symbol, !Vocabulary.stopWords.contains(token.text),
                !Vocabulary.structureWords.contains(token.text)
            else { continue }
            addKeyword(token.text, at: index)
            uses[index] = .keyword
        }
    }
}
