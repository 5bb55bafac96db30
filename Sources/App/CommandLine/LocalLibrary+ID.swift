import Catalogs
import Foundation

extension LocalLibrary {
    /// The library id of the reference when it is a file of the library (so it is not its own match).
    public static func id(of path: String, in folder: String) -> String? {
        let file = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        let root = URL(fileURLWithPath: folder).standardizedFileURL.resolvingSymlinksInPath().path
        guard file.hasPrefix(root + "/") else { return nil }
        // As `Candidate.id` spells it: the source, then the path relative to the library.
        return "\(CatalogSource.local.rawValue):" + file.dropFirst(root.count + 1)
    }
}
