import HuojuIndex
import HuojuText

/// Parses the query syntax of docs/query-syntax.md into a `QueryNode`.
///
///     query   := clause+                      (clauses are ANDed)
///     clause  := unary (("OR" | "|") unary)*
///     unary   := "-" unary | primary
///     primary := "(" query ")" | FIELD ":" value | "\"" text "\"" | word
///
/// Full-width forms of the operators are accepted (`｜`, `（）`, `：`, `－`, `“”`, U+3000), so a
/// query typed with a Chinese input method means the same as its ASCII spelling.
public struct QueryParser {
    public static let defaultFields: [Field] = [.title, .body]
    static let maximumDepth = 32
    static let maximumLength = 4096

    private var tokens: [LexToken] = []
    private var index = 0
    private var depth = 0

    public static func parse(_ query: String) throws(QuerySyntaxError) -> QueryNode {
        guard query.count <= maximumLength else {
            throw QuerySyntaxError(position: maximumLength, message: "query longer than \(maximumLength) characters")
        }
        var parser = QueryParser()
        parser.tokens = try QueryLexer.tokenize(query)
        guard !parser.tokens.isEmpty else { throw QuerySyntaxError(position: 0, message: "empty query") }
        let node = try parser.parseQuery(until: nil)
        if parser.index < parser.tokens.count {
            let token = parser.tokens[parser.index]
            throw QuerySyntaxError(position: token.position, message: "unexpected \(token.kind.display)")
        }
        guard node.hasPositiveClause else {
            throw QuerySyntaxError(position: 0, message: "a query needs at least one part that is not excluded with -")
        }
        return node
    }

    private mutating func parseQuery(until closing: LexToken.Kind?) throws(QuerySyntaxError) -> QueryNode {
        var clauses: [QueryNode] = []
        while index < tokens.count {
            if let closing, tokens[index].kind == closing { break }
            if tokens[index].kind == .closeParen {
                throw QuerySyntaxError(position: tokens[index].position, message: "unbalanced ')'")
            }
            clauses.append(try parseClause())
        }
        if clauses.isEmpty {
            throw QuerySyntaxError(position: index < tokens.count ? tokens[index].position : 0, message: "empty group")
        }
        return clauses.count == 1 ? clauses[0] : .and(clauses)
    }

    private mutating func parseClause() throws(QuerySyntaxError) -> QueryNode {
        var alternatives = [try parseUnary()]
        while index < tokens.count, tokens[index].kind == .or {
            let operatorToken = tokens[index]
            index += 1
            guard index < tokens.count, tokens[index].kind != .closeParen, tokens[index].kind != .or else {
                throw QuerySyntaxError(position: operatorToken.position, message: "OR needs a part on both sides")
            }
            alternatives.append(try parseUnary())
        }
        return alternatives.count == 1 ? alternatives[0] : .or(alternatives)
    }

    private mutating func parseUnary() throws(QuerySyntaxError) -> QueryNode {
        let token = tokens[index]
        switch token.kind {
        case .minus:
            index += 1
            guard index < tokens.count, tokens[index].kind != .closeParen, tokens[index].kind != .or else {
                throw QuerySyntaxError(position: token.position, message: "'-' must stand right before the part to exclude")
            }
            return .not(try parseUnary())
        case .or:
            throw QuerySyntaxError(position: token.position, message: "OR needs a part on both sides")
        default:
            return try parsePrimary()
        }
    }

    private mutating func parsePrimary() throws(QuerySyntaxError) -> QueryNode {
        let token = tokens[index]
        index += 1
        switch token.kind {
        case .openParen:
            depth += 1
            guard depth <= Self.maximumDepth else {
                throw QuerySyntaxError(position: token.position, message: "groups nested deeper than \(Self.maximumDepth)")
            }
            let inner = try parseQuery(until: .closeParen)
            guard index < tokens.count, tokens[index].kind == .closeParen else {
                throw QuerySyntaxError(position: token.position, message: "unbalanced '(': no matching ')'")
            }
            index += 1
            depth -= 1
            return inner
        case .phrase(let text):
            return try textNode(text, fields: Self.defaultFields, at: token.position)
        case .word(let text):
            return try textNode(text, fields: Self.defaultFields, at: token.position)
        case .field(let name, let value, let valuePosition):
            return try fieldNode(name, value, at: token.position, valuePosition: valuePosition)
        default:
            throw QuerySyntaxError(position: token.position, message: "unexpected \(token.kind.display)")
        }
    }

    private func textNode(_ text: String, fields: [Field], at position: Int) throws(QuerySyntaxError) -> QueryNode {
        guard text.unicodeScalars.contains(where: { Analyzer.isCJK($0) || $0.properties.isAlphabetic || $0.properties.numericType != nil }) else {
            throw QuerySyntaxError(position: position, message: "'\(text)' has no searchable characters (only punctuation or symbols)")
        }
        return .text(text, fields: fields)
    }

    private func fieldNode(_ name: String, _ value: String, at position: Int, valuePosition: Int) throws(QuerySyntaxError) -> QueryNode {
        guard !value.isEmpty else { throw QuerySyntaxError(position: valuePosition, message: "\(name): needs a value") }
        switch name {
        case "title": return try textNode(value, fields: [.title], at: valuePosition)
        case "body": return try textNode(value, fields: [.body], at: valuePosition)
        case "section": return try textNode(value, fields: [.section], at: valuePosition)
        case "source": return try textNode(value, fields: [.source], at: valuePosition)
        case "byline": return try textNode(value, fields: [.byline], at: valuePosition)
        case "zone": return .keyword(.zone, value)
        case "issue":
            guard let number = Int(value), number >= 0, number < 1_000_000 else {
                throw QuerySyntaxError(position: valuePosition, message: "issue: takes a number, e.g. issue:542")
            }
            return .issue(number)
        case "date":
            return try Self.dateRange(value, at: valuePosition)
        default:
            preconditionFailure("the lexer only produces known field names")
        }
    }

    /// `2022-07-01..2022-08-31`, `2022-07-01..`, `..2022-08-31`, or one day `2022-08-15`.
    static func dateRange(_ value: String, at position: Int) throws(QuerySyntaxError) -> QueryNode {
        let parts = value.components(separatedBy: "..")
        guard parts.count <= 2 else { throw QuerySyntaxError(position: position, message: "date: takes A..B") }
        func day(_ text: String, offset: Int) throws(QuerySyntaxError) -> Int32? {
            if text.isEmpty { return nil }
            let fields = text.split(separator: "-", omittingEmptySubsequences: false)
            guard fields.count == 3, let y = Int32(fields[0]), let m = Int32(fields[1]), let d = Int32(fields[2]),
                  (1...9999).contains(y), (1...12).contains(m), (1...31).contains(d) else {
                throw QuerySyntaxError(position: position + offset, message: "'\(text)' is not a date like 2022-08-15")
            }
            return y * 10_000 + m * 100 + d
        }
        if parts.count == 1 {
            let single = try day(parts[0], offset: 0)
            return .dateRange(from: single, to: single)
        }
        let from = try day(parts[0], offset: 0), to = try day(parts[1], offset: parts[0].count + 2)
        guard from != nil || to != nil else { throw QuerySyntaxError(position: position, message: "date: needs at least one end") }
        if let from, let to, from > to { throw QuerySyntaxError(position: position, message: "date range ends before it starts") }
        return .dateRange(from: from, to: to)
    }
}

extension QueryNode {
    /// True when some part must match (not only exclusions).
    var hasPositiveClause: Bool {
        switch self {
        case .not: false
        case .and(let children): children.contains { $0.hasPositiveClause }
        case .or(let children): children.allSatisfy { $0.hasPositiveClause }
        default: true
        }
    }
}
