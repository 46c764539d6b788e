/// Issue metadata read from the issue line, e.g. `2022年第13期(总第542期) 2022年8月15日`.
public struct IssueInfo: Sendable, Equatable, Codable {
    public var year: Int
    /// Issue number within the year (`第13期`).
    public var number: Int
    /// Running number since the first issue (`总第542期`).
    public var cumulative: Int?
    /// Publication date, ISO `yyyy-MM-dd`.
    public var date: String?

    public init(year: Int, number: Int, cumulative: Int? = nil, date: String? = nil) {
        self.year = year
        self.number = number
        self.cumulative = cumulative
        self.date = date
    }
}

/// One article (or one untitled item such as a photo caption) of an issue or newspaper page.
public struct Article: Sendable, Equatable, Codable {
    /// Headline as printed in the body; `""` only for an untitled item.
    public var title: String
    /// Newsletter section (`火炬在行动`), without brackets; nil on newspaper pages.
    public var section: String?
    /// Whole content of `(供稿:…)`, including any names after the organisation.
    public var source: String?
    /// Author line as printed minus decorative markers: `本报记者 叶伟`, `张成 黄于穗 梁晓芳`,
    /// or a role line such as `…管委会常务副主任 杨旭日`. Several bylines are joined by a space.
    public var byline: String?
    /// Paragraphs and subheadings, one per line, joined by `"\n"`; PDF line breaks repaired,
    /// source and byline removed, characters otherwise untouched.
    public var body: String

    public init(title: String, section: String? = nil, source: String? = nil, byline: String? = nil, body: String) {
        self.title = title
        self.section = section
        self.source = source
        self.byline = byline
        self.body = body
    }
}

/// Result of parsing one file.
public struct ParsedIssue: Sendable, Equatable {
    /// Nil for newspaper pages and unknown layouts.
    public var issue: IssueInfo?
    public var articles: [Article]
    /// Human-readable notes about layout decisions and anything suspicious.
    public var warnings: [String]

    public init(issue: IssueInfo?, articles: [Article], warnings: [String]) {
        self.issue = issue
        self.articles = articles
        self.warnings = warnings
    }
}
