import HuojuText

/// Finds lists of zones, where bare city names stand for zones:
/// `上海张江、南京、苏州工业园区、苏州、常州…等国家高新区`, `武汉东湖和洛阳两个高新区`,
/// `成都、沈阳、武汉东湖和广州高新区`, but not `设北京、香港、武汉和洛阳4个会场`.
///
/// A list is a run of names joined by `、` (and `和`/`与`/`及`/`以及`/`或` before the last one)
/// that either ends in a zone noun after optional counting words (`等`, `6个`, `4 家新升级的`,
/// `国家`: `…等国家高新区`), or whose last name is itself a full zone name
/// (`…武汉东湖和广州高新区`, at least two names then). Between `、` one unknown short item is
/// tolerated (a zone the gazetteer does not know) when at least two names of the list are known.
/// Clause punctuation ends the search: a list never spans `，` or `。`.
enum ZoneLists {
    static let nouns = WordList(["高新技术产业开发区", "高新技术产业园区", "自主创新示范区", "高新区", "自创区", "示范区", "科学城",
                                 "工业园区", "开发区", "园区", "农高区"])
    /// Endings that make a name a full zone name (a list can end with it).
    static let fullNameEndings = WordList(["高新区", "开发区", "示范区", "自创区", "科学城", "园区", "农高区", "工业园", "科技园"])
    static let separators = WordList(["、", "和", "与", "及", "以及", "或"])
    /// Words between the last name and the zone noun: `等`, counts, `新升级的`, `国家`.
    static let fillers = WordList(["等", "等地", "等等", "个", "家", "所", "座", "处", "新升级的", "新升级", "升级的", "的", "国家级",
                                   "国家", "省级", "市"])
    static let numerals: Set<Unicode.Scalar> = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "百", "千", "两", "几",
                                                "多", "余", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]
    static let longestUnknownItem = 8

    struct Item {
        var range: Range<Int>
        var fullName: Bool
    }

    /// For each item (ranges in `text`, sorted, not overlapping), whether it stands in a list.
    static func mark(_ items: [Item], in text: [Unicode.Scalar]) -> [Bool] {
        var inList = [Bool](repeating: false, count: items.count)
        guard !items.isEmpty else { return inList }
        var endingAt: [Int: Int] = [:]
        var covered = [Bool](repeating: false, count: text.count)
        for (index, item) in items.enumerated() {
            endingAt[item.range.upperBound] = index
            for position in item.range { covered[position] = true }
        }
        // A zone noun after the last name.
        var position = 0
        while position < text.count {
            guard !covered[position], let length = nouns.prefixLength(of: text, at: position) else { position += 1; continue }
            if let last = endingAt[fillerStart(before: position, in: text)] {
                let list = walkBack(from: last, items: items, endingAt: endingAt, text: text)
                for index in list { inList[index] = true }
            }
            position += length
        }
        // A full zone name as the last name.
        for (index, item) in items.enumerated() where item.fullName {
            guard separatorLength(endingAt: item.range.lowerBound, in: text) != nil else { continue }
            let list = walkBack(from: index, items: items, endingAt: endingAt, text: text)
            if list.count >= 2 { for member in list { inList[member] = true } }
        }
        return inList
    }

    /// Where the counting words before a zone noun at `end` begin.
    private static func fillerStart(before end: Int, in text: [Unicode.Scalar]) -> Int {
        var end = end
        while end > 0 {
            if text[end - 1] == " " || numerals.contains(text[end - 1]) { end -= 1; continue }
            guard let length = fillers.suffixLength(of: text, endingAt: end) else { break }
            end -= length
        }
        return end
    }

    /// The names of the list that ends with item `last`, last first; empty when it is no list.
    private static func walkBack(from last: Int, items: [Item], endingAt: [Int: Int], text: [Unicode.Scalar]) -> [Int] {
        var members = [last]
        var unknown = 0
        var cursor = items[last].range.lowerBound
        while true {
            // A name right before an item qualifies it (`武汉` + `东湖`): one item.
            while let qualifier = endingAt[cursor], !members.contains(qualifier) { cursor = items[qualifier].range.lowerBound }
            let trimmed = skippingSpaces(before: cursor, in: text)
            guard let separator = separators.suffixLength(of: text, endingAt: trimmed) else { break }
            let enumeration = text[trimmed - 1] == "、"
            let before = skippingSpaces(before: trimmed - separator, in: text)
            if let previous = endingAt[before], !members.contains(previous) {
                members.append(previous)
                cursor = items[previous].range.lowerBound
                continue
            }
            // An unknown item between two `、`.
            guard enumeration else { break }
            var start = before
            while start > 0, before - start < longestUnknownItem, ScalarClass.isCJK(text[start - 1]) { start -= 1 }
            guard start < before, start > 0, text[start - 1] == "、" else { break }
            unknown += 1
            cursor = start
        }
        return unknown > 0 && members.count < 2 ? [] : members
    }

    /// The length of the separator that ends at `end` (spaces before `end` skipped), or nil.
    private static func separatorLength(endingAt end: Int, in text: [Unicode.Scalar]) -> Int? {
        separators.suffixLength(of: text, endingAt: skippingSpaces(before: end, in: text))
    }

    private static func skippingSpaces(before end: Int, in text: [Unicode.Scalar]) -> Int {
        var end = end
        while end > 0, text[end - 1] == " " { end -= 1 }
        return end
    }
}
