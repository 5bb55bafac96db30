import Core
import Foundation

/// `prompts/filters.schema.json`: sent to the LLM as the shape to answer in, and used to check the
/// answer before it is trusted.
///
/// The validator implements the part of JSON Schema the file uses, which is also the part OpenAI's
/// strict Structured Outputs accept: `type` (one name or a list), `properties`, `required`,
/// `additionalProperties: false`, `items`, `enum`, `minimum`, `maximum` and `maxItems`. A schema
/// using anything else is refused when loaded, so the check can never silently be weaker than the file.
public struct FiltersSchema: Sendable {
    /// The file's bytes, as sent to the provider.
    public let bytes: [UInt8]
    private let root: Node

    indirect enum Node: Sendable {
        case schema(
            types: [String]?, properties: [String: Node]?, required: [String], closed: Bool, items: Node?,
            allowed: [JSONValue]?, minimum: Double?, maximum: Double?, maxItems: Int?)
    }

    /// Thrown for a schema file the validator cannot fully enforce.
    public struct UnsupportedSchema: Error, CustomStringConvertible {
        public let description: String
    }

    private static let supportedKeywords: Set<String> = [
        "type", "properties", "required", "additionalProperties", "items", "enum", "minimum", "maximum", "maxItems",
        "description", "title", "$schema", "$id",
    ]

    public init(bytes: [UInt8]) throws {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        self.bytes = bytes
        root = try Self.node(value, path: "$")
    }

    /// The schema as a Foundation object, to embed in a request body.
    var object: Any { (try? JSONSerialization.jsonObject(with: Data(bytes))) ?? [:] }

    private static func node(_ value: JSONValue, path: String) throws -> Node {
        guard case .object(let fields) = value else { throw UnsupportedSchema(description: "\(path) is not a schema object") }
        for keyword in fields.keys where !supportedKeywords.contains(keyword) {
            throw UnsupportedSchema(description: "\(path) uses \"\(keyword)\", which the validator does not enforce")
        }
        var types: [String]?
        switch fields["type"] {
        case .string(let name): types = [name]
        case .array(let names): types = names.compactMap { if case .string(let name) = $0 { name } else { nil } }
        default: types = nil
        }
        var properties: [String: Node]?
        if case .object(let children) = fields["properties"] {
            properties = try Dictionary(uniqueKeysWithValues: children.map { ($0.key, try node($0.value, path: "\(path).\($0.key)")) })
        }
        var required: [String] = []
        if case .array(let names) = fields["required"] {
            required = names.compactMap { if case .string(let name) = $0 { name } else { nil } }
        }
        let closed = fields["additionalProperties"] == .bool(false)
        let items = try fields["items"].map { try node($0, path: path + "[]") }
        var allowed: [JSONValue]?
        if case .array(let values) = fields["enum"] { allowed = values }
        func number(_ key: String) -> Double? { if case .number(let value) = fields[key] { value } else { nil } }
        return .schema(
            types: types, properties: properties, required: required, closed: closed, items: items, allowed: allowed,
            minimum: number("minimum"), maximum: number("maximum"), maxItems: number("maxItems").map(Int.init))
    }

    /// Checks `bytes` (an LLM's answer) against the schema.
    ///
    /// - Throws: ``LLMError/malformed(_:)`` for text that is not JSON, ``LLMError/schemaViolation(_:)``
    ///   naming the first place that breaks the schema.
    func validate(_ bytes: [UInt8]) throws(LLMError) {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw .malformed("not JSON")
        }
        if let problem = Self.problem(in: value, against: root, path: "$") { throw .schemaViolation(problem) }
    }

    private static func problem(in value: JSONValue, against node: Node, path: String) -> String? {
        guard
            case .schema(
                let types, let properties, let required, let closed, let items, let allowed, let minimum, let maximum, let maxItems) = node
        else { return nil }
        if let types, Set(types).isDisjoint(with: value.typeNames) {
            return "\(path) should be \(types.joined(separator: " or "))"
        }
        if let allowed, !allowed.contains(value) { return "\(path) is not one of the allowed values" }
        switch value {
        case .number(let number):
            if let minimum, number < minimum { return "\(path) is below \(minimum)" }
            if let maximum, number > maximum { return "\(path) is above \(maximum)" }
        case .array(let elements):
            if let maxItems, elements.count > maxItems { return "\(path) has more than \(maxItems) items" }
            if let items {
                for (index, element) in elements.enumerated() {
                    if let problem = problem(in: element, against: items, path: "\(path)[\(index)]") { return problem }
                }
            }
        case .object(let fields):
            for name in required where fields[name] == nil { return "\(path).\(name) is missing" }
            for (name, child) in fields {
                if let schema = properties?[name] {
                    if let problem = problem(in: child, against: schema, path: "\(path).\(name)") { return problem }
                } else if closed {
                    return "\(path).\(name) is not allowed"
                }
            }
        default: break
        }
        return nil
    }
}
