import HuojuIndex

/// A parsed query (see docs/query-syntax.md).
public indirect enum QueryNode: Equatable, Sendable, CustomStringConvertible {
    /// Text that must stand as written (after folding) in one of `fields`: a CJK run, a
    /// quoted phrase, a Latin word. `text` is the original query text.
    case text(String, fields: [Field])
    /// A keyword field, matched whole after folding (`zone:`).
    case keyword(Field, String)
    /// `issue:N`: the issue number or the cumulative number.
    case issue(Int)
    /// `date:A..B`, yyyymmdd, either end open.
    case dateRange(from: Int32?, to: Int32?)
    case and([QueryNode])
    case or([QueryNode])
    case not(QueryNode)

    public var description: String {
        switch self {
        case .text(let text, let fields): fields == QueryParser.defaultFields ? "\"\(text)\"" : "\(fields.map(\.name).joined(separator: "|")):\"\(text)\""
        case .keyword(let field, let value): "\(field.name):=\(value)"
        case .issue(let number): "issue:\(number)"
        case .dateRange(let from, let to): "date:\(from.map(String.init) ?? "")..\(to.map(String.init) ?? "")"
        case .and(let children): "AND(" + children.map(\.description).joined(separator: " ") + ")"
        case .or(let children): "OR(" + children.map(\.description).joined(separator: " ") + ")"
        case .not(let child): "NOT(\(child))"
        }
    }
}

/// A malformed query: where (a character offset in the query) and what is wrong.
public struct QuerySyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    public var position: Int
    public var message: String

    public var description: String { "query error at character \(position + 1): \(message)" }
}
