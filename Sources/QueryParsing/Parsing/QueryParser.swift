import Core
import Foundation
import Logging
import Metrics
import Synchronization

/// Turns a query into ``Filters``: through the configured LLM when there is one, with the rule
/// parser as the fallback for every failure, and through the rule parser alone otherwise.
///
/// LLM answers are validated against the prompt's schema, clamped, and then corrected by what the
/// query states outright: a tempo or key the rule parser reads in the text wins over an LLM that
/// disagrees. They are cached by (provider, model, prompt version, normalised query) in a small
/// in-process LRU and in the shared ``FiltersStore``.
public final class QueryParser: Sendable {
    public enum Strategy: String, Sendable, CaseIterable {
        /// The LLM when configured, else (and on any failure) the rules.
        case auto
        case rules
        /// The LLM only: failures are errors.
        case llm
    }

    /// An LLM and what it needs.
    public struct LLM: Sendable {
        public var provider: any LLMProvider
        public var prompt: Prompt
        /// For the whole call, retries included.
        public var timeout: Duration
        public var breaker: CircuitBreaker

        public init(provider: any LLMProvider, prompt: Prompt, timeout: Duration = .seconds(3), breaker: CircuitBreaker = .init()) {
            self.provider = provider
            self.prompt = prompt
            self.timeout = timeout
            self.breaker = breaker
        }
    }

    public static let maxQueryLength = 500
    public static let defaultCacheTTL: Duration = .seconds(3600)

    public let llm: LLM?
    let rules = RuleParser()
    let store: (any FiltersStore)?
    let local: LRUCache<Filters>
    let cacheTTL: Duration
    let logger: Logger
    /// `musicforge_query_parses_total` by parser and source, made on first use: looking a counter up
    /// in the metrics registry costs more than a rule parse.
    private let parseCounters = Mutex<[String: Counter]>([:])

    public init(
        llm: LLM?, store: (any FiltersStore)? = nil, cacheTTL: Duration = QueryParser.defaultCacheTTL,
        localCacheSize: Int = 1024, logger: Logger = Logger(label: "musicforge.parse")
    ) {
        self.llm = llm
        self.store = store
        self.cacheTTL = cacheTTL
        self.local = LRUCache(capacity: localCacheSize, ttl: cacheTTL)
        self.logger = logger
    }

    /// Checks a query as the API and the CLI accept it, in the terms openapi.yaml states: at most 500
    /// Unicode code points (JSON Schema's `maxLength` counts those), not all of them White_Space.
    public static func validate(_ query: String) throws(QueryParsingError) {
        if query.unicodeScalars.allSatisfy(\.properties.isWhitespace) { throw .emptyQuery }
        if query.unicodeScalars.count > maxQueryLength { throw .queryTooLong(limit: maxQueryLength) }
    }

    /// The filters of `query`.
    public func parse(_ query: String, strategy: Strategy = .auto) async throws(QueryParsingError) -> Filters {
        try Self.validate(query)
        let reading = rules.read(query)
        guard strategy != .rules else { return count(reading.filters, source: "rules") }
        guard let llm else {
            if strategy == .llm { throw .llmNotConfigured }
            return count(reading.filters, source: "rules")
        }
        let cacheKey = "\(llm.provider.name):\(llm.provider.model):\(llm.prompt.version):\(reading.normalizedQuery)"
        if let cached = local.value(forKey: cacheKey) { return count(cached, source: "memory") }
        if let store, let cached = await store.filters(forKey: cacheKey) {
            local.set(cached, forKey: cacheKey)
            return count(cached, source: "store")
        }
        do {
            let filters = try await askLLM(llm, query: query, reading: reading)
            local.set(filters, forKey: cacheKey)
            await store?.store(filters, forKey: cacheKey, ttl: cacheTTL)
            return count(filters, source: "llm")
        } catch {
            Counter(label: "musicforge_llm_failures_total", dimensions: [("provider", llm.provider.name), ("reason", error.metricLabel)])
                .increment()
            if strategy == .llm { throw .llmFailed(error) }
            logger.warning(
                "LLM parse failed; the rule parser answers",
                metadata: ["provider": "\(llm.provider.name)", "model": "\(llm.provider.model)", "reason": "\(error.reason)"])
            var filters = reading.filters
            filters.fallbackReason = error.reason
            return count(filters, source: "fallback")
        }
    }

    private func askLLM(_ llm: LLM, query: String, reading: RuleReading) async throws(LLMError) -> Filters {
        guard llm.breaker.permitsCall() else { throw .circuitOpen }
        let bytes: [UInt8]
        do {
            bytes = try await llm.provider.filtersJSON(for: query, prompt: llm.prompt, deadline: .now + llm.timeout)
            try llm.prompt.schema.validate(bytes)
        } catch {
            // A model that answers, even badly, is up; only an unreachable or failing one opens the circuit.
            if error.countsAgainstProvider { llm.breaker.recordFailure() } else { llm.breaker.recordSuccess() }
            throw error
        }
        llm.breaker.recordSuccess()
        var filters: Filters
        do {
            filters = try JSONDecoder().decode(Filters.self, from: Data(bytes))
        } catch {
            throw .schemaViolation("the filters could not be read: \(error)")
        }
        filters = filters.clamped()
        // What the query states outright wins over the model.
        if reading.statesTempo { filters.bpm = reading.filters.bpm }
        if reading.statesKey {
            filters.key = reading.filters.key
            filters.harmonic = filters.harmonic || reading.filters.harmonic
        }
        filters.parser = .llm
        filters.promptVersion = llm.prompt.version
        filters.fallbackReason = nil
        return filters
    }

    private func count(_ filters: Filters, source: String) -> Filters {
        let parser = filters.parser.rawValue
        parseCounters.withLock { counters in
            let name = parser + "/" + source
            if let counter = counters[name] { return counter }
            let counter = Counter(label: "musicforge_query_parses_total", dimensions: [("parser", parser), ("source", source)])
            counters[name] = counter
            return counter
        }.increment()
        return filters
    }
}

extension LLMError {
    /// A short label for metrics.
    var metricLabel: String {
        switch self {
        case .timeout: "timeout"
        case .rateLimited: "rate_limited"
        case .quotaExhausted: "quota"
        case .http: "http"
        case .transport: "transport"
        case .malformed: "malformed"
        case .refusal: "refusal"
        case .schemaViolation: "schema"
        case .circuitOpen: "circuit_open"
        }
    }
}
