import ArgumentParser
import Foundation
import HuojuParser
import HuojuCorpus
import HuojuText
import HuojuZones

/// `huojud parse [--json] [--zones FILE] FILE...`: shows how each file splits into an issue
/// and articles, and which zones each article is tagged with.
struct Parse: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print each file's issue metadata and articles (with their zones) as the indexer sees them."
    )

    @Flag(help: "Print one JSON object per file.")
    var json = false

    @OptionGroup var zones: ZonesOption

    @Argument(help: "Issue files to parse.")
    var files: [String]

    func run() throws {
        let recognizer = ZoneRecognizer(gazetteer: try zones.gazetteer())
        var failures = 0
        for path in files {
            switch CorpusFile.read(path) {
            case .failure(let error):
                failures += 1
                FileHandle.standardError.write(Data("huojud: skipped \(path): \(error)\n".utf8))
            case .success(let decoded):
                let parsed = IssueParser.parse(decoded.text)
                if json {
                    print(try ParsedFileJSON(path: path, encoding: decoded.encoding, parsed: parsed, recognizer: recognizer).encoded())
                } else {
                    printHuman(path: path, encoding: decoded.encoding, parsed: parsed, recognizer: recognizer)
                }
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }

    private func printHuman(path: String, encoding: String, parsed: ParsedIssue, recognizer: ZoneRecognizer) {
        print("== \(path) (\(encoding))")
        if let issue = parsed.issue {
            print("issue: \(issue.year)年第\(issue.number)期" + (issue.cumulative.map { " (总第\($0)期)" } ?? "")
                  + (issue.date.map { " \($0)" } ?? ""))
        } else {
            print("issue: none")
        }
        for (index, article) in parsed.articles.enumerated() {
            let title = article.title.isEmpty ? "(untitled)" : article.title
            print("\(index + 1). \(title)")
            if let section = article.section { print("   section: \(section)") }
            if let source = article.source { print("   source:  \(source)") }
            if let byline = article.byline { print("   byline:  \(byline)") }
            print("   body:    \(article.body.count) characters")
            let zones = recognizer.zones(of: article)
            if let primary = zones.primary { print("   primary: \(primary) (from the \(zones.evidence!.rawValue))") }
            if !zones.mentions.isEmpty {
                print("   zones:   " + zones.mentions.map { "\($0.zone) ×\($0.mentions)\($0.listed ? "" : " (unlisted)")" }.joined(separator: ", "))
            }
        }
        for warning in parsed.warnings { print("warning: \(warning)") }
    }
}

/// The `parse --json` shape: `{"path", "encoding", "issue", "articles", "warnings"}`; each
/// article has its parsed fields plus `primaryZone`, `primaryEvidence` and `zones`.
struct ParsedFileJSON: Encodable {
    var path: String
    var encoding: String
    var issue: IssueInfo?
    var articles: [ArticleJSON]
    var warnings: [String]

    init(path: String, encoding: String, parsed: ParsedIssue, recognizer: ZoneRecognizer) {
        self.path = path
        self.encoding = encoding
        self.issue = parsed.issue
        self.articles = parsed.articles.map { ArticleJSON(article: $0, zones: recognizer.zones(of: $0)) }
        self.warnings = parsed.warnings
    }

    struct ArticleJSON: Encodable {
        var article: Article
        var zones: ArticleZones

        enum CodingKeys: String, CodingKey { case primaryZone, primaryEvidence, zones }

        func encode(to encoder: any Encoder) throws {
            try article.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(zones.primary, forKey: .primaryZone)  // explicit null: no primary zone
            try container.encode(zones.evidence, forKey: .primaryEvidence)
            try container.encode(zones.mentions, forKey: .zones)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(encoding, forKey: .encoding)
        try container.encode(issue, forKey: .issue)  // explicit null when there is no issue line
        try container.encode(articles, forKey: .articles)
        try container.encode(warnings, forKey: .warnings)
    }

    enum CodingKeys: String, CodingKey { case path, encoding, issue, articles, warnings }

    func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
