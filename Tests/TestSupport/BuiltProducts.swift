import Foundation

/// Programs the package builds, found next to the running test binary.
public enum BuiltProducts {
    /// The `musicforge` executable of this build.
    public static var musicforge: String {
        // Tests run from the build folder that also holds the executable.
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        while !FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent("musicforge").path),
            directory.path != "/"
        {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("musicforge").path
    }

    /// The folder with the tagging weights: `MUSICFORGE_MODELS` (scripts/test sets it), else the
    /// package's `models` folder, where scripts/test makes them.
    public static var models: String {
        if let folder = ProcessInfo.processInfo.environment["MUSICFORGE_MODELS"], !folder.isEmpty { return folder }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("models").path
    }
}
