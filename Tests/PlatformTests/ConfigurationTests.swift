import App
import Database
import Foundation
import Redis
import Testing

@testable import Platform

@Suite struct ConfigurationTests {
    let complete = [
        "DATABASE_URL": "postgres://app:s3cret@db.internal:5433/musicforge?sslmode=require",
        "REDIS_URL": "redis://:pw@cache.internal:6380/2",
        "PORT": "9000",
        "HOST": "0.0.0.0",
        "LOG_LEVEL": "debug",
    ]

    @Test func completeEnvironmentIsRead() throws {
        let configuration = try AppConfiguration(environment: complete, requirements: .server)
        #expect(configuration.port == 9000)
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.logLevel == .debug)
        #expect(
            configuration.database
                == DatabaseSettings(
                    host: "db.internal", port: 5433, username: "app", password: "s3cret", database: "musicforge", tls: .require))
        #expect(configuration.redis == RedisSettings(host: "cache.internal", port: 6380, password: "pw", database: 2))
        #expect(configuration.llmProvider == .none)
        #expect(configuration.rateLimitFailure == .local)
    }

    @Test(arguments: [
        ("DATABASE_URL", AppConfiguration.Requirements.database),
        ("REDIS_URL", AppConfiguration.Requirements.redis),
    ])
    func missingRequiredSettingIsNamed(name: String, requirement: AppConfiguration.Requirements) {
        var environment = complete
        environment[name] = nil
        #expect(throws: ConfigurationError.self) {
            try AppConfiguration(environment: environment, requirements: requirement)
        }
        do {
            _ = try AppConfiguration(environment: environment, requirements: requirement)
        } catch {
            #expect(error.name == name)
            #expect(error.description.hasPrefix("\(name) is not set"))
            #expect(error.description.hasSuffix("."))
        }
        // Not required: not an error.
        #expect((try? AppConfiguration(environment: environment, requirements: [])) != nil)
    }

    @Test(arguments: [
        ("PORT", "eighty"), ("PORT", "70000"), ("LOG_LEVEL", "loud"), ("DATABASE_URL", "mysql://x@y/z"),
        ("DATABASE_URL", "postgres://x@y"), ("REDIS_URL", "http://127.0.0.1:6379"), ("REDIS_URL", "redis://127.0.0.1/99"),
        ("LLM_PROVIDER", "gemini"), ("OPENAI_BASE_URL", "not a url"), ("ANALYSIS_WORKERS", "0"),
        ("RATE_LIMIT_FAILURE", "open"), ("MUSICFORGE_ALLOW_PRIVATE_URLS", "maybe"), ("MUSICFORGE_ADMIN_KEY", "hunter2"),
        ("RATE_LIMIT_TIERS", "/nonexistent/tiers.json"),
    ])
    func malformedSettingIsNamed(name: String, value: String) {
        var environment = complete
        environment[name] = value
        do {
            _ = try AppConfiguration(environment: environment, requirements: .server)
            Issue.record("\(name)=\(value) was accepted")
        } catch {
            #expect(error.name == name)
            #expect(error.description.hasPrefix("\(name) is malformed"))
        }
    }

    @Test func secretsAreNotEchoed() {
        var environment = complete
        environment["MUSICFORGE_ADMIN_KEY"] = "mf_live_tooShort"
        environment["DATABASE_URL"] = "postgres://app:s3cret@db.internal:5433/"
        do {
            _ = try AppConfiguration(environment: environment, requirements: .server)
            Issue.record("accepted")
        } catch {
            #expect(!error.description.contains("s3cret"))
        }
        environment["DATABASE_URL"] = complete["DATABASE_URL"]
        do {
            _ = try AppConfiguration(environment: environment, requirements: .server)
            Issue.record("accepted")
        } catch {
            #expect(!error.description.contains("tooShort"))
        }
    }

    @Test func tiersFileIsReadAtStartAndABadOneIsNamed() throws {
        let path = NSTemporaryDirectory() + "/tiers-\(UUID().uuidString).json"
        try Data(#"{"tiers": {"free": {"limits": [{"window_seconds": 10, "requests": 2}]}}}"#.utf8).write(to: URL(fileURLWithPath: path))
        let configuration = try AppConfiguration(environment: ["RATE_LIMIT_TIERS": path])
        #expect(configuration.rateLimitPolicy.windows(for: .free) == [.init(seconds: 10, requests: 2)])
        try Data(#"{"tiers": {"free": {"limits": [{"window_seconds": 0, "requests": 2}]}}}"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ConfigurationError.self) { try AppConfiguration(environment: ["RATE_LIMIT_TIERS": path]) }
        do {
            _ = try AppConfiguration(environment: ["RATE_LIMIT_TIERS": path])
        } catch {
            #expect(error.name == "RATE_LIMIT_TIERS")
        }
    }

    @Test func llmProviderDefaultsFollowTheKeys() throws {
        #expect(try AppConfiguration(environment: ["OPENAI_API_KEY": "sk-x"]).llmProvider == .openai)
        #expect(try AppConfiguration(environment: ["ANTHROPIC_API_KEY": "a"]).llmProvider == .anthropic)
        #expect(try AppConfiguration(environment: ["OPENAI_API_KEY": "sk-x", "ANTHROPIC_API_KEY": "a"]).llmProvider == .openai)
        // A local OpenAI-compatible server needs only its URL.
        let local = try AppConfiguration(environment: ["LLM_PROVIDER": "openai", "OPENAI_BASE_URL": "http://127.0.0.1:11434/v1"])
        #expect(local.openAIBaseURL.absoluteString == "http://127.0.0.1:11434/v1")
        #expect(throws: ConfigurationError.missing(name: "ANTHROPIC_API_KEY", hint: "LLM_PROVIDER is anthropic, so set ANTHROPIC_API_KEY"))
        {
            try AppConfiguration(environment: ["LLM_PROVIDER": "anthropic"])
        }
    }

    @Test func loopbackDatabaseDefaultsToPlainConnections() throws {
        #expect(try DatabaseSettings(url: "postgres://u@127.0.0.1/db").tls == .disable)
        #expect(try DatabaseSettings(url: "postgresql://u@db.example/db").tls == .prefer)
        #expect(try DatabaseSettings(url: "postgres://u:p%40ss@h/db").password == "p@ss")
    }
}
