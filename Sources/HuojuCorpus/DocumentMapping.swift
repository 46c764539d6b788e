import HuojuIndex
import HuojuParser

extension IndexDocument {
    /// The index document for one parsed article of a file.
    public init(article: Article, ordinal: Int, issue: IssueInfo?, path: String) {
        self.init(path: path, ordinal: ordinal, title: article.title, section: article.section, source: article.source,
                  byline: article.byline, body: article.body, issueYear: issue?.year, issueNumber: issue?.number,
                  issueCumulative: issue?.cumulative, date: issue?.date)
    }
}
