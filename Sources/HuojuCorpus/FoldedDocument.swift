import HuojuIndex
import HuojuParser
import HuojuText
import HuojuZones

/// A document ready for the segment builder: each text field folded once, the fold zone
/// recognition and the analyzer share, and its zone names folded like every term.
struct FoldedDocument {
    var document: IndexDocument
    /// Per `Field.text` slot; nil for an absent field.
    var fields: [String?]
    var zones: [(folded: String, mentions: Int)]
    var primaryZone: String?

    init(article: Article, ordinal: Int, issue: IssueInfo?, path: String, recognizer: ZoneRecognizer, folder: Folder = .shared) {
        let fold = { (text: String) in folder.fold(text).text }
        let title = fold(article.title), body = fold(article.body)
        let source = article.source.map(fold), byline = article.byline.map(fold)
        let zones = recognizer.zones(foldedTitle: title, source: source, byline: byline, body: body,
                                     bodyLength: article.body.unicodeScalars.count)
        self.init(IndexDocument(article: article, ordinal: ordinal, issue: issue, path: path, zones: zones),
                  folded: [title, body, article.section.map(fold), source, byline], folder: folder)
    }

    init(_ document: IndexDocument, folder: Folder = .shared) {
        self.init(document, folded: Field.text.map { document.text(of: $0).map { folder.fold($0).text } }, folder: folder)
    }

    private init(_ document: IndexDocument, folded: [String?], folder: Folder) {
        self.document = document
        fields = folded
        zones = document.zones.map { (folder.fold($0.zone).text, $0.mentions) }
        primaryZone = document.primaryZone.map { folder.fold($0).text }
    }
}

extension SegmentBuilder.FieldTerms: TokenSink {}

extension SegmentBuilder {
    /// Adds a document whose fields are folded: the analyzer's index path hands its terms to the
    /// builder as integers and bytes.
    func add(_ folded: FoldedDocument, analyzer: Analyzer) {
        add(folded.document, zones: folded.zones, primaryZone: folded.primaryZone) { field, terms in
            guard var text = folded.fields[Int(field.rawValue)] else { return 0 }
            return text.withUTF8 { analyzer.index(folded: $0, into: &terms) }
        }
    }

    /// Adds a document, folding and analyzing it (tests, and documents rebuilt from an index).
    public func add(_ document: IndexDocument, analyzer: Analyzer) {
        add(FoldedDocument(document), analyzer: analyzer)
    }
}
