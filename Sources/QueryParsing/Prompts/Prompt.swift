import Foundation

/// The LLM prompt: a system prompt with few-shot examples and the filters schema, read from the
/// `prompts/` folder at start.
///
/// ``version`` is the folder's `VERSION` line plus a hash of both files, so an edited prompt never
/// reuses answers cached for the old one even if nobody bumps the line.
public struct Prompt: Sendable {
    public let system: String
    public let schema: FiltersSchema
    public let version: String

    public static let systemFile = "filters.system.md"
    public static let schemaFile = "filters.schema.json"
    public static let versionFile = "VERSION"

    public init(system: String, schema: FiltersSchema, declaredVersion: String) {
        self.system = system
        self.schema = schema
        var hash = FNV1a()
        hash.add(Array(system.utf8))
        hash.add(schema.bytes)
        version = "\(declaredVersion)-\(String(hash.value, radix: 16).prefix(8))"
    }

    /// Why a prompt folder could not be used.
    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads the prompt files from `directory`.
    public static func load(from directory: String) throws(LoadError) -> Prompt {
        func read(_ name: String) throws(LoadError) -> [UInt8] {
            guard let data = FileManager.default.contents(atPath: directory + "/" + name) else {
                throw LoadError(description: "\(directory)/\(name) cannot be read")
            }
            return [UInt8](data)
        }
        let system = String(decoding: try read(systemFile), as: UTF8.self)
        let declared = String(decoding: try read(versionFile), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let schema: FiltersSchema
        do {
            schema = try FiltersSchema(bytes: try read(schemaFile))
        } catch let error as LoadError {
            throw error
        } catch {
            throw LoadError(description: "\(directory)/\(schemaFile) is not a usable schema: \(error)")
        }
        return Prompt(system: system, schema: schema, declaredVersion: declared.isEmpty ? "0" : declared)
    }

    /// The prompts folder: `MUSICFORGE_PROMPTS` when set, else `prompts` in the working directory, else
    /// the first `prompts` folder above the executable (a build tree or an install prefix).
    public static func locate(environment: [String: String], executable: String = CommandLine.arguments.first ?? "") -> String? {
        if let configured = environment["MUSICFORGE_PROMPTS"], !configured.isEmpty { return configured }
        let manager = FileManager.default
        if manager.fileExists(atPath: "prompts/" + schemaFile) { return "prompts" }
        var directory = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            for candidate in [directory.appendingPathComponent("prompts"), directory.appendingPathComponent("share/musicforge/prompts")]
            where manager.fileExists(atPath: candidate.path + "/" + schemaFile) {
                return candidate.path
            }
            directory.deleteLastPathComponent()
        }
        return nil
    }
}

/// 64-bit FNV-1a: a stable, dependency-free fingerprint (not a security hash).
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ bytes: [UInt8]) {
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x100_0000_01b3
        }
    }
}
