import Accounts
import Database
import Foundation
import Logging
import QueryParsing
import Redis
import Search

/// Everything the service reads from its environment, read and checked once at start.
///
/// Values, not globals: the command line builds one and passes it down. Names are those of the README's configuration table.
public struct AppConfiguration: Sendable {
    /// What the command being started needs; a missing required setting stops the start.
    public struct Requirements: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let database = Requirements(rawValue: 1 << 0)
        public static let redis = Requirements(rawValue: 1 << 1)
        public static let server: Requirements = [.database, .redis]
    }

    public enum LLMProviderName: String, Sendable { case openai, anthropic, none }

    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    public var logLevel: Logger.Level = .info
    public var database: DatabaseSettings?
    public var redis: RedisSettings?
    public var libraryPath: String?
    public var adminKey: String?

    public var llmProvider: LLMProviderName = .none
    public var llmModel: String?
    public var openAIAPIKey: String?
    public var openAIBaseURL: URL = URL(string: "https://api.openai.com/v1")!
    public var anthropicAPIKey: String?
    public var anthropicBaseURL: URL = URL(string: "https://api.anthropic.com")!
    /// For a whole LLM call, retries included (`LLM_TIMEOUT_MS`).
    public var llmTimeout: Duration = .seconds(3)
    /// The prompts folder (`MUSICFORGE_PROMPTS`, else found near the working directory or the program).
    public var promptsDirectory: String?

    public var youtubeAPIKey: String?
    public var youtubeBaseURL: URL = URL(string: "https://www.googleapis.com/youtube/v3")!
    public var jamendoClientID: String?
    public var jamendoBaseURL: URL = URL(string: "https://api.jamendo.com/v3.0")!
    public var openverseBaseURL: URL = URL(string: "https://api.openverse.org/v1")!
    public var openverseEnabled: Bool = false
    public var ytdlpPath: String = "yt-dlp"

    public var analysisWorkers: Int = ProcessInfo.processInfo.activeProcessorCount
    /// How long a search without `deadline_ms` waits for tags before it answers with the DSP measures
    /// and the tags pending (`SEARCH_TAG_PATIENCE_MS`).
    public var searchTagPatience: Duration = SearchPipeline.defaultTagPatience
    /// Tiers and costs: the built-in defaults, or those of the `RATE_LIMIT_TIERS` file, read at start.
    public var rateLimitPolicy: RateLimitPolicy = .defaults
    public var rateLimitFailure: RateLimitFailurePolicy = .local
    public var allowPrivateURLs: Bool = false
    /// The `musicforge` program the analysis workers run; nil: this program (tests set it).
    public var analysisExecutable: String?
    /// How the ranking weighs tempo, key, energy and words (`RANKING_WEIGHTS`).
    public var rankingWeights: RankingWeights = .defaults
    /// A connection that sends nothing for this long, between requests or in the middle of one (a stalled
    /// body, a `Content-Length` that promises more than comes), is closed (`HTTP_IDLE_TIMEOUT_SECONDS`).
    /// Longer than the idle timeout of the load balancers in front, so that they close first.
    public var httpIdleTimeout: Duration = .seconds(75)

    /// Defaults everywhere; tests and tools set what they need.
    public init() {}

    /// Reads and checks the environment.
    ///
    /// - Parameters:
    ///   - environment: the process environment (or a test's).
    ///   - requirements: the settings the starting command cannot do without.
    /// - Throws: ``ConfigurationError`` naming the first setting that is missing or malformed.
    public init(environment: [String: String], requirements: Requirements = []) throws(ConfigurationError) {
        let env = Environment(values: environment)
        if let host = env["HOST"] { self.host = host }
        if let port = try env.integer("PORT", in: 1...65535) { self.port = port }
        if let level = env["LOG_LEVEL"] {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw .malformed(name: "LOG_LEVEL", value: level, expected: "one of trace, debug, info, notice, warning, error, critical")
            }
            self.logLevel = parsed
        }
        if let url = env["DATABASE_URL"] {
            self.database = try DatabaseSettings(url: url)
        } else if requirements.contains(.database) {
            throw .missing(name: "DATABASE_URL", hint: "set it to a PostgreSQL URL such as postgres://musicforge@127.0.0.1:5432/musicforge")
        }
        if let url = env["REDIS_URL"] {
            self.redis = try RedisSettings(url: url)
        } else if requirements.contains(.redis) {
            throw .missing(name: "REDIS_URL", hint: "set it to a Redis URL such as redis://127.0.0.1:6379/0")
        }
        self.libraryPath = env["MUSICFORGE_LIBRARY"]
        if let key = env["MUSICFORGE_ADMIN_KEY"] {
            guard APIKeyFormat.isWellFormed(key) else {
                throw .malformed(
                    name: "MUSICFORGE_ADMIN_KEY", value: key,
                    expected: "a key of the form mf_live_ followed by at least 32 letters and digits")
            }
            self.adminKey = key
        }

        self.openAIAPIKey = env["OPENAI_API_KEY"]
        self.anthropicAPIKey = env["ANTHROPIC_API_KEY"]
        if let url = try env.httpURL("OPENAI_BASE_URL") { self.openAIBaseURL = url }
        if let url = try env.httpURL("ANTHROPIC_BASE_URL") { self.anthropicBaseURL = url }
        self.llmModel = env["LLM_MODEL"]
        if let milliseconds = try env.integer("LLM_TIMEOUT_MS", in: 100...60_000) { self.llmTimeout = .milliseconds(milliseconds) }
        self.promptsDirectory = Prompt.locate(environment: environment)
        if let name = env["LLM_PROVIDER"] {
            guard let provider = LLMProviderName(rawValue: name.lowercased()) else {
                throw .malformed(name: "LLM_PROVIDER", value: name, expected: "one of openai, anthropic, none")
            }
            self.llmProvider = provider
        } else if openAIAPIKey != nil {
            self.llmProvider = .openai
        } else if anthropicAPIKey != nil {
            self.llmProvider = .anthropic
        }
        // A self-hosted OpenAI-compatible server (Ollama, vLLM, llama.cpp) needs no key, only its URL.
        if llmProvider == .openai, openAIAPIKey == nil, env["OPENAI_BASE_URL"] == nil {
            throw .missing(name: "OPENAI_API_KEY", hint: "LLM_PROVIDER is openai, so set OPENAI_API_KEY or OPENAI_BASE_URL")
        }
        if llmProvider == .anthropic, anthropicAPIKey == nil {
            throw .missing(name: "ANTHROPIC_API_KEY", hint: "LLM_PROVIDER is anthropic, so set ANTHROPIC_API_KEY")
        }

        self.youtubeAPIKey = env["YOUTUBE_API_KEY"]
        self.jamendoClientID = env["JAMENDO_CLIENT_ID"]
        if let url = try env.httpURL("YOUTUBE_BASE_URL") { self.youtubeBaseURL = url }
        if let url = try env.httpURL("JAMENDO_BASE_URL") { self.jamendoBaseURL = url }
        if let url = try env.httpURL("OPENVERSE_BASE_URL") { self.openverseBaseURL = url }
        if let enabled = try env.flag("OPENVERSE_ENABLED") { self.openverseEnabled = enabled }
        if let path = env["YTDLP_PATH"] { self.ytdlpPath = path }

        if let workers = try env.integer("ANALYSIS_WORKERS", in: 1...256) { self.analysisWorkers = workers }
        if let patience = try env.integer("SEARCH_TAG_PATIENCE_MS", in: 0...30_000) { self.searchTagPatience = .milliseconds(patience) }
        if let path = env["RATE_LIMIT_TIERS"] {
            // Parsed here, so a bad file stops the start like any other bad setting.
            self.rateLimitPolicy = try RateLimitPolicy.load(path: path)
        }
        if let policy = env["RATE_LIMIT_FAILURE"] {
            guard let parsed = RateLimitFailurePolicy(rawValue: policy.lowercased()) else {
                throw .malformed(name: "RATE_LIMIT_FAILURE", value: policy, expected: "local or closed")
            }
            self.rateLimitFailure = parsed
        }
        if let seconds = try env.integer("HTTP_IDLE_TIMEOUT_SECONDS", in: 1...3_600) { self.httpIdleTimeout = .seconds(seconds) }
        if let allow = try env.flag("MUSICFORGE_ALLOW_PRIVATE_URLS") { self.allowPrivateURLs = allow }
        if let weights = env["RANKING_WEIGHTS"] {
            guard let parsed = RankingWeights(parsing: weights) else {
                throw .malformed(
                    name: "RANKING_WEIGHTS", value: weights, expected: "bpm=…,key=…,energy=…,text=… with numbers of 0 or more")
            }
            self.rankingWeights = parsed
        }
    }
}

/// Typed reads of environment variables; an empty value counts as unset.
private struct Environment {
    let values: [String: String]

    subscript(name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let raw = self[name] else { return nil }
        guard let value = Int(raw), range.contains(value) else {
            throw .malformed(name: name, value: raw, expected: "a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func flag(_ name: String) throws(ConfigurationError) -> Bool? {
        guard let raw = self[name] else { return nil }
        switch raw.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw .malformed(name: name, value: raw, expected: "1 or 0")
        }
    }

    func httpURL(_ name: String) throws(ConfigurationError) -> URL? {
        guard let raw = self[name] else { return nil }
        guard let url = URL(string: raw), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            url.host != nil
        else { throw .malformed(name: name, value: raw, expected: "an http or https URL") }
        return url
    }
}
