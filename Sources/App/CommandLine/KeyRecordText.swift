import Accounts
import Foundation

/// How keys are printed: a table for people, JSON lines for scripts.
public enum KeyRecordText {
    public static func table(_ records: [KeyRecord]) -> String {
        let header = ["ID", "ACCOUNT", "PREFIX", "TIER", "ADMIN", "CREATED", "LAST USED", "STATUS"]
        let rows = records.map { record in
            [
                record.id, record.account, record.prefix + "…", record.tier.rawValue, record.isAdmin ? "yes" : "no",
                date(record.createdAt), record.lastUsedAt.map(date) ?? "-",
                record.revokedAt != nil ? "revoked" : (record.isActive() ? "active" : "expired"),
            ]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    public static func json(_ record: KeyRecord) -> String {
        let object: [String: Any] = [
            "id": record.id, "account": record.account, "prefix": record.prefix, "tier": record.tier.rawValue,
            "admin": record.isAdmin, "created_at": date(record.createdAt),
            "last_used_at": record.lastUsedAt.map(date) ?? NSNull(), "revoked_at": record.revokedAt.map(date) ?? NSNull(),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    private static func date(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
