import Core

/// ``Filters`` as the JSON body of `POST /v1/parse`, written by hand.
///
/// Byte for byte what `JSONEncoder` writes from `Filters.encode(to:)` with sorted keys (a test holds
/// the two together), at a fraction of the cost: on the cheapest authenticated route the encoder was
/// a tenth of the server's work.
enum FiltersJSON {
    static func encode(_ filters: Filters) -> String {
        var json = "{\"bpm\":"
        append(filters.bpm, to: &json)
        json += ",\"confidence\":"
        JSONText.appendNumber(filters.confidence, to: &json)
        json += ",\"duration\":"
        if let duration = filters.duration {
            appendObject([("max_seconds", duration.maxSeconds), ("min_seconds", duration.minSeconds)], to: &json)
        } else {
            json += "null"
        }
        json += ",\"energy\":"
        append(filters.energy, to: &json)
        json += ",\"exclude\":"
        append(filters.exclude, to: &json)
        json += ",\"fallback_reason\":"
        append(filters.fallbackReason, to: &json)
        json += ",\"genres\":"
        append(filters.genres, to: &json)
        json += filters.harmonic ? ",\"harmonic\":true" : ",\"harmonic\":false"
        json += ",\"instruments\":"
        append(filters.instruments, to: &json)
        json += ",\"key\":"
        if let key = filters.key?.key {
            json += "{\"camelot\":"
            JSONText.appendString(key.camelot.description, to: &json)
            json += ",\"mode\":"
            JSONText.appendString(key.mode.rawValue, to: &json)
            json += ",\"open_key\":"
            JSONText.appendString(key.openKey.description, to: &json)
            json += ",\"tonic\":"
            JSONText.appendString(key.tonic.name, to: &json)
            json += "}"
        } else {
            json += "null"
        }
        json += ",\"keywords\":"
        append(filters.keywords, to: &json)
        json += ",\"moods\":"
        append(filters.moods, to: &json)
        json += ",\"parser\":"
        JSONText.appendString(filters.parser.rawValue, to: &json)
        // Left out when absent, as `encodeIfPresent` does.
        if let promptVersion = filters.promptVersion {
            json += ",\"prompt_version\":"
            JSONText.appendString(promptVersion, to: &json)
        }
        json += ",\"vocals\":"
        append(filters.vocals?.rawValue, to: &json)
        json += "}"
        return json
    }

    private static func append(_ range: NumericRange?, to json: inout String) {
        guard let range else {
            json += "null"
            return
        }
        appendObject([("max", range.max), ("min", range.min), ("target", range.target)], to: &json)
    }

    /// An object of optional numbers, keys in the order given (sorted), absent ones left out.
    private static func appendObject(_ fields: [(String, Double?)], to json: inout String) {
        json += "{"
        var first = true
        for (name, value) in fields {
            guard let value else { continue }
            if !first { json += "," }
            first = false
            JSONText.appendString(name, to: &json)
            json += ":"
            JSONText.appendNumber(value, to: &json)
        }
        json += "}"
    }

    private static func append(_ values: [String], to json: inout String) {
        json += "["
        for (index, value) in values.enumerated() {
            if index > 0 { json += "," }
            JSONText.appendString(value, to: &json)
        }
        json += "]"
    }

    private static func append(_ value: String?, to json: inout String) {
        if let value { JSONText.appendString(value, to: &json) } else { json += "null" }
    }
}
