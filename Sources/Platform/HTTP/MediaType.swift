/// Media types as HTTP headers carry them (`Content-Type`, the ranges of `Accept`).
enum MediaType {
    /// Whether a content type or media range is `expected` (lower case), whatever its case, spaces and
    /// parameters. Byte by byte: this runs on every request, and Foundation's trimming and lower-casing
    /// cost more than the rest of the check.
    static func matches(_ value: some StringProtocol, _ expected: StaticString) -> Bool {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        let bytes = value.utf8
        guard var index = bytes.firstIndex(where: { !isSpace($0) }) else { return false }
        let matched = expected.withUTF8Buffer { wanted in
            for byte in wanted {
                guard index != bytes.endIndex else { return false }
                let given = bytes[index]
                guard given == byte || (given >= 0x41 && given <= 0x5A && given + 0x20 == byte) else { return false }
                index = bytes.index(after: index)
            }
            return true
        }
        guard matched else { return false }
        // What follows the media type may only be spaces, then parameters.
        let rest = bytes[index...].drop(while: isSpace)
        return rest.isEmpty || rest.first == UInt8(ascii: ";")
    }
}
