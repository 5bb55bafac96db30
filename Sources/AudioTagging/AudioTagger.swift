import CBLAS

/// Hears what a track is: musicnn's MagnaTagATune and Million Song Dataset models, 50 tags each, run
/// on log-mel patches of the track. Loaded once per worker process; immutable, so threads may share it.
public struct AudioTagger: Sendable {
    /// What the networks were trained on: 16 kHz mono, 512-point frames every 256 samples.
    public static let sampleRate = 16_000
    public static let frameSize = 512
    public static let hopSize = 256
    /// Patches tagged per track, at most: spread across it (see `patchStarts`). Two patches of 3 s
    /// keep a 30 s clip's tagging within the CPU budget (README, "Hearing").
    public static let maxPatches = 2
    /// The models, in the order their probabilities appear in `sound`.
    public static let modelNames = ["MTT_musicnn", "MSD_musicnn"]

    public let models: [MusicnnModel]

    public init(weights: TaggingWeights) throws(TaggingWeightsError) {
        var models: [MusicnnModel] = []
        for name in Self.modelNames { models.append(try MusicnnModel(weights: weights, name: name)) }
        self.models = models
        // One thread: the pool runs one worker per core already.
        openblas_set_num_threads(1)
    }

    /// The tagger whose weights are in `folder` (see `TaggingWeights.folder`).
    public static func load(folder: String = TaggingWeights.folder()) throws(TaggingWeightsError) -> AudioTagger {
        try AudioTagger(weights: TaggingWeights(path: folder + "/" + TaggingWeights.fileName))
    }

    /// Why tags are off, or nil when the weights in `folder` load: what a command or the server says
    /// once at start. (Each worker loads its own copy.)
    public static func unavailability(folder: String = TaggingWeights.folder()) -> TaggingWeightsError? {
        do {
            _ = try load(folder: folder)
            return nil
        } catch {
            return error
        }
    }

    /// The labels of every model, in `sound`'s order.
    public var labels: [String] { models.flatMap(\.labels) }

    /// Each model's tag probabilities averaged over `patches` (each `MusicnnModel.frames × bands`
    /// log-mel values), models one after another: the track's `sound` vector. Empty for no patches.
    public func hear(_ patches: [[Float]]) -> [Float] {
        guard !patches.isEmpty else { return [] }
        var sound: [Float] = []
        for model in models {
            var sum = [Float](repeating: 0, count: model.labels.count)
            for patch in patches {
                let probabilities = patch.withUnsafeBufferPointer { model.probabilities($0) }
                for index in sum.indices { sum[index] += probabilities[index] }
            }
            sound += sum.map { $0 / Float(patches.count) }
        }
        return sound
    }

    /// The first frames of the patches to tag in a track of `totalFrames` frames: up to `maxPatches`
    /// non-overlapping patches, their centres spread evenly (a quarter and three quarters in for two),
    /// so intros and endings weigh no more than the rest. One patch at 0 for a track shorter than a
    /// patch (its frames are repeated to fill it).
    public static func patchStarts(totalFrames: Int, maxPatches: Int = AudioTagger.maxPatches) -> [Int] {
        let length = MusicnnModel.frames
        guard totalFrames > length, maxPatches > 0 else { return [0] }
        let room = totalFrames - length
        // Centres room / count apart: patches that do not overlap need room / count ≥ length.
        let count = max(1, min(maxPatches, room / length))
        return (0..<count).map { index in room * (2 * index + 1) / (2 * count) }
    }
}
