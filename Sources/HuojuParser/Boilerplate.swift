/// Newsletter furniture that is not article text: masthead, footer, page numbers, running heads.
enum Boilerplate {
    /// The masthead is a few short lines; an issue line further down is not an issue line.
    static let maxMastheadLines = 8

    /// Finds the issue line among the first lines. Returns the issue, the masthead lines
    /// (everything before it) and the index where the rest of the issue starts.
    static func masthead(_ lines: [Line]) -> (issue: IssueInfo, masthead: [String], next: Int)? {
        for (i, line) in lines.prefix(maxMastheadLines + 1).enumerated() {
            if var issue = IssueLine.parse(line.text) {
                var next = i + 1
                if issue.date == nil, next < lines.count, let date = IssueLine.parseDateLine(lines[next].text) {
                    issue.date = date
                    next += 1
                }
                return (issue, lines[..<i].map(\.text), next)
            }
            if !line.isHeading { return nil }
        }
        return nil
    }

    /// Keys of the colophon lines at the end of an issue (`地址:`, `邮编:`, `责任编辑:`…).
    static let footerKeys = [
        "地址", "编辑部地址", "通讯地址", "邮编", "邮政编码", "电话", "联系电话", "传真", "网址", "网站",
        "邮箱", "电子邮箱", "投稿邮箱", "E-mail", "Email", "email", "责任编辑", "编辑", "主编", "副主编",
        "执行主编", "主办", "编印", "印刷", "发送", "抄送",
    ]

    static func isFooterLine(_ text: String) -> Bool {
        for key in footerKeys where text.hasPrefix(key) {
            let rest = text.unicodeScalars.dropFirst(key.unicodeScalars.count).drop(while: Punct.isSpace)
            if let c = rest.first, c == ":" || c == "：" { return true }
        }
        return false
    }

    /// Index where the trailing colophon starts (or `lines.count`): a run of at least two
    /// footer lines at the very end, plus the short organisation line that heads it.
    /// Blank lines are not `Line`s, so `编辑部地址:…` after a gap still joins the run.
    static func footerStart(_ lines: [Line], after start: Int) -> Int {
        var i = lines.count
        var keys = 0
        while i > start, isFooterLine(lines[i - 1].text) {
            i -= 1
            keys += 1
        }
        guard keys >= 2 else { return lines.count }
        // The publisher's name usually heads the colophon.
        if i > start, lines[i - 1].isHeading, lines[i - 1].shape.length <= 30,
           TableOfContents.bracketed(lines[i - 1].text) == nil {
            i -= 1
        }
        return i
    }

    /// `3`, `- 3 -`, `—3—`: page numbers left by the PDF extraction.
    static func isPageNumber(_ text: String) -> Bool {
        let s = text.unicodeScalars
        guard text.hasAtMostScalars(8), s.contains(where: { ("0"..."9").contains($0) }) else { return false }
        return s.allSatisfy { ("0"..."9").contains($0) || $0 == "-" || $0 == "—" || Punct.isSpace($0) }
    }

    /// A masthead line or issue line repeated inside the body as a running head.
    static func isRunningHead(_ text: String, masthead: Set<String>) -> Bool {
        masthead.contains(text.matchKey) || (text.hasAtMostScalars(IssueLine.maxLength) && IssueLine.parse(text) != nil)
    }
}
