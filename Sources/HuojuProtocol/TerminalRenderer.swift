/// Renders search replies for people at a terminal; shared by `huoju` and `huojud search`
/// so both show the same thing.
public struct TerminalRenderer: Sendable {
    public var color: Bool

    public init(color: Bool) { self.color = color }

    func style(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    /// Marks the spans (Unicode-scalar offsets) of `text`: colored on a terminal, 【】 otherwise.
    public func highlight(_ text: String, _ spans: [[Int]]) -> String {
        let scalars = Array(text.unicodeScalars)
        var result = ""
        var cursor = 0
        for span in spans where span.count == 2 && span[0] >= cursor && span[0] < span[1] && span[1] <= scalars.count {
            result.unicodeScalars.append(contentsOf: scalars[cursor..<span[0]])
            var marked = String.UnicodeScalarView()
            marked.append(contentsOf: scalars[span[0]..<span[1]])
            result += color ? style(String(marked), "1;31") : "【" + String(marked) + "】"
            cursor = span[1]
        }
        result.unicodeScalars.append(contentsOf: scalars[cursor...])
        return result
    }

    public func render(_ result: SearchResult, offset: Int = 0) -> String {
        var lines: [String] = []
        if let groups = result.groups {
            for (index, group) in groups.enumerated() {
                let primary = group.primary > 0 ? ", \(group.primary) about it" : ""
                lines.append(style("\(offset + index + 1). \(group.zone)", "1;36") + (group.unlisted ? style(" (unlisted)", "2") : "")
                             + style("  score \(formatScore(group.score)) · \(group.articles) article\(group.articles == 1 ? "" : "s")\(primary)", "2"))
                for hit in group.hits { lines += render(hit, label: "  -", indent: "     ") }
            }
        }
        for (index, hit) in result.hits.enumerated() { lines += render(hit, label: "\(offset + index + 1).", indent: "   ") }
        let partial = result.partialTotal > 0 ? " (+\(result.partialTotal) partial)" : ""
        lines.append("\(result.totalIsExact ? "" : "at least ")\(result.total) matching article\(result.total == 1 ? "" : "s")\(partial) in \(formatScore(result.tookMs)) ms")
        if let facets = result.facets, let line = facetLine(facets) { lines.append(line) }
        return lines.joined(separator: "\n")
    }

    /// One line of zone counts: `zones: 苏州高新区 3 (1 about it) · 光谷… · +4 more`.
    func facetLine(_ facets: SearchFacets, shown: Int = 8) -> String? {
        guard !facets.zones.isEmpty else { return nil }
        var parts = facets.zones.prefix(shown).map { facet in
            "\(facet.zone) \(facet.articles)" + (facet.primary > 0 ? " (\(facet.primary) about it)" : "")
        }
        let more = facets.moreZones + max(0, facets.zones.count - shown)
        if more > 0 { parts.append("+\(more) more") }
        return style("zones: " + parts.joined(separator: " · "), "36")
    }

    private func render(_ hit: SearchHit, label: String, indent: String) -> [String] {
        var lines: [String] = []
        let title = hit.title.isEmpty ? "(untitled)" : highlight(hit.title, hit.titleHighlights)
        let partial = hit.partial ? style(" [partial]", "2") : ""
        lines.append(style(label, "1") + " " + style(title, "1") + partial + style("  score \(formatScore(hit.score))", "2"))
        var facts: [String] = []
        if let issue = hit.issue { facts.append(issue + (hit.date.map { " · \($0)" } ?? "")) } else if let date = hit.date { facts.append(date) }
        if let section = hit.section { facts.append(section) }
        if let source = hit.source { facts.append("供稿: \(source)") }
        if !hit.zones.isEmpty {
            facts.append("zones: " + hit.zones.map { $0 == hit.primaryZone ? "\($0) (primary)" : $0 }.joined(separator: ", "))
        }
        if !facts.isEmpty { lines.append(indent + style(facts.joined(separator: " | "), "36")) }
        lines.append(indent + highlight(hit.snippet, hit.highlights))
        lines.append(indent + style(hit.path, "2"))
        for entry in hit.explain ?? [] {
            lines.append(indent + "  " + style("\(entry.kind.rawValue) \(entry.text) in \(entry.field): tf=\(entry.tf) df=\(entry.docFreq) N=\(entry.docCount) dl=\(entry.length) avgdl=\(formatScore(entry.averageLength)) boost=\(formatScore(entry.boost)) idf=\(formatScore(entry.idf)) → \(formatScore(entry.score))", "2"))
        }
        return lines
    }

    /// Four significant decimals without Foundation's formatter (the client avoids Foundation).
    func formatScore(_ value: Double) -> String {
        let scaled = (value * 10_000).rounded()
        guard scaled.isFinite, abs(scaled) < 1e15 else { return "\(value)" }
        let integer = Int(scaled)
        let sign = integer < 0 ? "-" : ""
        let magnitude = abs(integer)
        var fraction = String(magnitude % 10_000)
        while fraction.count < 4 { fraction = "0" + fraction }
        return "\(sign)\(magnitude / 10_000).\(fraction)"
    }
}
