/// Splits a file of SQL into statements.
///
/// PostgresNIO speaks the extended query protocol, which runs one statement per query, so a migration
/// file is sent statement by statement (inside one transaction). Semicolons inside quotes, identifiers,
/// comments and dollar-quoted bodies (`$$ … $$`, `$tag$ … $tag$`) do not split.
enum SQLScript {
    static func statements(in sql: String) -> [String] {
        let characters = Array(sql.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var index = 0

        func flush() {
            let statement = String(current).trimmingWhitespace()
            if !statement.isEmpty { statements.append(statement) }
            current = String.UnicodeScalarView()
        }

        while index < characters.count {
            let character = characters[index]
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            switch character {
            case "-" where next == "-":
                // A line comment: skip to the end of the line.
                while index < characters.count, characters[index] != "\n" { index += 1 }
                continue
            case "/" where next == "*":
                index += 2
                while index + 1 < characters.count, !(characters[index] == "*" && characters[index + 1] == "/") { index += 1 }
                index += 2
                continue
            case "'", "\"":
                current.append(character)
                index += 1
                while index < characters.count {
                    current.append(characters[index])
                    if characters[index] == character {
                        // A doubled quote is an escaped quote.
                        if index + 1 < characters.count, characters[index + 1] == character {
                            current.append(characters[index + 1])
                            index += 2
                            continue
                        }
                        break
                    }
                    index += 1
                }
                index += 1
                continue
            case "$":
                if let tagEnd = dollarTagEnd(characters, from: index) {
                    let tag = Array(characters[index...tagEnd])
                    current.append(contentsOf: tag)
                    index = tagEnd + 1
                    while index < characters.count {
                        if characters[index] == "$", index + tag.count <= characters.count,
                            Array(characters[index..<(index + tag.count)]) == tag
                        {
                            current.append(contentsOf: tag)
                            index += tag.count
                            break
                        }
                        current.append(characters[index])
                        index += 1
                    }
                    continue
                }
            case ";":
                flush()
                index += 1
                continue
            default:
                break
            }
            current.append(character)
            index += 1
        }
        flush()
        return statements
    }

    /// The index of the closing `$` of a dollar-quote tag starting at `start`, if one starts there.
    private static func dollarTagEnd(_ characters: [Unicode.Scalar], from start: Int) -> Int? {
        var index = start + 1
        while index < characters.count {
            let character = characters[index]
            if character == "$" { return index }
            let isTagCharacter =
                character == "_" || (character.properties.isAlphabetic) || (index > start + 1 && ("0"..."9").contains(character))
            guard isTagCharacter else { return nil }
            index += 1
        }
        return nil
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
