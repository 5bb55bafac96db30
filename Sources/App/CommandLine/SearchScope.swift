import Catalogs
import Foundation

/// What a command-line search asks: the catalogues (`--sources`, else the configured ones) and the
/// library folder (`--library`, else `MUSICFORGE_LIBRARY`), checked against each other.
public struct SearchScope: Sendable {
    public var sources: Set<CatalogSource>
    public var library: String?

    /// A usage mistake, in one sentence.
    public struct Mistake: Error {
        public var message: String
    }

    public init(sources text: String?, library: String?, configuration: AppConfiguration) throws(Mistake) {
        var requested: Set<CatalogSource>?
        if let text {
            guard let parsed = AppConfiguration.sources(parsing: text) else {
                throw Mistake(message: "--sources takes a comma-separated list of local, jamendo, youtube, openverse.")
            }
            requested = parsed
        }
        let folder = library ?? configuration.libraryPath
        if let folder {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw Mistake(message: "The library \(folder) is not a folder.")
            }
        }
        let chosen = requested ?? configuration.defaultSources(hasLibrary: folder != nil)
        guard !chosen.isEmpty else {
            throw Mistake(message: "No catalogue to search: give --library DIR (or MUSICFORGE_LIBRARY), or configure a provider.")
        }
        if chosen.contains(.local) && folder == nil {
            throw Mistake(message: "--sources local needs --library DIR or MUSICFORGE_LIBRARY.")
        }
        self.sources = chosen
        self.library = folder
    }
}
