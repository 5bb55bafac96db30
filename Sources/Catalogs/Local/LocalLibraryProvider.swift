import Core

/// The local library as a catalogue: every file, those whose tags and title match the query first,
/// then those heard to (the tags of their analysis, once analysed).
/// `external_id` is the path relative to the library; the audio is the file itself.
public struct LocalLibraryProvider: CatalogProvider {
    public let source = CatalogSource.local
    public let library: LocalLibrary
    /// At most this many candidates, whatever the limit (each may need an analysis).
    public let maxCandidates: Int

    public static let defaultMaxCandidates = 500

    public init(library: LocalLibrary, maxCandidates: Int = LocalLibraryProvider.defaultMaxCandidates) {
        self.library = library
        self.maxCandidates = maxCandidates
    }

    public func search(_ filters: Filters, limit: Int, deadline: ContinuousClock.Instant) async throws(CatalogError) -> [Candidate] {
        let wanted = Set(filters.genres + filters.moods + filters.instruments + filters.keywords)
        let excluded = Set(filters.exclude)
        let scored = await library.tracks().compactMap { track -> (Int, Candidate)? in
            let tags = track.tags
            guard excluded.isDisjoint(with: tags) else { return nil }
            let title = track.title.lowercased()
            // Said in the metadata counts twice what is heard with some confidence.
            let heard = track.record?.analysis?.tags?.count { $0.probability >= 0.3 && wanted.contains($0.name) } ?? 0
            let score = 2 * (tags.count { wanted.contains($0) } + wanted.count { title.contains($0) }) + heard
            let candidate = Candidate(
                source: .local, externalID: track.file.path, title: track.title, artist: track.record?.metadata?.artist,
                durationSeconds: track.record?.analysis?.durationSeconds, pageURL: nil,
                audio: .file(path: library.root + "/" + track.file.path), license: nil, tags: tags)
            return (score, candidate)
        }
        // The best `limit` (as every catalogue gives): by matching words, then by path.
        return scored.sorted { ($0.0, $1.1.externalID) > ($1.0, $0.1.externalID) }.prefix(min(limit, maxCandidates)).map(\.1)
    }
}
