import HuojuIndex
import HuojuProtocol

extension SearchHit {
    init(document: IndexDocument, score: Double, partial: Bool, explain: [ExplainEntry]?, highlighter: Highlighter) {
        let passage = highlighter.snippet(document.body)
        self.init(
            path: document.path, ordinal: document.ordinal, title: document.title, score: score, partial: partial,
            issue: document.issueYear.flatMap { year in document.issueNumber.map { "\(year)年第\($0)期" } },
            issueNumber: document.issueNumber, cumulative: document.issueCumulative, date: document.date,
            section: document.section, source: document.source, byline: document.byline, zones: document.zones.map(\.zone),
            primaryZone: document.primaryZone, snippet: passage.text, highlights: passage.highlights,
            titleHighlights: highlighter.spans(in: document.title), explain: explain
        )
    }
}
