import Testing
@testable import HuojuIndex
@testable import HuojuQuery

@Suite struct QueryParserTests {
    @Test func plainPartsAreANDedPhrases() throws {
        #expect(try QueryParser.parse("科研助理") == .text("科研助理", fields: [.title, .body]))
        #expect(try QueryParser.parse("高新区 人才") == .and([.text("高新区", fields: [.title, .body]), .text("人才", fields: [.title, .body])]))
        // An ideographic space separates parts too.
        #expect(try QueryParser.parse("高新区　人才") == QueryParser.parse("高新区 人才"))
    }

    @Test func operatorsFieldsAndGroups() throws {
        let t = { (text: String) in QueryNode.text(text, fields: [.title, .body]) }
        #expect(try QueryParser.parse("孵化器 OR 众创空间") == .or([t("孵化器"), t("众创空间")]))
        #expect(try QueryParser.parse("孵化器|众创空间") == .or([t("孵化器"), t("众创空间")]))
        #expect(try QueryParser.parse("人才 -招聘") == .and([t("人才"), .not(t("招聘"))]))
        #expect(try QueryParser.parse("\"R&D 投入\"") == t("R&D 投入"))
        #expect(try QueryParser.parse("title:科研助理") == .text("科研助理", fields: [.title]))
        #expect(try QueryParser.parse("title:\"国家 高新区\"") == .text("国家 高新区", fields: [.title]))
        #expect(try QueryParser.parse("zone：苏州高新区") == .keyword(.zone, "苏州高新区"))
        #expect(try QueryParser.parse("issue:542") == .issue(542))
        #expect(try QueryParser.parse("date:2022-07-01..2022-08-31") == .dateRange(from: 20220701, to: 20220831))
        #expect(try QueryParser.parse("date:..2022-08-31") == .dateRange(from: nil, to: 20220831))
        #expect(try QueryParser.parse("date:2022-07-01..") == .dateRange(from: 20220701, to: nil))
        #expect(try QueryParser.parse("(孵化器 OR 众创空间) 人才") == .and([.or([t("孵化器"), t("众创空间")]), t("人才")]))
        #expect(try QueryParser.parse("2022-2030年") == t("2022-2030年"))
    }

    @Test(arguments: [
        ("\"科研助理", 0, "unterminated quote"),
        ("(人才", 0, "unbalanced '('"),
        ("人才)", 2, "unbalanced ')'"),
        ("人才 OR", 3, "OR needs a part"),
        ("OR 人才", 0, "OR needs a part"),
        ("-人才", 0, "not excluded"),
        ("date:2022-13-01", 5, "not a date"),
        ("issue:abc", 6, "issue: takes a number"),
        ("color:red", 0, "unknown field"),
        ("，，。", 0, "no searchable characters"),
        ("", 0, "empty query"),
        ("()", 1, "empty group"),
    ])
    func malformedQueriesNameThePositionAndTheProblem(query: String, position: Int, message: String) {
        #expect {
            try QueryParser.parse(query)
        } throws: { error in
            guard let error = error as? QuerySyntaxError else { return false }
            return error.position == position && error.message.contains(message)
        }
    }

    /// Positions count characters as the user sees them (grapheme clusters, docs/query-syntax.md):
    /// an astral ideograph, a letter with its combining marks and a CRLF are one character each,
    /// not two UTF-16 units or several scalars.
    @Test(arguments: [
        ("𠀀𠀁 人才)", 5, "unbalanced ')'"),
        ("e\u{301}\u{302} \"人才", 2, "unterminated quote"),
        ("人才\r\nOR", 3, "OR needs a part"),
        ("𠀀\r\n(人才", 2, "unbalanced '('"),
        ("Ａ\u{308}𠀀 date:2022-13-01", 8, "not a date"),
    ])
    func errorPositionsCountUserPerceivedCharacters(query: String, position: Int, message: String) {
        #expect {
            try QueryParser.parse(query)
        } throws: { error in
            guard let error = error as? QuerySyntaxError else { return false }
            return error.position == position && error.message.contains(message) && error.description.hasPrefix("query error at character \(position + 1):")
        }
    }

    /// The limits' edges: 32 levels of groups and 4,096 characters are accepted, one more is not,
    /// and the error names the first character beyond the limit.
    @Test func depthAndLengthLimitsAreExact() throws {
        func nested(_ depth: Int) -> String { String(repeating: "(", count: depth) + "人才" + String(repeating: ")", count: depth) }
        #expect(try QueryParser.parse(nested(32)) == .text("人才", fields: [.title, .body]))
        #expect {
            try QueryParser.parse(nested(33))
        } throws: { error in
            (error as? QuerySyntaxError).map { $0.position == 32 && $0.message.contains("deeper than 32") } ?? false
        }
        for unit in ["人", "𠀀", "e\u{301}"] {
            #expect(throws: Never.self, "4,096 × \(unit.debugDescription)") { try QueryParser.parse(String(repeating: unit, count: 4096)) }
            #expect {
                try QueryParser.parse(String(repeating: unit, count: 4097))
            } throws: { error in
                (error as? QuerySyntaxError).map { $0.position == 4096 && $0.message.contains("longer than 4096") } ?? false
            }
        }
    }

    @Test func deepNestingAndHugeQueriesAreRefusedNotCrashing() {
        let deep = String(repeating: "(", count: 10_000) + "人才" + String(repeating: ")", count: 10_000)
        #expect(throws: QuerySyntaxError.self) { try QueryParser.parse(deep) }
        #expect(throws: QuerySyntaxError.self) { try QueryParser.parse(String(repeating: "科研", count: 5_000)) }
        #expect(throws: QuerySyntaxError.self) { try QueryParser.parse(String(repeating: "(", count: 40)) }
    }
}
