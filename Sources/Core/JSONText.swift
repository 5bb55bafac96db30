/// Compact JSON written by hand, for bodies on hot paths where a `JSONEncoder` would cost more than
/// the rest of the answer (error bodies, filters).
///
/// Strings and numbers come out as the generated server's `JSONEncoder` writes them (slashes
/// unescaped), so a hand-written body and an encoded one cannot be told apart.
public enum JSONText {
    /// A JSON string literal (RFC 8259 section 7 escapes).
    public static func appendString(_ value: String, to json: inout String) {
        json += "\""
        // Most strings need no escape: then they go in whole.
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            json += value
            json += "\""
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": json += "\\\""
            case "\\": json += "\\\\"
            case "\n": json += "\\n"
            case "\r": json += "\\r"
            case "\t": json += "\\t"
            case "\u{08}": json += "\\b"
            case "\u{0C}": json += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                json += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: json.unicodeScalars.append(scalar)
            }
        }
        json += "\""
    }

    /// A number: integral values without a fraction (`120`, not `120.0`), `null` for non-finite ones.
    public static func appendNumber(_ value: Double, to json: inout String) {
        if value.rounded() == value, abs(value) < 1e15 {
            json += String(Int64(value))
        } else if value.isFinite {
            json += "\(value)"
        } else {
            json += "null"
        }
    }
}
