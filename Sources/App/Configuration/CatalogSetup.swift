import Catalogs
import Foundation

extension AppConfiguration {
    /// Every catalogue this configuration can reach: the local library when one is given, YouTube and
    /// Jamendo when their keys are set, and Openverse always (it needs no key; it is asked only when
    /// named or enabled, see ``defaultSources(library:)``).
    public func catalogProviders(library: LocalLibrary?, cache: (any ResponseCache)?, quota: QuotaMeter = QuotaMeter())
        -> [any CatalogProvider]
    {
        let client = ProviderClient(guardrail: AddressGuard(allowPrivateAddresses: allowPrivateURLs), cache: cache)
        var providers: [any CatalogProvider] = []
        if let library { providers.append(LocalLibraryProvider(library: library)) }
        if let youtubeAPIKey {
            providers.append(YouTubeProvider(apiKey: youtubeAPIKey, baseURL: youtubeBaseURL, client: client, quota: quota))
        }
        if let jamendoClientID { providers.append(JamendoProvider(clientID: jamendoClientID, baseURL: jamendoBaseURL, client: client)) }
        providers.append(OpenverseProvider(baseURL: openverseBaseURL, client: client))
        return providers
    }

    /// The catalogues a search asks when it names none.
    public func defaultSources(hasLibrary: Bool) -> Set<CatalogSource> {
        var sources: Set<CatalogSource> = []
        if hasLibrary { sources.insert(.local) }
        if youtubeAPIKey != nil { sources.insert(.youtube) }
        if jamendoClientID != nil { sources.insert(.jamendo) }
        if openverseEnabled { sources.insert(.openverse) }
        return sources
    }

    /// Parses `sources` as the HTTP contract spells it (openapi.yaml's pattern): lower-case names joined
    /// by commas, no spaces, none empty; nil for anything else. The search handler and the cached-answer
    /// middleware both read it through this, so that neither answers what the other would refuse.
    public static func sources(inQuery text: some StringProtocol) -> Set<CatalogSource>? {
        var sources: Set<CatalogSource> = []
        for name in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let source = CatalogSource(rawValue: String(name)) else { return nil }
            sources.insert(source)
        }
        return sources
    }

    /// Parses `--sources local, Jamendo` on the command line, more leniently: spaces and case do not
    /// matter, empty names are skipped; nil for an unknown name or none at all.
    public static func sources(parsing text: String) -> Set<CatalogSource>? {
        var sources: Set<CatalogSource> = []
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !name.isEmpty {
            guard let source = CatalogSource(rawValue: name) else { return nil }
            sources.insert(source)
        }
        return sources.isEmpty ? nil : sources
    }
}
