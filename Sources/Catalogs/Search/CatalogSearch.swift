import Core

/// Asks several catalogues at once under one deadline and gathers what came back in time.
///
/// A catalogue that fails or misses the deadline costs only its own results: it is listed with
/// status `error` and its reason, and the others' candidates are returned. Duplicates are dropped:
/// the same `source:external_id`, and Openverse results that Openverse took from a Jamendo track the
/// Jamendo provider also returned.
public struct CatalogSearch: Sendable {
    public let providers: [any CatalogProvider]

    public init(providers: [any CatalogProvider]) { self.providers = providers }

    /// How one catalogue fared.
    public struct Outcome: Sendable, Hashable, Codable {
        public enum Status: String, Sendable, Hashable, Codable { case ok, error, skipped }
        public var name: CatalogSource
        public var status: Status
        public var count: Int
        public var error: String?
        /// A stable code for `error` (``CatalogError/code``).
        public var code: String?

        /// Writes `error` and `code` as null when absent, as the contract lists them.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(status, forKey: .status)
            try container.encode(count, forKey: .count)
            try container.encode(error, forKey: .error)
            try container.encode(code, forKey: .code)
        }

        enum CodingKeys: String, CodingKey { case name, status, count, error, code }
    }

    public struct Result: Sendable {
        public var candidates: [Candidate]
        /// One per catalogue, in ``CatalogSource`` order.
        public var outcomes: [Outcome]
    }

    /// Searches `sources` (every configured catalogue when nil).
    public func search(
        _ filters: Filters, limit: Int, sources: Set<CatalogSource>? = nil, deadline: ContinuousClock.Instant
    ) async -> Result {
        let chosen = providers.filter { sources?.contains($0.source) ?? true }
        var answers: [CatalogSource: Swift.Result<[Candidate], CatalogError>] = [:]
        // With no catalogue to ask there is nothing to wait for (the deadline alone would hold the answer).
        if !chosen.isEmpty {
            await withTaskGroup(of: (CatalogSource, Swift.Result<[Candidate], CatalogError>)?.self) { group in
                for provider in chosen {
                    group.addTask {
                        do throws(CatalogError) {
                            return (provider.source, .success(try await provider.search(filters, limit: limit, deadline: deadline)))
                        } catch {
                            return (provider.source, .failure(error))
                        }
                    }
                }
                // The deadline: whoever has not answered by then is cancelled and reported as timed out.
                group.addTask {
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    return nil
                }
                while let next = await group.next() {
                    guard let (source, answer) = next else {
                        group.cancelAll()
                        break
                    }
                    answers[source] = answer
                    if answers.count == chosen.count {
                        group.cancelAll()
                        break
                    }
                }
            }
        }

        var outcomes: [Outcome] = []
        var byID: [String: Candidate] = [:]
        var order: [String] = []
        for source in CatalogSource.allCases {
            guard chosen.contains(where: { $0.source == source }) else {
                let configured = providers.contains { $0.source == source }
                outcomes.append(
                    Outcome(name: source, status: .skipped, count: 0, error: configured ? "not requested" : "not configured", code: nil))
                continue
            }
            switch answers[source] ?? .failure(.timeout) {
            case .success(let candidates):
                outcomes.append(Outcome(name: source, status: .ok, count: candidates.count, error: nil, code: nil))
                for candidate in candidates where byID[candidate.id] == nil {
                    byID[candidate.id] = candidate
                    order.append(candidate.id)
                }
            case .failure(let error):
                outcomes.append(Outcome(name: source, status: .error, count: 0, error: error.description, code: error.code))
            }
        }
        let jamendoIDs = Set(order.compactMap { byID[$0] }.filter { $0.source == .jamendo }.map(\.externalID))
        let candidates = order.compactMap { byID[$0] }.filter { candidate in
            guard let original = OpenverseProvider.jamendoTrackID(of: candidate) else { return true }
            return !jamendoIDs.contains(original)
        }
        for index in outcomes.indices where outcomes[index].name == .openverse && outcomes[index].status == .ok {
            outcomes[index].count = candidates.count { $0.source == .openverse }
        }
        return Result(candidates: candidates, outcomes: outcomes)
    }
}
