import Core
/// Numbers written as words: "ninety", "ninety-five", "a hundred and twenty", and the DJ habit of
/// saying tempi in two parts, "one twenty eight" for 128.
enum NumberWords {
    private static let units: [String: Int] = [
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
        "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
        "seventeen": 17, "eighteen": 18, "nineteen": 19,
    ]
    private static let tens: [String: Int] = [
        "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
        "ninety": 90,
    ]

    /// True when `word` can start a number written in words.
    static func startsNumber(_ word: String) -> Bool {
        units[word] != nil || tens[word] != nil || word == "hundred"
    }

    /// The number starting at `start`, and how many tokens it spans; nil when none starts there.
    static func parse(_ tokens: [QueryText.Token], at start: Int) -> (value: Int, length: Int)? {
        var index = start
        func word(_ offset: Int = 0) -> String? {
            let at = index + offset
            guard at < tokens.count, tokens[at].kind == .word else { return nil }
            return tokens[at].text
        }
        func skipHyphen() {
            if index < tokens.count, tokens[index].text == "-" { index += 1 }
        }
        /// 1…99 from words at `index`.
        func belowHundred() -> Int? {
            if let value = tens[word() ?? ""] {
                index += 1
                let save = index
                skipHyphen()
                if let unit = units[word() ?? ""], unit > 0, unit < 10 {
                    index += 1
                    return value + unit
                }
                index = save
                return value
            }
            if let value = units[word() ?? ""] {
                index += 1
                return value
            }
            return nil
        }

        var value = 0
        if word() == "a", word(1) == "hundred" { index += 1 }
        if word() == "hundred" {
            index += 1
            value = 100
        } else if let leading = units[word() ?? ""], leading > 0, leading < 10, word(1) == "hundred" {
            index += 2
            value = leading * 100
        } else if word() == "one", tens[word(1) ?? ""] != nil {
            // "one twenty eight": the hundreds said as a digit.
            index += 1
            value = 100
        } else {
            guard let small = belowHundred() else { return nil }
            return (small, index - start)
        }
        let beforeAnd = index
        if word() == "and" { index += 1 }
        if let rest = belowHundred() { value += rest } else { index = beforeAnd }
        return (value, index - start)
    }
}
