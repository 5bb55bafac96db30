extension String {
    /// Whether PostgreSQL's `text` can hold this string: it cannot hold NUL, and a query that binds one is
    /// refused whole. A lookup by a string it cannot hold finds nothing, so callers answer "not found"
    /// without asking.
    public var fitsPostgresText: Bool { !utf8.contains(0) }
}
