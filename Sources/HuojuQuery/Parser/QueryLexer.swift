/// One lexical token of a query, with its character offset for error messages.
struct LexToken: Equatable {
    enum Kind: Equatable {
        case word(String)
        case phrase(String)
        /// `name:value`, the name lowercased; the value is a word or a quoted phrase.
        case field(String, String, valuePosition: Int)
        case or, minus, openParen, closeParen

        var display: String {
            switch self {
            case .word(let text): "'\(text)'"
            case .phrase(let text): "\"\(text)\""
            case .field(let name, _, _): "field \(name):"
            case .or: "OR"
            case .minus: "'-'"
            case .openParen: "'('"
            case .closeParen: "')'"
            }
        }
    }

    var kind: Kind
    var position: Int
}

enum QueryLexer {
    static func isSpace(_ c: Character) -> Bool { c.isWhitespace }
    static func isQuote(_ c: Character) -> Bool { c == "\"" || c == "＂" || c == "“" || c == "”" }
    static func isBar(_ c: Character) -> Bool { c == "|" || c == "｜" }
    static func isOpen(_ c: Character) -> Bool { c == "(" || c == "（" }
    static func isClose(_ c: Character) -> Bool { c == ")" || c == "）" }
    static func isColon(_ c: Character) -> Bool { c == ":" || c == "：" }
    static func isMinus(_ c: Character) -> Bool { c == "-" || c == "－" }
    static let fieldNames: Set<String> = ["title", "body", "section", "source", "byline", "zone", "issue", "date"]

    static func tokenize(_ query: String) throws(QuerySyntaxError) -> [LexToken] {
        let characters = Array(query)
        var tokens: [LexToken] = []
        var i = 0

        func readQuoted(from start: Int) throws(QuerySyntaxError) -> (String, Int) {
            var j = start + 1
            while j < characters.count, !isQuote(characters[j]) { j += 1 }
            guard j < characters.count else { throw QuerySyntaxError(position: start, message: "unterminated quote") }
            return (String(characters[(start + 1)..<j]), j + 1)
        }
        func readBare(from start: Int) -> (String, Int) {
            var j = start
            while j < characters.count, !isSpace(characters[j]), !isQuote(characters[j]), !isBar(characters[j]),
                  !isOpen(characters[j]), !isClose(characters[j]) { j += 1 }
            return (String(characters[start..<j]), j)
        }

        while i < characters.count {
            let c = characters[i]
            if isSpace(c) { i += 1; continue }
            if isBar(c) { tokens.append(LexToken(kind: .or, position: i)); i += 1; continue }
            if isOpen(c) { tokens.append(LexToken(kind: .openParen, position: i)); i += 1; continue }
            if isClose(c) { tokens.append(LexToken(kind: .closeParen, position: i)); i += 1; continue }
            // At the start of a token, '-' excludes; inside a word ("2022-2030") it is text.
            if isMinus(c), i + 1 < characters.count, !isSpace(characters[i + 1]) {
                tokens.append(LexToken(kind: .minus, position: i)); i += 1; continue
            }
            if isQuote(c) {
                let (text, next) = try readQuoted(from: i)
                tokens.append(LexToken(kind: .phrase(text), position: i))
                i = next
                continue
            }
            let (word, next) = readBare(from: i)
            // `name:value` when the name is a plain ASCII word (an unknown one is an error);
            // a colon after Chinese text ("重庆高新区：…") is just text.
            if let colon = word.firstIndex(where: isColon), colon != word.startIndex,
               word[..<colon].allSatisfy({ $0.isASCII && $0.isLetter }) {
                let name = String(word[..<colon]).lowercased()
                guard fieldNames.contains(name) else {
                    throw QuerySyntaxError(position: i, message: "unknown field '\(name)' (fields: title, body, section, source, byline, zone, issue, date)")
                }
                let valueStart = i + word.distance(from: word.startIndex, to: colon) + 1
                if valueStart < characters.count, isQuote(characters[valueStart]), valueStart == next {
                    let (value, afterQuote) = try readQuoted(from: valueStart)
                    tokens.append(LexToken(kind: .field(name, value, valuePosition: valueStart), position: i))
                    i = afterQuote
                } else {
                    tokens.append(LexToken(kind: .field(name, String(word[word.index(after: colon)...]), valuePosition: valueStart), position: i))
                    i = next
                }
                continue
            }
            tokens.append(LexToken(kind: word == "OR" || word == "ＯＲ" ? .or : .word(word), position: i))
            i = next
        }
        return tokens
    }
}
