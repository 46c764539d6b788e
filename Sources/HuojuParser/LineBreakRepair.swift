/// Rejoins paragraphs that the PDF extraction broke across a blank line (`需` / blank / `求`).
///
/// A line continues into the next one when it stops mid-sentence:
/// - it ends with something that cannot end a sentence or heading (`，、（“`, `的和与及或`), or
/// - it is prose (clause punctuation outside quotes, or longer than any heading) that lacks
///   terminal punctuation (。！？；：… optionally followed by closing quotes), and the next line
///   is not itself heading-like, or
/// - it is prose ending in a closing quote (`…“2+1+N”`) and the next line starts with a
///   parenthesis or punctuation that cannot start a line.
/// Never across two or more blank lines (an image or layout gap), never into a source, byline,
/// names, caption, `本报讯` lead, `——` subtitle or section heading line.
/// Pieces are joined without a space between CJK characters; next to Latin letters or digits an
/// existing space is kept, and two Latin words get one.
enum LineBreakRepair {
    static func repair(_ lines: [Line], isSectionHeading: (Line) -> Bool) -> [Line] {
        var out: [Line] = []
        out.reserveCapacity(lines.count)
        for line in lines {
            if let last = out.indices.last, continues(out[last], into: line, isSectionHeading: isSectionHeading) {
                append(line, to: &out[last])
            } else {
                out.append(line)
            }
        }
        return out
    }

    static func continues(_ a: Line, into b: Line, isSectionHeading: (Line) -> Bool) -> Bool {
        guard a.kind == .text, b.kind == .text, b.gapBefore <= 1, !b.text.hasPrefix("本报讯"),
              !isSectionHeading(b) else { return false }
        switch a.shape.ending {
        case .open:
            return true
        case .plain:
            return a.shape.isFragment && !b.shape.isHeadingLike && !TableOfContents.isSubtitle(b.text)
        case .closer:
            guard a.shape.hasClausePunct, let f = b.shape.first else { return false }
            return b.shape.startsWithNonStarter || ((f == "(" || f == "（") && !b.shape.isHeadingLike)
        case .terminal:
            return false
        }
    }

    private static func append(_ b: Line, to a: inout Line) {
        var separator = ""
        if let l = a.shape.last, let f = b.shape.first, Punct.isASCIIAlnum(l) || Punct.isASCIIAlnum(f) {
            let words = l.properties.isAlphabetic && f.properties.isAlphabetic && l.isASCII && f.isASCII
            if a.spaceAfter || b.spaceBefore || words { separator = " " }
        }
        a.text.append(separator)
        a.text.append(b.text)
        a.shape = Shape.joined(a.shape, b.shape, separatorLength: separator.unicodeScalars.count)
        a.spaceAfter = b.spaceAfter
    }
}
