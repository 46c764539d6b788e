/// The two layouts the parser knows; they differ only in how a multi-line headline is joined.
enum Layout: Sendable {
    /// 火炬动态: issue line, TOC, `(供稿:…)` closes each article. A title split over two lines
    /// is one line wrapped by the PDF, so its pieces join without a space.
    case newsletter
    /// Newspaper page: kicker / main title / subtitle are separate headline lines, joined by a space.
    case newspaper
}

/// Turns classified, repaired body lines into articles.
struct ArticleSegmenter {
    let toc: TableOfContents
    let layout: Layout

    /// Headlines have at most this many lines; longer runs of short lines are body text.
    static let maxTitleLines = 3
    /// A zone name this close to the start of a heading makes it a headline on a page without
    /// TOC (`青岛高新区“揭榜挂帅”结硕果`); subheadings describe actions, not places.
    static let zoneSuffixes = ["高新区", "示范区", "开发区", "自创区", "实验区", "科学城", "科技城", "园区", "新区"]
    static let zonePrefixLength = 12

    private var articles: [Article] = []
    private var current: Draft?
    private var section: String?
    /// TOC titles already taken by an article: a subheading echoing the title of its own
    /// article (`二、产业园区合作共建经验分析`) must not split it.
    private var usedTitles: Set<Int> = []

    init(toc: TableOfContents, layout: Layout) {
        self.toc = toc
        self.layout = layout
    }

    /// An article being assembled.
    private struct Draft {
        var title: String
        var section: String?
        var source: String?
        var bylines: [String] = []
        var body: [String] = []
        /// Set by a source or trailing byline: whatever follows belongs to something else.
        var closed = false

        var article: Article {
            Article(title: title, section: section, source: source,
                    byline: bylines.isEmpty ? nil : bylines.joined(separator: " "), body: body.joined(separator: "\n"))
        }
    }

    mutating func run(_ lines: [Line]) -> [Article] {
        var i = 0
        while i < lines.count {
            let line = lines[i]
            switch line.kind {
            case .source(let s):
                ensureOpen(closedIsNew: false)
                let earlier = current?.source
                current?.source = earlier.map { "\($0) \(s)" } ?? s
                current?.closed = true
            case .byline(let b), .names(let b):
                attachByline(b, text: line.text)
            case .caption:
                appendBody(line.text)
            case .text where isSectionHeading(line):
                startSection(lines, &i)
                continue
            case .text where line.isHeading:
                var j = i
                while j < lines.count, lines[j].isHeading, !isSectionHeading(lines[j]) { j += 1 }
                handleHeadings(lines[i..<j].map(\.text), next: j < lines.count ? lines[j] : nil)
                i = j
                continue
            case .text:
                appendBody(line.text)
            }
            i += 1
        }
        finish()
        return articles
    }

    func isSectionHeading(_ line: Line) -> Bool {
        line.isHeading && toc.section(announcedBy: line.text) != nil
    }

    /// A section heading (plus its `——` subtitle) ends the current article.
    private mutating func startSection(_ lines: [Line], _ i: inout Int) {
        finish()
        section = toc.section(announcedBy: lines[i].text)
        i += 1
        while i < lines.count, lines[i].isHeading, TableOfContents.isSubtitle(lines[i].text) { i += 1 }
    }

    /// A run of heading-like lines is either the headline of a new article or a subheading
    /// inside the current one.
    private mutating func handleHeadings(_ group: [String], next: Line?) {
        var titles = group
        guard let next else {
            // Nothing follows: these are trailing text, not a headline.
            titles.forEach { appendBody($0) }
            return
        }
        if layout == .newsletter, toc.sections.isEmpty,
           let dash = titles.dropLast().firstIndex(where: TableOfContents.isSubtitle) {
            // Without a TOC, `section / ——subtitle / title` still announces a section.
            finish()
            section = titles[..<dash].joined(separator: " ")
            titles.removeFirst(dash + 1)
        }
        if titles.count > Self.maxTitleLines {
            titles.dropLast(Self.maxTitleLines).forEach { appendBody($0) }
            titles.removeFirst(titles.count - Self.maxTitleLines)
        }
        if startsArticle(titles, next: next) {
            finish()
            current = Draft(title: joinTitle(titles), section: section)
            if let index = toc.titleIndex(matching: current?.title ?? "") { usedTitles.insert(index) }
        } else {
            titles.forEach { appendBody($0) }
        }
    }

    private func startsArticle(_ titles: [String], next: Line) -> Bool {
        guard let current, !current.closed else { return true }
        let candidates = [titles.joined()] + (titles.count > 1 ? titles : [])
        if candidates.contains(where: { toc.titleIndex(matching: $0).map { !usedTitles.contains($0) } ?? false }) {
            return true
        }
        // What comes right after a headline: a byline, names, a photo credit, a `本报讯` lead.
        switch next.kind {
        case .byline, .names, .caption: return true
        case .source: return false
        case .text:
            if next.text.hasPrefix("本报讯") || Attribution.isCaptionParagraph(next.text) { return true }
        }
        return toc.isEmpty && titles.first.map(Self.looksLikeHeadline) == true
    }

    /// `合肥高新区: 10个…`, `青岛高新区“揭榜挂帅”结硕果`: a place-led or `X:Y` headline.
    static func looksLikeHeadline(_ text: String) -> Bool {
        let head = String(text.unicodeScalars.prefix(zonePrefixLength))
        if zoneSuffixes.contains(where: { head.contains($0) && !head.hasPrefix($0) }) { return true }
        guard let colon = text.unicodeScalars.firstIndex(where: { $0 == ":" || $0 == "：" }) else { return false }
        let before = text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: colon)
        let after = text.unicodeScalars.distance(from: colon, to: text.unicodeScalars.endIndex) - 1
        return before >= 2 && after >= 2
    }

    private func joinTitle(_ lines: [String]) -> String {
        var title = ""
        for line in lines {
            if let l = title.unicodeScalars.last, let f = line.unicodeScalars.first, !TableOfContents.isSubtitle(line) {
                let latin = Punct.isASCIIAlnum(l) && Punct.isASCIIAlnum(f)
                if layout == .newspaper || latin { title.append(" ") }
            }
            title.append(line)
        }
        return title
    }

    /// A byline right under a headline is the article's; anywhere else it signs off the
    /// article it follows. Before any article it is plain text.
    private mutating func attachByline(_ byline: String, text: String) {
        guard current != nil else {
            appendBody(text)
            return
        }
        if !(current?.body.isEmpty ?? true) { current?.closed = true }
        current?.bylines.append(byline)
    }

    private mutating func appendBody(_ text: String) {
        ensureOpen(closedIsNew: true)
        current?.body.append(text)
    }

    /// Text after a closed article (or before any headline) is an untitled item of its own.
    private mutating func ensureOpen(closedIsNew: Bool) {
        if current == nil || (closedIsNew && current?.closed == true) {
            finish()
            current = Draft(title: "", section: section)
        }
    }

    private mutating func finish() {
        if let draft = current { articles.append(draft.article) }
        current = nil
    }
}
