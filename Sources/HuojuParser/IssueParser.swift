/// Parses plain text extracted from PDFs of 火炬动态 issues and of newspaper pages into articles.
///
/// The rules, in the order they run:
///
/// 1. **Lines.** CRLF, CR and form feeds end lines; lines are trimmed (including U+3000) and
///    the number of blank lines before each is kept. One blank line separates paragraphs *and*
///    the pieces of a broken paragraph; two or more mark an image or layout gap.
/// 2. **Sources.** `(供稿:…)` / `（供稿：…）` is cut out wherever it stands and becomes the
///    article's `source` (whole content, names after the organisation included). A source
///    closes its article.
/// 3. **Issue line.** `2022年第13期(总第542期) 2022年8月15日` (ASCII or full-width) among the
///    first short lines makes the file a *newsletter*; the lines above it are the masthead.
///    Without it the file is a *newspaper page* (or unknown layout) and a warning says so.
/// 4. **TOC.** After the issue line, `【section】 title` lines and plain title lines up to the
///    body's first repeat of a section name. TOC titles are hints only: the body title wins.
/// 5. **Footer.** In a newsletter, a trailing run of ≥2 colophon lines (`地址:`, `邮编:`, `电话:`, `网址:`,
///    `编辑部地址:`, `责任编辑:`…) plus the organisation line heading it is dropped; so are page
///    numbers and repeated masthead lines inside a newsletter body.
/// 6. **Attribution.** `▶ 本报记者 叶伟` and role lines right under a headline ending in a
///    name are bylines (kept as printed, marker removed); lines of 1–5 person names
///    (surname-led, 2–4 characters) are names; names glued after the last sentence
///    (`…发展。 刘地 冯禄`) are split off; `图片来源:…` and `…/摄` lines are photo credits.
/// 7. **Line-break repair** (see `LineBreakRepair`): a line that stops mid-sentence is joined
///    to the next; headings (short, no clause punctuation, no terminal punctuation) and real
///    paragraph ends (。！？；… or a closing quote after them) are kept apart.
/// 8. **Articles.** A *heading* is a short line without clause or terminal punctuation.
///    A bare TOC section name (or a `【…】` line) sets the section; its `——` subtitle belongs
///    to it. A run of ≤3 heading lines starts a new article when there is no open article,
///    the previous one was closed by a source or trailing byline, it matches a TOC title, it
///    is followed by a byline, names, photo credit or `本报讯` lead, or, when there is no TOC,
///    it is place-led (`…高新区…` near the start) or a `X:Y` headline. Otherwise it is a
///    subheading and stays a line of the body. Headline lines join without a space in a
///    newsletter (a wrapped title) and with one on a newspaper page (kicker/title/subtitle);
///    a `——` subtitle always joins directly.
/// 9. **Bylines.** Names or a byline right under a headline belong to that article; after
///    body text they sign off the current article and close it.
/// 10. **Untitled items.** Text after a closed article with no headline of its own (a photo
///     caption between two stories) becomes an article with title `""`, so it stays searchable.
///     Nothing else is dropped: an unknown layout yields untitled articles with all its text.
public enum IssueParser {
    /// Parses one decoded file (may contain CRLF, \r, full-width punctuation).
    public static func parse(_ text: String) -> ParsedIssue {
        var warnings: [String] = []
        var lines = Attribution.separateSources(LineSplitter.lines(of: text))
        guard !lines.isEmpty else {
            return ParsedIssue(issue: nil, articles: [], warnings: ["empty input: no text to parse"])
        }

        var issue: IssueInfo?
        var toc = TableOfContents()
        var layout = Layout.newspaper
        var bodyStart = 0
        var runningHeads: Set<String> = []
        if let head = Boilerplate.masthead(lines) {
            issue = head.issue
            layout = .newsletter
            runningHeads = Set(head.masthead.map(\.matchKey))
            (toc, bodyStart) = TableOfContents.scan(lines, from: head.next)
        } else {
            warnings.append("no issue line; parsed as newspaper page")
        }
        if layout == .newsletter {
            lines = Array(lines[bodyStart..<Boilerplate.footerStart(lines, after: bodyStart)])
            lines.removeAll { $0.isText && (Boilerplate.isPageNumber($0.text) || Boilerplate.isRunningHead($0.text, masthead: runningHeads)) }
        }

        var segmenter = ArticleSegmenter(toc: toc, layout: layout)
        lines = LineBreakRepair.repair(Attribution.classify(lines), isSectionHeading: segmenter.isSectionHeading)
        let articles = segmenter.run(lines)

        if articles.isEmpty {
            warnings.append("no article text besides masthead, table of contents and footer")
        } else if articles.allSatisfy({ $0.title.isEmpty }) {
            warnings.append("no headlines recognised; text kept as untitled article(s)")
        }
        for title in toc.titles where !articles.contains(where: {
            TableOfContents.similarity($0.title.matchKey, title.matchKey) >= TableOfContents.titleSimilarity
        }) {
            warnings.append("TOC title not found in body: \(title)")
        }
        return ParsedIssue(issue: issue, articles: articles, warnings: warnings)
    }
}
