import Accounts
import Foundation

/// Usage reports for billing dashboards: the caller's account, or any account for an admin.
extension APIHandlers {
    func getUsage(_ input: Operations.GetUsage.Input) async throws -> Operations.GetUsage.Output {
        let caller = try Self.principal()
        let report = try await usageReport(
            accountID: caller.accountID, account: caller.account, from: input.query.from, to: input.query.to,
            groupBy: input.query.groupBy?.rawValue)
        return .ok(.init(body: .json(report)))
    }

    func getAdminUsage(_ input: Operations.GetAdminUsage.Input) async throws -> Operations.GetAdminUsage.Output {
        guard let accountID = try await dependencies.usage.accountID(named: input.query.account) else {
            throw APIError.notFound("There is no account \(input.query.account).")
        }
        let report = try await usageReport(
            accountID: accountID, account: input.query.account, from: input.query.from, to: input.query.to,
            groupBy: input.query.groupBy?.rawValue)
        return .ok(.init(body: .json(report)))
    }

    private func usageReport(accountID: Int64, account: String, from: String?, to: String?, groupBy: String?) async throws
        -> Components.Schemas.UsageReport
    {
        let range = try UsageRange(from: from, to: to)
        let grouping = groupBy.flatMap(UsageStore.Grouping.init(rawValue:)) ?? .day
        let rows = try await dependencies.usage.report(accountID: accountID, from: range.from, to: range.to, groupBy: grouping)
        return .init(
            account: account, from: UsageRange.format(range.from), to: UsageRange.format(range.to),
            groupBy: .init(rawValue: grouping.rawValue)!,
            rows: rows.map { .init(group: $0.group, requests: $0.requests, cost: $0.cost) },
            total: .init(requests: rows.reduce(0) { $0 + $1.requests }, cost: rows.reduce(0) { $0 + $1.cost }))
    }
}

/// The `[from, to)` of a usage report: dates (`2026-11-24`, whole UTC days, `to` included) or RFC 3339
/// date-times (`to` excluded). Without either: the current UTC day.
///
/// As openapi.yaml states it: a value not of those shapes is a 400; one of those shapes that is no real
/// day or time, and a period that does not run forwards or is longer than ``maximumDays``, are 422.
struct UsageRange {
    var from: Date
    var to: Date

    static let maximumDays = 366

    init(from: String?, to: String?, now: Date = Date()) throws {
        let today = Self.startOfDay(now)
        self.from = try from.map { try Self.parse($0, field: "from", endOfDay: false) } ?? today
        self.to = try to.map { try Self.parse($0, field: "to", endOfDay: true) } ?? today.addingTimeInterval(86_400)
        guard self.from < self.to else {
            throw APIError(
                .unprocessableContent, message: "`from` must be before `to`.",
                details: ["from": .string(from ?? ""), "to": .string(to ?? "")])
        }
        guard self.to.timeIntervalSince(self.from) <= Double(Self.maximumDays) * 86_400 else {
            throw APIError(.unprocessableContent, message: "A usage report spans at most \(Self.maximumDays) days.")
        }
    }

    /// openapi.yaml's pattern for `from` and `to`, digits in ASCII only. Immutable once built, so safe
    /// to share (a `Regex` is not marked `Sendable`).
    nonisolated(unsafe) private static let shape =
        /[0-9]{4}-[0-9]{2}-[0-9]{2}(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?/

    private static func parse(_ text: String, field: String, endOfDay: Bool) throws -> Date {
        guard text.wholeMatch(of: shape) != nil else {
            throw APIError.invalidRequest(
                "`\(field)` is not a date: use 2026-11-24 or 2026-11-24T10:00:00Z.",
                details: ["field": .string(field), "value": .string(text)])
        }
        // The date parser would roll February 30 over into March: the day must come back as written.
        let dayText = String(text.prefix(10))
        if let day = try? Date(dayText + "T00:00:00Z", strategy: .iso8601), format(day).hasPrefix(dayText) {
            if text.count == 10 { return endOfDay ? day.addingTimeInterval(86_400) : day }
            if let date = try? Date(text, strategy: .iso8601) { return date }
            if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        }
        throw APIError(
            .unprocessableContent, message: "`\(field)` is no real day or time: \(text).",
            details: ["field": .string(field), "value": .string(text)])
    }

    static func startOfDay(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
    }

    static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
