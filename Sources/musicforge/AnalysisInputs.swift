import AudioAnalysis
import Foundation

/// One thing `analyze` was asked about.
enum AnalysisInput: Sendable {
    case file(String)
    case url(String)
    case missing(String)

    var label: String {
        switch self {
        case .file(let path), .missing(let path): path
        case .url(let url): url
        }
    }

    var isURL: Bool {
        if case .url = self { return true }
        return false
    }
}

/// Turns `analyze`'s arguments into inputs: files as given, folders searched recursively for audio
/// files (sorted, so the output order is stable), URLs as given.
enum AnalysisInputs {
    static func expand(_ arguments: [String]) throws -> [AnalysisInput] {
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

    static func audioFiles(under folder: String) -> [String] {
        let root = URL(fileURLWithPath: folder)
        guard
            let enumerator = FileManager.default.enumerator(
                at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        else { return [] }
        var paths: [String] = []
        for case let url as URL in enumerator where AudioDecoder.fileExtensions.contains(url.pathExtension.lowercased()) {
            paths.append(folder.hasSuffix("/") ? folder + relative(url, to: root) : folder + "/" + relative(url, to: root))
        }
        return paths.sorted()
    }

    private static func relative(_ url: URL, to root: URL) -> String {
        let base = root.standardizedFileURL.path
        let path = url.standardizedFileURL.path
        return path.hasPrefix(base + "/") ? String(path.dropFirst(base.count + 1)) : url.lastPathComponent
    }
}
