import Foundation

/// A query cut into tokens the rule parser matches on.
///
/// Normalisation: lower case; accents and other marks dropped (é → e); the sharp and flat signs ♯ ♭
/// become `#` and `b`; typographic dashes and tildes become their ASCII forms; apostrophes vanish
/// inside words ("drum'n'bass" → "drumnbass"). Letters and digits split into separate tokens ("120bpm"
/// → "120", "bpm"), remembering that they were glued, so "8a" and "f#m" can still be read as one code.
public struct QueryText: Sendable {
    public enum Kind: Sendable, Equatable { case word, number, symbol }

    public struct Token: Sendable, Equatable {
        public var text: String {
            didSet { number = kind == .number ? Double(text) : nil }
        }
        public var kind: Kind
        /// No space between this token and the previous one.
        public var glued: Bool
        /// The value of a number token, read once: matchers ask for it at every position they try.
        public private(set) var number: Double?

        public init(text: String, kind: Kind, glued: Bool) {
            self.text = text
            self.kind = kind
            self.glued = glued
            self.number = kind == .number ? Double(text) : nil
        }
    }

    public let tokens: [Token]

    /// The normalised query: tokens separated by single spaces, symbols other than the musical ones
    /// dropped. Two queries that differ only in case, accents, spacing or punctuation share it.
    public var normalized: String {
        var result = ""
        for token in tokens where token.kind != .symbol || "#&-".contains(token.text) {
            if !result.isEmpty && !token.glued { result.append(" ") }
            result.append(token.text)
        }
        return result
    }

    public init(_ query: String) {
        var tokens: [Token] = []
        // Queries run to a handful of words; growing the array one step at a time cost three allocations.
        tokens.reserveCapacity(16)
        var current = ""
        var currentKind: Kind = .word
        var currentGlued = false
        // Whether the last scalar was a separator (or there was none yet).
        var afterSpace = true

        func flush() {
            guard !current.isEmpty else { return }
            tokens.append(Token(text: current, kind: currentKind, glued: currentGlued))
            current = ""
        }

        for scalar in Self.normalizedScalars(of: query) {
            let kind: Kind?
            switch scalar.value {
            case 0x61...0x7A: kind = .word
            case 0x30...0x39: kind = .number
            case 0...0x7F: kind = nil
            default: kind = scalar.properties.isAlphabetic ? .word : nil
            }
            if let kind {
                if current.isEmpty || kind != currentKind {
                    flush()
                    currentGlued = !afterSpace && !tokens.isEmpty
                    currentKind = kind
                }
                current.unicodeScalars.append(scalar)
                afterSpace = false
            } else if scalar == ".", currentKind == .number, !current.isEmpty, !current.contains(".") {
                // A decimal point inside a number stays in it ("122.5").
                current.unicodeScalars.append(scalar)
            } else if scalar == "'" {
                // Apostrophes vanish inside words: "drum'n'bass", "don't".
                continue
            } else if Self.symbols.contains(scalar) {
                flush()
                tokens.append(Token(text: String(scalar), kind: .symbol, glued: !afterSpace && !tokens.isEmpty))
                afterSpace = false
            } else {
                flush()
                afterSpace = true
            }
        }
        flush()
        // A trailing "." is punctuation, not a decimal point.
        for index in tokens.indices where tokens[index].kind == .number && tokens[index].text.hasSuffix(".") {
            tokens[index].text.removeLast()
        }
        self.tokens = tokens
    }

    /// Symbols that carry meaning: sharps, "r&b", ranges, "~128", "3:30", "+".
    private static let symbols: Set<Unicode.Scalar> = ["#", "&", "-", "~", ":", "+", "/"]

    /// Lower-cased ASCII scalars, with the musical and typographic signs mapped and marks removed.
    private static func normalizedScalars(of query: String) -> [Unicode.Scalar] {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(query.utf8.count)
        for scalar in query.unicodeScalars {
            if scalar.isASCII {
                scalars.append(scalar.value >= 0x41 && scalar.value <= 0x5A ? Unicode.Scalar(scalar.value + 32)! : scalar)
                continue
            }
            switch scalar {
            case "♯": scalars.append("#")
            case "♭": scalars.append("b")
            case "♮": continue
            case "–", "—", "‒", "−": scalars.append("-")
            case "～", "≈": scalars.append("~")
            case "’", "‘", "ʼ", "`": scalars.append("'")
            case "ß": scalars.append(contentsOf: ["s", "s"])
            default:
                // Canonical decomposition splits "é" into "e" and a combining mark; marks are dropped.
                for part in String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars {
                    if part.isASCII {
                        scalars.append(part.value >= 0x41 && part.value <= 0x5A ? Unicode.Scalar(part.value + 32)! : part)
                    } else if part.properties.isAlphabetic, !part.properties.isDiacritic {
                        // Letters of other scripts: lower case, kept as a separator-free word part.
                        scalars.append(contentsOf: part.properties.lowercaseMapping.unicodeScalars)
                    } else if part.properties.isWhitespace {
                        scalars.append(" ")
                    }
                }
            }
        }
        return scalars
    }
}
