import HuojuIndex
import HuojuParser
import HuojuText
import HuojuZones

extension IndexDocument {
    /// The index document for one parsed article of a file, tagged with its zones.
    public init(article: Article, ordinal: Int, issue: IssueInfo?, path: String, recognizer: ZoneRecognizer) {
        self.init(article: article, ordinal: ordinal, issue: issue, path: path, zones: recognizer.zones(of: article))
    }

    /// The index document for one parsed article, with the zones recognized in it.
    public init(article: Article, ordinal: Int, issue: IssueInfo?, path: String, zones: ArticleZones) {
        self.init(path: path, ordinal: ordinal, title: article.title, section: article.section, source: article.source,
                  byline: article.byline, body: article.body, issueYear: issue?.year, issueNumber: issue?.number,
                  issueCumulative: issue?.cumulative, date: issue?.date,
                  zones: zones.mentions.map { ZoneCount(zone: $0.zone, mentions: $0.mentions) }, primaryZone: zones.primary)
    }
}

extension ZoneRecognizer {
    /// The zones of a parsed article: its primary zone and every zone it names.
    public func zones(of article: Article) -> ArticleZones {
        zones(title: article.title, source: article.source, byline: article.byline, body: article.body)
    }
}
