/// The words the rule parser knows: genres, moods, instruments, vocals, tempo and energy words.
///
/// Every phrase is stored in the form ``QueryText`` gives it, so "R&B", "r & b" and "r&b" are one
/// entry. Phrases with a hyphen also match written apart and written together ("lo-fi", "lo fi",
/// "lofi").
public enum Vocabulary {
    /// What a known phrase means.
    public enum Meaning: Sendable, Equatable {
        case genre(String)
        case mood(String)
        case instrument(String)
        case vocals(Vocals, keyword: String?)
        /// An occasion or an explicit energy level: sets an energy hint; the phrase stays a keyword
        /// when `keyword` is set ("gym", "peak time").
        case energy(NumericRange, keyword: String?)
        case tempo(TempoWord)
    }

    /// Tempo described in words.
    public enum TempoWord: Sendable, Equatable {
        case verySlow, slow, medium, fast, veryFast

        /// The BPM range meant when no genre narrows it.
        public var range: ClosedRange<Double> {
            switch self {
            case .verySlow: 50...75
            case .slow: 60...95
            case .medium: 95...120
            case .fast: 125...180
            case .veryFast: 150...200
            }
        }
    }

    /// The longest phrase, in tokens.
    public static let longestPhrase = phrases.keys.map { $0.split(separator: " ").count }.max() ?? 1

    /// Normalised phrase → meaning.
    public static let phrases: [String: Meaning] = {
        var table: [String: Meaning] = [:]
        func add(_ phrase: String, _ meaning: Meaning) {
            for variant in variants(of: phrase) where table[variant] == nil { table[variant] = meaning }
        }
        for genre in GenreVocabulary.all {
            for alias in [genre.name] + genre.aliases { add(alias, .genre(genre.name)) }
        }
        for mood in MoodVocabulary.all {
            for alias in [mood.name] + mood.aliases { add(alias, .mood(mood.name)) }
        }
        for (name, aliases) in instruments {
            for alias in [name] + aliases { add(alias, .instrument(name)) }
        }
        for (phrase, meaning) in vocals { add(phrase, meaning) }
        for (phrase, meaning) in energyWords { add(phrase, meaning) }
        for (phrase, word) in tempoWords { add(phrase, .tempo(word)) }
        return table
    }()

    /// Every word that appears in a phrase, a stop word or a word the matchers read: typo correction
    /// leaves these alone and corrects towards the phrase words.
    public static let knownWords: Set<String> = {
        var words = Set(phrases.keys.flatMap { $0.split(separator: " ").map(String.init) })
        words.formUnion(stopWords)
        words.formUnion(structureWords)
        return words
    }()

    /// Phrase words of at least five letters: the targets of typo correction.
    public static let correctionTargets: [[UInt8]] = {
        var words = Set(phrases.keys.flatMap { $0.split(separator: " ").map(String.init) })
        words.formUnion(["minor", "major", "instrumental", "between", "around", "without", "minutes", "seconds", "compatible"])
        return words.filter { $0.utf8.count >= 5 && $0.allSatisfy(\.isLetter) }.sorted().map { Array($0.utf8) }
    }()

    /// Words with no content of their own in a music query.
    public static let stopWords: Set<String> = [
        "a", "an", "the", "some", "any", "me", "my", "i", "im", "am", "was", "were", "we", "us", "you", "your", "our", "for", "with", "and",
        "or",
        "of", "to", "in", "on", "at", "by", "from", "into", "that", "this", "those", "these", "it", "its", "is", "are", "be",
        "please", "pls", "plz", "find", "get", "give", "show", "play", "want", "need", "looking", "look", "search", "searching",
        "recommend", "suggest", "something", "stuff", "songs", "song", "tracks", "track", "tune", "tunes", "music", "beats", "beat",
        "playlist", "like", "similar", "kinda", "kind", "sort", "type", "style", "vibe", "vibes", "feel", "feeling", "sounds",
        "sound", "sounding", "good", "great", "nice", "best", "cool", "really", "very", "quite", "bit", "little", "just",
        "only", "also", "maybe", "can", "could", "would", "will", "should", "but", "so", "than", "then", "which", "what",
        "has", "have", "having", "got", "one", "ones", "more", "bpm", "bpms", "key", "tempo", "around", "about", "song's",
        "mood", "genre", "tracklist", "mix", "set", "dj", "songz", "sth", "smth", "hey", "hi", "thanks", "ok",
    ]

    /// Words the structural matchers (tempo, key, duration, exclusion) read.
    public static let structureWords: Set<String> = [
        "between", "from", "to", "and", "under", "below", "over", "above", "less", "more", "than", "least", "most",
        "max", "maximum", "min", "minimum", "minute", "minutes", "mins", "sec", "secs", "second", "seconds", "hour", "hours",
        "hr", "hrs", "long", "short", "longer", "shorter", "faster", "slower", "approx", "approximately", "roughly",
        "circa", "near", "ish", "beats", "per", "sharp", "flat", "minor", "major", "maj", "moll", "dur", "camelot",
        "open", "compatible", "harmonic", "harmonically", "mixes", "mixable", "blends", "without", "no", "not", "except",
        "excluding", "exclude", "minus", "within", "up", "upto", "tops", "key", "keys",
    ]

    /// Instruments by canonical name, with their other spellings.
    public static let instruments: [(String, [String])] = [
        ("piano", ["pianos", "grand piano", "keys piano"]),
        ("rhodes", ["electric piano", "e-piano", "wurlitzer"]),
        ("organ", ["organs", "hammond"]),
        ("acoustic guitar", ["acoustic guitars"]),
        ("electric guitar", ["electric guitars", "distorted guitar"]),
        ("guitar", ["guitars", "gtr"]),
        ("bass", ["bassline", "bass line", "basslines", "bass guitar", "sub bass", "subbass"]),
        ("808", ["808s", "tr-808"]),
        ("synth", ["synths", "synthesizer", "synthesizers", "synthesiser", "synthesisers", "arp", "arps", "arpeggios"]),
        ("pads", ["pad", "synth pads"]),
        ("strings", ["string section", "string", "orchestra", "orchestral strings"]),
        ("violin", ["violins", "fiddle"]),
        ("cello", ["cellos"]),
        ("saxophone", ["sax", "saxophones", "saxes"]),
        ("trumpet", ["trumpets"]),
        ("horns", ["horn", "brass", "horn section"]),
        ("flute", ["flutes"]),
        ("drums", ["drum", "drum kit", "drumkit"]),
        ("percussion", ["percs", "perc", "bongos", "congas"]),
        ("choir", ["choirs", "choral"]),
        ("harp", ["harps"]),
        ("bells", ["bell"]),
        ("marimba", []), ("kalimba", []), ("ukulele", ["uke"]), ("banjo", []), ("harmonica", []),
        ("accordion", []), ("sitar", []), ("handpan", []), ("cowbell", []), ("claps", ["handclaps", "clap"]),
    ]

    /// Vocal presence.
    public static let vocals: [(String, Meaning)] = [
        ("instrumental", .vocals(.instrumental, keyword: nil)),
        ("instrumentals", .vocals(.instrumental, keyword: nil)),
        ("vocal free", .vocals(.instrumental, keyword: nil)),
        ("vocalless", .vocals(.instrumental, keyword: nil)),
        ("vocals", .vocals(.vocal, keyword: nil)),
        ("vocal", .vocals(.vocal, keyword: nil)),
        ("with vocals", .vocals(.vocal, keyword: nil)),
        ("singing", .vocals(.vocal, keyword: nil)),
        ("sung", .vocals(.vocal, keyword: nil)),
        ("lyrics", .vocals(.vocal, keyword: nil)),
        ("with lyrics", .vocals(.vocal, keyword: nil)),
        ("female vocals", .vocals(.vocal, keyword: "female vocals")),
        ("female vocal", .vocals(.vocal, keyword: "female vocals")),
        ("female vocalist", .vocals(.vocal, keyword: "female vocals")),
        ("female singer", .vocals(.vocal, keyword: "female vocals")),
        ("male vocals", .vocals(.vocal, keyword: "male vocals")),
        ("male vocal", .vocals(.vocal, keyword: "male vocals")),
        ("male vocalist", .vocals(.vocal, keyword: "male vocals")),
        ("male singer", .vocals(.vocal, keyword: "male vocals")),
        ("acapella", .vocals(.vocal, keyword: "acapella")),
        ("a cappella", .vocals(.vocal, keyword: "acapella")),
        ("vocal chops", .vocals(.vocal, keyword: "vocal chops")),
        ("rap vocals", .vocals(.vocal, keyword: "rap vocals")),
    ]

    /// Energy levels named outright and occasions that imply one.
    public static let energyWords: [(String, Meaning)] = [
        ("high energy", .energy(NumericRange(min: 0.7, max: 1, target: 0.85), keyword: nil)),
        ("high-energy", .energy(NumericRange(min: 0.7, max: 1, target: 0.85), keyword: nil)),
        ("full energy", .energy(NumericRange(min: 0.75, max: 1, target: 0.9), keyword: nil)),
        ("medium energy", .energy(NumericRange(min: 0.4, max: 0.7, target: 0.55), keyword: nil)),
        ("mid energy", .energy(NumericRange(min: 0.4, max: 0.7, target: 0.55), keyword: nil)),
        ("low energy", .energy(NumericRange(min: 0, max: 0.4, target: 0.25), keyword: nil)),
        ("low-energy", .energy(NumericRange(min: 0, max: 0.4, target: 0.25), keyword: nil)),
        ("peak time", .energy(NumericRange(min: 0.75, max: 1, target: 0.9), keyword: "peak time")),
        ("peak-time", .energy(NumericRange(min: 0.75, max: 1, target: 0.9), keyword: "peak time")),
        ("warm up", .energy(NumericRange(min: 0.3, max: 0.6, target: 0.45), keyword: "warm up")),
        ("warmup", .energy(NumericRange(min: 0.3, max: 0.6, target: 0.45), keyword: "warm up")),
        ("after hours", .energy(NumericRange(min: 0.4, max: 0.75, target: 0.6), keyword: "after hours")),
        ("afterhours", .energy(NumericRange(min: 0.4, max: 0.75, target: 0.6), keyword: "after hours")),
        ("gym", .energy(NumericRange(min: 0.7, max: 1, target: 0.85), keyword: "gym")),
        ("workout", .energy(NumericRange(min: 0.7, max: 1, target: 0.85), keyword: "workout")),
        ("running", .energy(NumericRange(min: 0.65, max: 1, target: 0.8), keyword: "running")),
        ("party", .energy(NumericRange(min: 0.65, max: 1, target: 0.8), keyword: "party")),
        ("club", .energy(NumericRange(min: 0.6, max: 1, target: 0.8), keyword: "club")),
        ("bangers", .energy(NumericRange(min: 0.75, max: 1, target: 0.9), keyword: "bangers")),
        ("banger", .energy(NumericRange(min: 0.75, max: 1, target: 0.9), keyword: "bangers")),
        ("study", .energy(NumericRange(min: 0.05, max: 0.45, target: 0.25), keyword: "study")),
        ("studying", .energy(NumericRange(min: 0.05, max: 0.45, target: 0.25), keyword: "study")),
        ("focus", .energy(NumericRange(min: 0.1, max: 0.5, target: 0.3), keyword: "focus")),
        ("sleep", .energy(NumericRange(min: 0, max: 0.25, target: 0.1), keyword: "sleep")),
        ("sleeping", .energy(NumericRange(min: 0, max: 0.25, target: 0.1), keyword: "sleep")),
        ("meditation", .energy(NumericRange(min: 0, max: 0.25, target: 0.1), keyword: "meditation")),
        ("yoga", .energy(NumericRange(min: 0, max: 0.35, target: 0.2), keyword: "yoga")),
        ("dinner", .energy(NumericRange(min: 0.15, max: 0.5, target: 0.3), keyword: "dinner")),
    ]

    /// Tempo in words.
    public static let tempoWords: [(String, TempoWord)] = [
        ("very slow", .verySlow), ("super slow", .verySlow), ("slow", .slow), ("slowish", .slow), ("slow jams", .slow),
        ("low tempo", .slow), ("midtempo", .medium), ("mid-tempo", .medium), ("medium tempo", .medium),
        ("moderate tempo", .medium), ("fast", .fast), ("fast paced", .fast), ("fast-paced", .fast), ("quick", .fast),
        ("uptempo", .fast), ("up-tempo", .fast), ("high tempo", .fast), ("very fast", .veryFast), ("super fast", .veryFast),
        ("rapid", .veryFast),
    ]

    /// The form phrases are stored and looked up in: ``QueryText`` tokens joined by spaces.
    public static func key(_ text: String) -> String { QueryText(text).tokens.map(\.text).joined(separator: " ") }

    /// The phrase's ``key(_:)``, plus the apart and together forms of hyphenated phrases.
    public static func variants(of phrase: String) -> [String] {
        let texts = QueryText(phrase).tokens.map(\.text)
        var result = [texts.joined(separator: " ")]
        if texts.contains("-") {
            result.append(texts.filter { $0 != "-" }.joined(separator: " "))
            result.append(texts.filter { $0 != "-" }.joined())
        }
        return result
    }
}
