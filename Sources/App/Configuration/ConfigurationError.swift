/// A setting that stops the start: missing where it is required, or malformed.
///
/// Its description is one sentence that names the setting, so an operator can fix it without reading code.
public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    /// A required setting is not set.
    case missing(name: String, hint: String)
    /// A setting is set but cannot be used.
    case malformed(name: String, value: String, expected: String)

    /// The name of the environment variable at fault.
    public var name: String {
        switch self {
        case .missing(let name, _), .malformed(let name, _, _): name
        }
    }

    public var description: String {
        switch self {
        case .missing(let name, let hint):
            "\(name) is not set: \(hint)."
        case .malformed(let name, let value, let expected):
            "\(name) is malformed (\"\(Self.redactedValue(name: name, value: value))\"): expected \(expected)."
        }
    }

    /// Never echo secrets back into logs.
    private static func redactedValue(name: String, value: String) -> String {
        let secretNames = ["KEY", "SECRET", "PASSWORD", "TOKEN", "CLIENT_ID"]
        if secretNames.contains(where: { name.contains($0) }) { return "…" }
        if name.hasSuffix("_URL"), let at = value.lastIndex(of: "@"), let scheme = value.range(of: "://") {
            // Hide credentials in connection URLs.
            return String(value[..<scheme.upperBound]) + "…" + String(value[at...])
        }
        return value.count > 80 ? String(value.prefix(80)) + "…" : value
    }
}
