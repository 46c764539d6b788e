/// Who wrote or supplied an article: `(供稿:…)` sources, bylines, author names, photo credits.
enum Attribution {
    // MARK: Sources

    /// Cuts every `(供稿:…)` / `（供稿：…）` out of its line, wherever it stands (own line,
    /// glued to the last sentence, after a space, followed by more text), and turns it into a
    /// `.source` line of its own. The text before and after stays as separate lines.
    static func separateSources(_ lines: [Line]) -> [Line] {
        var out: [Line] = []
        out.reserveCapacity(lines.count)
        for line in lines {
            let s = line.text.unicodeScalars
            // One pass over the line: each search starts where the last source ended, so a
            // line holding many sources (a file without line breaks) stays linear.
            var lower = s.startIndex
            var gapBefore = line.gapBefore, spaceBefore = line.spaceBefore
            while let (start, source, end) = findSource(s, from: lower) {
                let before = String(s[lower..<start]).trimmingSpaces
                if !before.isEmpty {
                    out.append(Line(text: before, gapBefore: gapBefore, spaceBefore: spaceBefore))
                }
                var sourceLine = Line(text: source.text, gapBefore: before.isEmpty ? gapBefore : 0)
                sourceLine.kind = .source(source.content)
                out.append(sourceLine)
                (gapBefore, spaceBefore) = (0, false)
                // What follows a source starts a line of its own: its spaces are trimmed.
                lower = end
                while lower != s.endIndex, Punct.isSpace(s[lower]) { lower = s.index(after: lower) }
            }
            if lower == s.startIndex {
                if !line.text.isEmpty { out.append(line) }
            } else {
                let rest = String(s[lower...]).trimmingSpaces
                if !rest.isEmpty { out.append(Line(text: rest, gapBefore: 0, spaceAfter: line.spaceAfter)) }
            }
        }
        return out
    }

    /// The next `(供稿:…)` in `s` at or after `lower` (which counts as the start of the line):
    /// where it starts and ends, its text and its content.
    private static func findSource(_ s: String.UnicodeScalarView, from lower: String.Index)
        -> (start: String.Index, source: (text: String, content: String), end: String.Index)? {
        var i = lower
        while i != s.endIndex {
            guard s[i] == "供", s.index(after: i) != s.endIndex, s[s.index(after: i)] == "稿" else {
                i = s.index(after: i)
                continue
            }
            // `(供稿` with an opening parenthesis, or `供稿:` at the very start of the line.
            var start = i
            var j = i
            while j != lower, Punct.isSpace(s[s.index(before: j)]) { j = s.index(before: j) }
            if j != lower, s[s.index(before: j)] == "(" || s[s.index(before: j)] == "（" {
                start = s.index(before: j)
            } else if i != lower {
                i = s.index(after: i)
                continue
            }
            var k = s.index(i, offsetBy: 2)
            while k != s.endIndex, Punct.isSpace(s[k]) { k = s.index(after: k) }
            guard k != s.endIndex, s[k] == ":" || s[k] == "：" else {
                i = s.index(after: i)
                continue
            }
            let contentStart = s.index(after: k)
            let close = s[contentStart...].firstIndex { $0 == ")" || $0 == "）" } ?? s.endIndex
            let end = close == s.endIndex ? close : s.index(after: close)
            let piece = { (r: Range<String.Index>) in String(s[r]).trimmingSpaces }
            let content = piece(contentStart..<close)
            guard !content.isEmpty else {
                // `(供稿:)` names nobody: leave it as text.
                i = s.index(after: i)
                continue
            }
            return (start, (piece(start..<end), content), end)
        }
        return nil
    }

    // MARK: Bylines and names

    /// Gives each text line its attribution kind. Must run before line-break repair, because a
    /// role byline (`…管委会常务副主任 杨旭日`) contains commas and would look like prose.
    static func classify(_ lines: [Line]) -> [Line] {
        var out: [Line] = []
        out.reserveCapacity(lines.count)
        for var line in lines {
            guard line.kind == .text else {
                out.append(line)
                continue
            }
            let afterHeading = out.last?.isHeading ?? false
            if let byline = roleByline(line, afterHeading: afterHeading) {
                line.kind = .byline(byline)
            } else if let names = personNames(line.text) {
                line.kind = .names(names)
            } else if isCaptionLine(line.text) {
                line.kind = .caption
            } else if let (head, names) = splitTrailingNames(line.text) {
                out.append(Line(text: head, gapBefore: line.gapBefore, spaceBefore: line.spaceBefore))
                var n = Line(text: names, gapBefore: 0)
                n.kind = .names(names)
                line = n
            }
            out.append(line)
        }
        return out
    }

    static let rolePrefixes = ["本报记者", "本报通讯员", "本报特约记者", "特约记者", "记者", "通讯员", "文/", "文／"]
    static let roleWords = ["记者", "通讯员", "书记", "主任", "局长", "区长", "主席", "院长", "部长", "处长", "教授", "研究员", "董事长", "经理", "委员"]
    static let bylineMarkers: Set<Unicode.Scalar> = ["▶", "►", "▷", "◆", "◇", "■", "□", "●", "○", "★", "☆", "·"]

    /// `▶ 本报记者 叶伟`, or a line right under a headline ending in a name after a space
    /// (`石嘴山市…常务副主任 杨旭日`). Returned without the decorative marker.
    static func roleByline(_ line: Line, afterHeading: Bool) -> String? {
        guard line.shape.length <= 80, line.shape.ending != .terminal else { return nil }
        let text = String(line.text.unicodeScalars.drop {
            bylineMarkers.contains($0) || Punct.isSpace($0)
        })
        if text.hasAnyPrefix(rolePrefixes), line.shape.length <= 40 { return collapseSpaces(text) }
        // A heading-like line ending in a short token is more likely a two-part headline
        // (`产业 高地`) unless it names a position.
        guard afterHeading, !line.shape.isHeadingLike || roleWords.contains(where: text.contains),
              let cut = text.unicodeScalars.lastIndex(where: Punct.isSpace) else { return nil }
        let name = String(text.unicodeScalars[text.unicodeScalars.index(after: cut)...])
        return isPersonName(name) ? collapseSpaces(text) : nil
    }

    /// One to five person names separated by spaces, and nothing else.
    static func personNames(_ text: String) -> String? {
        guard text.hasAtMostScalars(30) else { return nil }
        let tokens = text.split(whereSeparator: { $0.unicodeScalars.allSatisfy(Punct.isSpace) })
        guard (1...5).contains(tokens.count), tokens.allSatisfy({ isPersonName(String($0)) }) else { return nil }
        return tokens.joined(separator: " ")
    }

    /// A 2–4 character Chinese name starting with a common surname. Characters that are
    /// frequent in short phrases but rare in names rule a token out.
    static func isPersonName(_ token: String) -> Bool {
        let s = Array(token.unicodeScalars)
        guard (2...4).contains(s.count), s.allSatisfy(Punct.isCJK), !s.contains(where: nonNameCharacters.contains)
        else { return false }
        if s.count >= 3, compoundSurnames.contains(String(String.UnicodeScalarView(s[0..<2]))) { return true }
        return s.count <= 3 && surnames.contains(s[0])
    }

    /// `…高质量发展。 刘地 冯禄 韩君慰`: names glued after the last sentence of an article.
    static func splitTrailingNames(_ text: String) -> (String, String)? {
        let s = text.unicodeScalars
        // The last sentence end, looked for among the last 32 scalars only (a long line is not scanned).
        let window = s.index(s.endIndex, offsetBy: -32, limitedBy: s.startIndex) ?? s.startIndex
        guard let cut = s[window...].lastIndex(where: { Punct.terminal.contains($0) || $0 == "”" }) else { return nil }
        let tail = s[s.index(after: cut)...]
        guard let first = tail.first, Punct.isSpace(first) else { return nil }
        guard let names = personNames(String(tail)) else { return nil }
        return (String(s[...cut]), names)
    }

    // MARK: Captions

    static let captionPrefixes = ["图片来源", "图片提供", "图源", "供图", "摄影"]

    /// A short photo credit line: `图片来源:合肥高新区`, `雷键/摄`.
    static func isCaptionLine(_ text: String) -> Bool {
        guard text.hasAtMostScalars(40) else { return false }
        return text.hasAnyPrefix(captionPrefixes) || text.hasSuffix("/摄") || text.hasSuffix("／摄")
    }

    /// A caption paragraph: `图为…`, or text carrying a `图片来源` credit.
    static func isCaptionParagraph(_ text: String) -> Bool {
        text.hasPrefix("图为") || text.contains("图片来源")
    }

    private static func collapseSpaces(_ text: String) -> String {
        text.split(whereSeparator: { $0.unicodeScalars.allSatisfy(Punct.isSpace) }).joined(separator: " ")
    }

    private static let nonNameCharacters = Set("区市省县园局厅司院所校站的了是和与业会部".unicodeScalars)

    private static let compoundSurnames: Set<String> = [
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
        "夏侯", "令狐", "端木", "西门", "南宫", "独孤", "轩辕", "钟离", "申屠", "太史", "呼延", "闻人",
    ]

    private static let surnames = Set("""
        王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕\
        丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃\
        武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒\
        阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓\
        古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫\
        寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻\
        位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦\
        戈伏鹿薄邸雍辜羊乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公湛宾戎勾茅利於居揭干但尉冶斯\
        元束檀衣信展阴昝智幸奉植衡富尧闭由
        """.unicodeScalars)
}
