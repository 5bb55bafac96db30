/// What the networks' tags mean in the words the query parser uses: "female vocalists" is vocals
/// female, "no vocals" instrumental, "chillout" the mood chill. Tags that say nothing a query can ask
/// for ("00s", "beautiful", "weird") map to nothing.
public enum TagMeanings {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case genre, mood, instrument, vocals
    }

    /// A meaning: a genre, mood or instrument by the parser's canonical name, or vocals as `vocal`,
    /// `instrumental`, `female` or `male`.
    public struct Meaning: Sendable, Hashable {
        public var kind: Kind
        public var name: String

        public init(_ kind: Kind, _ name: String) {
            self.kind = kind
            self.name = name
        }
    }

    /// Network label → meaning. Labels of both models; where they share a label it means the same.
    public static let meanings: [String: Meaning] = {
        var table: [String: Meaning] = [:]
        func add(_ kind: Kind, _ name: String, _ labels: [String]) {
            for label in labels { table[label] = Meaning(kind, name) }
        }
        add(.genre, "rock", ["rock", "alternative", "alternative rock", "classic rock", "indie rock", "punk", "hard rock", "Progressive rock"])
        add(.genre, "metal", ["metal", "heavy metal"])
        add(.genre, "pop", ["pop"])
        add(.genre, "indie", ["indie", "indie pop"])
        add(.genre, "electronica", ["electronic", "electronica"])
        add(.genre, "electro", ["electro"])
        add(.genre, "techno", ["techno"])
        add(.genre, "house", ["House"])
        add(.genre, "classical", ["classical", "classic", "opera", "harpsichord"])
        add(.genre, "ambient", ["ambient", "new age"])
        add(.genre, "jazz", ["jazz"])
        add(.genre, "soul", ["soul"])
        add(.genre, "funk", ["funk"])
        add(.genre, "folk", ["folk"])
        add(.genre, "country", ["country"])
        add(.genre, "hip-hop", ["Hip-Hop"])
        add(.genre, "r&b", ["rnb"])
        add(.genre, "acoustic", ["acoustic"])
        add(.genre, "chillout", ["chillout"])
        add(.mood, "chill", ["chill", "Mellow"])
        add(.mood, "calm", ["soft", "quiet"])
        add(.mood, "relaxed", ["easy listening"])
        add(.mood, "melancholic", ["sad"])
        add(.mood, "happy", ["happy"])
        add(.mood, "sensual", ["sexy"])
        add(.instrument, "guitar", ["guitar"])
        add(.instrument, "piano", ["piano"])
        add(.instrument, "strings", ["strings"])
        add(.instrument, "violin", ["violin"])
        add(.instrument, "cello", ["cello"])
        add(.instrument, "drums", ["drums"])
        add(.instrument, "synth", ["synth"])
        add(.instrument, "flute", ["flute"])
        add(.instrument, "sitar", ["sitar"])
        add(.instrument, "harp", ["harp"])
        add(.instrument, "choir", ["choir", "choral"])
        add(.vocals, "vocal", ["vocal", "vocals", "singing", "voice"])
        add(.vocals, "female", ["female", "woman", "female vocal", "female voice", "female vocalists", "female vocalist"])
        add(.vocals, "male", ["male", "man", "male vocal", "male voice", "male vocalists"])
        add(.vocals, "instrumental", ["no vocals", "no vocal", "no voice", "instrumental"])
        return table
    }()

    /// The probability of each meaning: the highest of the labels that carry it. `sound` holds the
    /// probabilities of `labels`, in order.
    public static func probabilities(sound: [Float], labels: [String]) -> [Meaning: Double] {
        var result: [Meaning: Double] = [:]
        for (label, probability) in zip(labels, sound) {
            guard let meaning = meanings[label] else { continue }
            result[meaning] = max(result[meaning] ?? 0, Double(probability))
        }
        return result
    }
}
