/// A JSON document as a value: an error's free-form `details`, and what the filters schema validator
/// reads. Literals make it easy to write (`["limit": 50, "field": "bpm"]`); `append(to:)` writes it as
/// compact JSON with `JSONText`, object keys sorted.
public enum JSONValue: Sendable, Equatable, Codable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral
{
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { $1 }))
    }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Appends this value as compact JSON, object keys sorted.
    public func append(to json: inout String) {
        switch self {
        case .string(let value): JSONText.appendString(value, to: &json)
        case .number(let value): JSONText.appendNumber(value, to: &json)
        case .bool(let value): json += value ? "true" : "false"
        case .null: json += "null"
        case .array(let values):
            json += "["
            for (index, value) in values.enumerated() {
                if index > 0 { json += "," }
                value.append(to: &json)
            }
            json += "]"
        case .object(let values):
            json += "{"
            for (index, key) in values.keys.sorted().enumerated() {
                if index > 0 { json += "," }
                JSONText.appendString(key, to: &json)
                json += ":"
                values[key]!.append(to: &json)
            }
            json += "}"
        }
    }

    /// The JSON type name as JSON Schema spells it; whole numbers are also "integer".
    public var typeNames: [String] {
        switch self {
        case .null: ["null"]
        case .bool: ["boolean"]
        case .number(let value): value == value.rounded() ? ["number", "integer"] : ["number"]
        case .string: ["string"]
        case .array: ["array"]
        case .object: ["object"]
        }
    }
}
