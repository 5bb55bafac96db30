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
struct UsageRange {
    var from: Date
    var to: Date

    static let maximumDays = 366

    init(from: String?, to: String?, now: Date = Date()) throws {
        let today = Self.startOfDay(now)
        self.from = try from.map { try Self.parse($0, field: "from", endOfDay: false) } ?? today
        self.to = try to.map { try Self.parse($0, field: "to", endOfDay: true) } ?? today.addingTimeInterval(86_400)
        guard self.from < self.to else {
            throw APIError.invalidRequest("`from` must be before `to`.", details: ["from": .string(from ?? ""), "to": .string(to ?? "")])
        }
        guard self.to.timeIntervalSince(self.from) <= Double(Self.maximumDays) * 86_400 else {
            throw APIError.invalidRequest("A usage report spans at most \(Self.maximumDays) days.")
        }
    }

    private static func parse(_ text: String, field: String, endOfDay: Bool) throws -> Date {
        // Strict shapes first: the date parser would roll 25:00 or February 30 over into the next day.
        if text.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) != nil, let day = try? Date(text + "T00:00:00Z", strategy: .iso8601),
            format(day).hasPrefix(text)
        {
            return endOfDay ? day.addingTimeInterval(86_400) : day
        }
        if text.wholeMatch(of: /\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)/) != nil,
            format(Self.startOfDay((try? Date(String(text.prefix(10)) + "T00:00:00Z", strategy: .iso8601)) ?? .distantPast)).hasPrefix(
                String(text.prefix(10)))
        {
            if let date = try? Date(text, strategy: .iso8601) { return date }
            if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        }
        throw APIError.invalidRequest(
            "`\(field)` is not a date: use 2026-11-24 or 2026-11-24T10:00:00Z.", details: ["field": .string(field), "value": .string(text)])
    }

    static func startOfDay(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
    }

    static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
