import AudioAnalysis
import Core
import MusicTheory

extension Filters {
    /// What "close to this track" means: its tempo ±4%, its key with Camelot neighbours welcome, its
    /// energy ±0.15, and the genres among its tags.
    public static func similar(to analysis: Analysis, tags: [String]) -> Filters {
        var filters = Filters(parser: .rules, confidence: 1)
        if let bpm = analysis.bpm {
            filters.bpm = NumericRange(min: (bpm * 0.96 * 10).rounded() / 10, max: (bpm * 1.04 * 10).rounded() / 10, target: bpm)
        }
        if let key = analysis.key?.musicalKey {
            filters.key = KeyFilter(key)
            filters.harmonic = true
        }
        filters.energy = NumericRange(
            min: max(0, analysis.energy - 0.15), max: min(1, analysis.energy + 0.15), target: analysis.energy)
        filters.genres = tags.filter { GenreVocabulary.named($0) != nil }
        return filters
    }
}
