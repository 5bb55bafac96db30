/// Genres the rule parser knows, their other spellings, and the BPM range a query means when it
/// names the genre and no tempo (README lists them). Names are lower case; the ten genres of the demo
/// library are spelled as its folders are.
public struct GenreVocabulary: Sendable {
    public let name: String
    public let aliases: [String]
    /// The typical tempo of the genre; nil for genres without one (classical, cinematic).
    public let defaultBPM: ClosedRange<Double>?

    /// The genre called `name`, if known.
    public static func named(_ name: String) -> GenreVocabulary? { byName[name] }

    private static let byName = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

    public static let all: [GenreVocabulary] = [
        .init("techno", ["tekno", "techno music"], 125...135),
        .init("melodic techno", ["melodic-techno"], 120...126),
        .init("minimal", ["minimal techno", "minimal house"], 120...128),
        .init("house", ["house music"], 118...128),
        .init("deep house", ["deephouse", "deep-house"], 115...124),
        .init("tech house", ["tech-house", "techhouse"], 122...128),
        .init("progressive house", ["prog house", "progressive"], 122...130),
        .init("afro house", ["afro-house", "afrohouse"], 118...124),
        .init("electro house", ["electro-house", "big room", "bigroom", "edm"], 124...130),
        .init(
            "drum-and-bass",
            ["drum and bass", "drum & bass", "drum n bass", "drumnbass", "dnb", "d&b", "drum&bass", "liquid dnb", "neurofunk"], 160...178),
        .init("jungle", ["junglist"], 160...175),
        .init("hip-hop", ["hip hop", "hiphop", "hip-hop music", "rap", "boom bap", "boom-bap", "old school hip hop"], 80...100),
        .init("trap", ["trap music"], 130...150),
        .init("drill", ["uk drill", "drill music"], 138...145),
        .init("phonk", ["drift phonk"], 130...150),
        .init("trance", ["uplifting trance", "vocal trance"], 132...140),
        .init("psytrance", ["psy trance", "psy-trance", "psy", "goa", "goa trance"], 138...148),
        .init("dubstep", ["brostep", "riddim"], 138...142),
        .init("lo-fi", ["lo fi", "lofi", "low fi", "lo-fi hip hop", "lofi hip hop", "chillhop", "lo-fi beats", "lofi beats"], 70...90),
        .init("disco", ["disco music"], 110...124),
        .init("nu-disco", ["nu disco", "nudisco", "disco house"], 115...125),
        .init("funk", ["funk music", "p-funk"], 95...120),
        .init("reggaeton", ["regueton", "reggaetón", "dembow", "perreo"], 88...100),
        .init("dancehall", [], 90...105),
        .init("afrobeats", ["afrobeat", "afro beats", "afropop"], 95...115),
        .init("amapiano", ["piano house sa", "log drum"], 110...115),
        .init("ambient", ["ambient music", "dark ambient"], 70...96),
        .init("downtempo", ["down tempo", "down-tempo", "trip hop", "trip-hop", "triphop"], 80...110),
        .init("r&b", ["rnb", "r and b", "r n b", "rhythm and blues", "randb"], 65...95),
        .init("uk-garage", ["uk garage", "ukg", "garage", "2-step", "2 step", "two step", "2step", "speed garage"], 128...136),
        .init("breakbeat", ["breaks", "big beat", "breakbeats"], 125...140),
        .init("electro", ["electro funk"], 120...130),
        .init("hardstyle", ["hard style", "rawstyle"], 145...160),
        .init("hardcore", ["happy hardcore", "gabber", "gabba"], 160...200),
        .init("synthwave", ["retrowave", "outrun", "synth wave", "darksynth", "vaporwave"], 80...118),
        .init("soul", ["neo soul", "neo-soul", "neosoul", "motown"], 70...100),
        .init("jazz", ["jazzy", "jazz music", "nu jazz", "acid jazz"], 80...140),
        .init("pop", ["pop music", "synthpop", "synth pop", "synth-pop", "dance pop", "dance-pop", "electropop"], 95...130),
        .init("rock", ["rock music", "indie rock", "alt rock", "alternative rock", "punk rock"], 100...150),
        .init("metal", ["heavy metal", "metalcore", "death metal"], 100...180),
        .init("indie", ["indie pop", "indie dance"], 100...130),
        .init("reggae", ["roots reggae", "dub"], 65...90),
        .init("latin", ["salsa", "bachata", "cumbia"], 90...130),
        .init("country", ["country music"], 80...130),
        .init("folk", ["folk music", "indie folk"], 80...120),
        .init("classical", ["classical music", "baroque", "orchestral"], nil),
        .init("cinematic", ["soundtrack", "film score", "epic orchestral", "trailer music"], nil),
        .init("chillout", ["chill out", "chill-out", "lounge"], 80...110),
        .init("future bass", ["future-bass"], 130...160),
        .init("grime", [], 138...142),
        .init("footwork", ["juke"], 155...165),
        .init("electronica", ["idm", "electronic"], 100...130),
        .init("acoustic", ["unplugged", "acoustic music"], nil),
    ]

    init(_ name: String, _ aliases: [String], _ defaultBPM: ClosedRange<Double>?) {
        self.name = name
        self.aliases = aliases
        self.defaultBPM = defaultBPM
    }
}

/// Moods the rule parser knows, their synonyms, and the energy each hints at.
public struct MoodVocabulary: Sendable {
    public let name: String
    public let aliases: [String]
    /// The energy range (0…1) the mood suggests; nil when it says nothing about energy ("dark").
    public let energy: ClosedRange<Double>?

    public static let all: [MoodVocabulary] = [
        .init("dark", ["darker", "moody", "sinister", "ominous", "gloomy", "brooding", "spooky", "eerie", "haunting", "menacing"], nil),
        .init("driving", ["pounding", "relentless", "propulsive"], 0.6...1),
        .init("hypnotic", ["trippy", "psychedelic", "mesmerizing", "mesmerising", "repetitive"], 0.4...0.8),
        .init("aggressive", ["angry", "hard", "harder", "fierce", "brutal", "intense", "violent", "rage"], 0.7...1),
        .init(
            "energetic", ["energy", "energizing", "energising", "hype", "hyped", "pumping", "banging", "upbeat", "lively", "powerful"],
            0.7...1),
        .init("groovy", ["groove", "grooves", "bouncy", "bouncing", "swinging"], 0.45...0.8),
        .init("uplifting", ["inspiring", "inspirational", "anthemic", "hopeful", "positive", "motivational", "motivating"], 0.55...0.9),
        .init("happy", ["joyful", "cheerful", "feel good", "feel-good", "feelgood", "fun", "sunny", "bright", "playful"], 0.5...0.9),
        .init("warm", ["cozy", "cosy", "soulful", "lush"], 0.3...0.7),
        .init(
            "chill",
            [
                "chilled", "chilled out", "chilling", "chillin", "laid back", "laid-back", "laidback", "mellow", "easy going", "easygoing",
                "smooth",
            ], 0...0.45),
        .init(
            "melancholic",
            ["melancholy", "sad", "emotional", "somber", "sombre", "bittersweet", "wistful", "heartbreak", "depressing", "lonely"],
            0.1...0.5),
        .init("confident", ["swagger", "boss", "cocky", "bold"], 0.5...0.85),
        .init("gritty", ["raw", "dirty", "grimy", "gnarly", "filthy", "rough"], 0.5...0.9),
        .init("euphoric", ["euphoria", "ecstatic", "blissful", "festival"], 0.65...1),
        .init("dreamy", ["ethereal", "atmospheric", "floaty", "spacey", "spacy", "hazy", "airy", "lush pads"], 0.1...0.5),
        .init("heavy", ["massive", "huge", "crushing", "weighty"], 0.7...1),
        .init("nostalgic", ["vintage", "throwback", "old school", "old-school", "retro"], 0.2...0.6),
        .init("relaxed", ["relaxing", "relax", "calming down", "unwind", "unwinding", "lazy"], 0...0.4),
        .init("funky", ["funkier"], 0.5...0.85),
        .init("sensual", ["sexy", "seductive", "sultry", "steamy"], 0.3...0.65),
        .init("romantic", ["love", "loving", "tender"], 0.2...0.6),
        .init("calm", ["calming", "soothing", "gentle", "soft", "quiet", "tranquil"], 0...0.35),
        .init("peaceful", ["serene", "peace", "zen", "meditative"], 0...0.3),
        .init("epic", ["grand", "heroic", "triumphant"], 0.6...1),
        .init("mysterious", ["mystery", "mystical", "enigmatic", "suspenseful", "tense"], 0.2...0.6),
    ]

    init(_ name: String, _ aliases: [String], _ energy: ClosedRange<Double>?) {
        self.name = name
        self.aliases = aliases
        self.energy = energy
    }

    /// The mood called `name`, if known.
    public static func named(_ name: String) -> MoodVocabulary? { byName[name] }

    private static let byName = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
}
