import Catalogs
import Foundation

/// One thing `analyze` was asked about.
public enum AnalysisInput: Sendable {
    case file(String)
    case url(String)
    case missing(String)

    public var label: String {
        switch self {
        case .file(let path), .missing(let path): path
        case .url(let url): url
        }
    }

    public var isURL: Bool {
        if case .url = self { return true }
        return false
    }
}

/// Turns `analyze`'s arguments into inputs: files as given, folders searched recursively for audio
/// files (sorted, so the output order is stable), URLs as given.
public enum AnalysisInputs {
    public static func expand(_ arguments: [String]) -> [AnalysisInput] {
        var inputs: [AnalysisInput] = []
        for argument in arguments {
            if argument.hasPrefix("http://") || argument.hasPrefix("https://") {
                inputs.append(.url(argument))
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                inputs.append(.missing(argument))
                continue
            }
            guard isDirectory.boolValue else {
                inputs.append(.file(argument))
                continue
            }
            inputs += audioFiles(under: argument).map(AnalysisInput.file)
        }
        return inputs
    }

    /// Every audio file under `folder`, as `folder/relative/path`, sorted: the library scanner's walk,
    /// without its cap.
    public static func audioFiles(under folder: String) -> [String] {
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        return LibraryScanner.scan(folder, limit: .max).map { prefix + $0.path }
    }
}
