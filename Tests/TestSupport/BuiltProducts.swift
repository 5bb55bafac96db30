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
}
