import Foundation
import Search

/// `musicforge search`'s answer for people.
public enum SearchTable {
    /// A readable table: rank, score, BPM, key, energy, title, and why.
    public static func text(_ response: SearchResponse) -> String {
        var lines: [String] = []
        let header = ["#", "score", "bpm", "key", "energy", "source", "title", "why"]
        var rows = [header]
        for item in response.results {
            let analysis = item.analysis
            rows.append([
                String(item.rank), String(format: "%.3f", item.score), analysis?.bpm.map { String(format: "%.1f", $0) } ?? "–",
                analysis?.key?.camelot ?? "–", analysis.map { String(format: "%.2f", $0.energy) } ?? "–", item.track.source.rawValue,
                String(item.track.title.prefix(40)), item.pending ? "(analysis pending)" : item.explanation,
            ])
        }
        let widths = (0..<header.count - 1).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            let padded = row.enumerated().map { index, cell in
                index < widths.count ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0) : cell
            }
            lines.append(padded.joined(separator: "  "))
        }
        let sources = response.sources.filter { $0.status != .skipped }.map { outcome in
            outcome.status == .ok ? "\(outcome.name.rawValue) \(outcome.count)" : "\(outcome.name.rawValue) error: \(outcome.error ?? "")"
        }
        lines.append("")
        lines.append(
            "\(response.results.count) results · sources: \(sources.joined(separator: ", ")) · \(Int(response.timingMS["total"] ?? 0)) ms")
        return lines.joined(separator: "\n")
    }
}
