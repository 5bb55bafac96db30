@testable import Database
import Testing

@testable import Platform

@Suite struct SQLScriptTests {
    @Test func splitsOnSemicolonsOutsideQuotesCommentsAndDollarBodies() {
        let sql = """
            -- a comment; with a semicolon
            CREATE TABLE a (x text DEFAULT 'it''s; fine');
            /* block; comment */ CREATE TABLE "odd;name" (y int);
            CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql;
            SELECT $$a;b$$;

            """
        #expect(
            SQLScript.statements(in: sql) == [
                "CREATE TABLE a (x text DEFAULT 'it''s; fine')",
                "CREATE TABLE \"odd;name\" (y int)",
                "CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql",
                "SELECT $$a;b$$",
            ])
    }

    @Test func positionalParametersAreNotDollarQuotes() {
        #expect(SQLScript.statements(in: "SELECT $1; SELECT 2") == ["SELECT $1", "SELECT 2"])
    }

    @Test func theInitialMigrationHasItsStatements() {
        let statements = SQLScript.statements(in: Migration.all[0].sql)
        #expect(statements.filter { $0.hasPrefix("CREATE TABLE") }.count == 5)
        #expect(statements.allSatisfy { !$0.contains("--") })
    }
}
