/// Renders zone rankings for people. With `bars` (on a terminal), each zone's score is drawn as
/// a horizontal bar beside its name, counts and best article, so the ranking reads at a glance:
///
///      1. 苏州高新区      ████████████████████  8.21  2 articles, 1 about it  苏州高新区:千名应届毕业生…
///      2. 枣庄高新区      ██████████████▍       5.93  1 article, 1 about it   “科技创业带动高质量就业行动”…
///
/// Columns are counted as a terminal shows them (CJK and full-width characters take two).
public struct ZonesRenderer: Sendable {
    public var color: Bool
    public var bars: Bool
    /// Terminal width in columns; lines are cut to fit.
    public var width: Int

    static let barCells = 20
    static let maximumNameColumns = 24
    static let eighths: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    public init(color: Bool, bars: Bool, width: Int = 100) {
        self.color = color
        self.bars = bars
        self.width = max(40, width)
    }

    private var terminal: TerminalRenderer { TerminalRenderer(color: color) }

    public func render(_ result: ZonesResult) -> String {
        guard !result.zones.isEmpty else {
            return "no zone is named by the \(result.total) matching article\(result.total == 1 ? "" : "s")"
        }
        let nameColumns = min(Self.maximumNameColumns, result.zones.map { DisplayWidth.of($0.zone) }.max() ?? 0)
        let top = result.zones.map(\.score).max() ?? 0
        let rankColumns = String(result.zones.count).count
        var lines: [String] = []
        for (index, zone) in result.zones.enumerated() {
            let rank = DisplayWidth.pad(String(index + 1), to: rankColumns, leading: true) + "."
            let name = DisplayWidth.pad(DisplayWidth.truncate(zone.zone, to: nameColumns), to: nameColumns)
            let counts = "\(zone.articles) article\(zone.articles == 1 ? "" : "s")" + (zone.primary > 0 ? ", \(zone.primary) about it" : "")
                + (zone.unlisted ? " (unlisted)" : "")
            let title = zone.best.title.isEmpty ? "(untitled)" : zone.best.title
            if bars {
                let bar = Self.bar(zone.score, of: top)
                let head = "\(rank) \(name)  \(bar) \(Self.format(zone.score))  \(counts)  "
                let room = width - DisplayWidth.of(head)
                lines.append("\(rank) " + terminal.style(name, "1") + "  " + terminal.style(bar, "36") + " \(Self.format(zone.score))  "
                             + terminal.style(counts, "2") + "  " + DisplayWidth.truncate(title, to: max(8, room)))
            } else {
                lines.append("\(rank) \(name)  score \(Self.format(zone.score))  \(counts)  best: \(title)  \(zone.best.path)#\(zone.best.ordinal)")
            }
        }
        lines.append("\(result.total) matching article\(result.total == 1 ? "" : "s") in \(terminal.formatScore(result.tookMs)) ms; score = Σ BM25 × (1 about the zone, ≤ 0.2 for mentions)")
        return lines.joined(separator: "\n")
    }

    public func render(_ result: UnlistedZonesResult) -> String {
        guard !result.zones.isEmpty else { return "every zone named in the index is in the gazetteer" }
        let nameColumns = result.zones.map { DisplayWidth.of($0.zone) }.max() ?? 0
        var lines = result.zones.map { DisplayWidth.pad($0.zone, to: nameColumns) + "  \($0.articles) article\($0.articles == 1 ? "" : "s")" }
        lines.append("\(result.zones.count) unlisted zone\(result.zones.count == 1 ? "" : "s"); add rows for them to a zones.tsv (docs/zones.md)")
        return lines.joined(separator: "\n")
    }

    /// `score / top` of `barCells` cells, in eighths of a cell, padded to the full width.
    static func bar(_ score: Double, of top: Double) -> String {
        let eighthsTotal = top > 0 ? Int((score / top * Double(barCells * 8)).rounded()) : 0
        let clamped = min(max(eighthsTotal, score > 0 ? 1 : 0), barCells * 8)
        var bar = String(repeating: "█", count: clamped / 8)
        if clamped % 8 > 0 { bar.append(eighths[clamped % 8 - 1]) }
        return bar + String(repeating: " ", count: barCells - (clamped + 7) / 8)
    }

    /// Two decimals.
    static func format(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

/// Terminal columns of text: East Asian wide and full-width characters take two, combining
/// marks and zero-width characters none, everything else one.
public enum DisplayWidth {
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value == 0x200B || value == 0x200D || (0x0300...0x036F).contains(value) || (0xFE00...0xFE0F).contains(value) { return 0 }
        let wide: [ClosedRange<UInt32>] = [
            0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
            0x1F900...0x1F9FF, 0x20000...0x3FFFD,
        ]
        return wide.contains { $0.contains(value) } ? 2 : 1
    }

    public static func of(_ text: String) -> Int { text.unicodeScalars.reduce(0) { $0 + of($1) } }

    /// `text` cut to at most `columns` columns, with `…` where it was cut.
    public static func truncate(_ text: String, to columns: Int) -> String {
        guard of(text) > columns else { return text }
        var result = String.UnicodeScalarView()
        var used = 0
        for scalar in text.unicodeScalars {
            let width = of(scalar)
            if used + width > columns - 1 { break }
            result.append(scalar)
            used += width
        }
        return String(result) + "…"
    }

    /// `text` padded with spaces to `columns` columns (on the left with `leading`).
    public static func pad(_ text: String, to columns: Int, leading: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, columns - of(text)))
        return leading ? padding + text : text + padding
    }
}
