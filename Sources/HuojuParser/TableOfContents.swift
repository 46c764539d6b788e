/// The newsletter's table of contents: `【section】` headings followed by article titles.
///
/// It is only a hint. Section names tell the body's bare section headings apart from titles;
/// titles help split an article whose `(供稿:…)` line is missing. The body title always wins.
struct TableOfContents: Sendable {
    private(set) var sections: [String] = []
    private(set) var titles: [String] = []
    /// `matchKey` of each title, taken once: every heading of the body is compared to all of them.
    private var titleKeys: [String] = []
    private var sectionKeys: [String: String] = [:]

    /// Bigram overlap above which a body heading is taken to be a TOC title.
    static let titleSimilarity = 0.75

    var isEmpty: Bool { sections.isEmpty && titles.isEmpty }

    /// The section a body line announces: a TOC section name repeated without brackets,
    /// or any line that is entirely `【…】`.
    func section(announcedBy line: String) -> String? {
        if let (name, rest) = Self.bracketed(line), rest.isEmpty { return name }
        return sectionKeys.isEmpty ? nil : sectionKeys[line.matchKey]
    }

    /// Index of the TOC title most similar to `text`, if similar enough.
    func titleIndex(matching text: String) -> Int? {
        let key = text.matchKey
        let scored = titleKeys.indices.map { ($0, Self.similarity(titleKeys[$0], key)) }
        guard let best = scored.max(by: { $0.1 < $1.1 }), best.1 >= Self.titleSimilarity else { return nil }
        return best.0
    }

    /// Scans the TOC starting right after the issue line. The TOC ends where the body repeats
    /// one of its sections (or titles); without such a repeat there is no TOC at all, except
    /// that `【…】` lines are then still taken as TOC up to the first title of the body.
    static func scan(_ lines: [Line], from start: Int) -> (toc: TableOfContents, bodyStart: Int) {
        var toc = TableOfContents()
        var i = start
        var sawBracket = false
        while i < lines.count {
            let text = lines[i].text
            if let (name, rest) = bracketed(text) {
                toc.addSection(name)
                if !rest.isEmpty { toc.addTitle(rest) }
                sawBracket = true
            } else if isSubtitle(text) {
                // `——国家高新区十年成就巡礼` belongs to the section above it.
            } else if sawBracket, case let key = text.matchKey, toc.sectionKeys[key] != nil || toc.titleKeys.contains(key) {
                return (toc, i)
            } else if lines[i].isHeading {
                toc.addTitle(text)
            } else {
                break
            }
            i += 1
        }
        guard sawBracket else { return (TableOfContents(), start) }
        // No repeat: the last plain heading before the first paragraph is the first body title.
        if i > start, i < lines.count, lines[i - 1].isHeading, bracketed(lines[i - 1].text) == nil,
           !isSubtitle(lines[i - 1].text) {
            toc.titles.removeLast()
            toc.titleKeys.removeLast()
            return (toc, i - 1)
        }
        return (toc, i)
    }

    /// `——副标题` (or `--`) lines hang under a heading.
    static func isSubtitle(_ text: String) -> Bool { text.hasPrefix("——") || text.hasPrefix("--") }

    /// `【name】 rest` → (name, rest).
    static func bracketed(_ text: String) -> (String, String)? {
        let s = text.unicodeScalars
        guard let open = s.first, open == "【" || open == "〖",
              let close = s.firstIndex(where: { $0 == "】" || $0 == "〗" }) else { return nil }
        let name = String(s[s.index(after: s.startIndex)..<close])
        let rest = String(s[s.index(after: close)...])
        let trimmedName = name.trimmingSpaces
        guard !trimmedName.isEmpty else { return nil }
        return (trimmedName, rest.trimmingSpaces)
    }

    private mutating func addTitle(_ title: String) {
        titles.append(title)
        titleKeys.append(title.matchKey)
    }

    private mutating func addSection(_ name: String) {
        sections.append(name)
        sectionKeys[name.matchKey] = name
    }

    /// Dice coefficient on character bigrams of two match keys.
    static func similarity(_ a: String, _ b: String) -> Double {
        if a == b { return 1 }
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        guard x.count > 1, y.count > 1 else { return 0 }
        var counts: [UInt64: Int] = [:]
        for k in 0..<(x.count - 1) { counts[UInt64(x[k].value) << 32 | UInt64(x[k + 1].value), default: 0] += 1 }
        var shared = 0
        for k in 0..<(y.count - 1) {
            let key = UInt64(y[k].value) << 32 | UInt64(y[k + 1].value)
            if let c = counts[key], c > 0 {
                counts[key] = c - 1
                shared += 1
            }
        }
        return 2 * Double(shared) / Double(x.count + y.count - 2)
    }
}

extension String {
    var trimmingSpaces: String {
        let s = unicodeScalars
        guard let lo = s.firstIndex(where: { !Punct.isSpace($0) }),
              let hi = s.lastIndex(where: { !Punct.isSpace($0) }) else { return "" }
        return String(s[lo...hi])
    }
}
