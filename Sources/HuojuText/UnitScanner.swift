/// Splits text into units the way the analyzer numbers positions — a CJK character, or a
/// run of letters and digits (with `.` or `,` between digits: `3.2`, `1,280`) — without ICU.
///
/// Highlighting needs only units and their offsets, not dictionary words, and must not pay for
/// ICU segmentation of every hit's body. Latin runs can differ from ICU's words in rare cases
/// (apostrophes), which at worst leaves a match unmarked.
public enum UnitScanner {
    public struct Unit {
        public var text: Substring
        /// Byte range in the original text.
        public var range: Range<Int>
    }

    /// Units of `text` in order; `nil` marks a gap (any run of other characters).
    public static func units(of text: String, folder: Folder = .shared) -> [Unit?] {
        let (folded, origins) = folder.fold(text, offsets: true)
        let scalars = Array(folded.unicodeScalars)
        var result: [Unit?] = []
        var offsets: [Int] = []  // folded byte offset of each scalar, plus the end
        offsets.reserveCapacity(scalars.count + 1)
        var byte = 0
        for scalar in scalars { offsets.append(byte); byte += UTF8.width(scalar) }
        offsets.append(byte)

        func wordy(_ i: Int) -> Bool {
            i >= 0 && i < scalars.count && ScalarClass.isWordCharacter(scalars[i])
        }
        func append(_ start: Int, _ end: Int) {
            let range = Int(origins[offsets[start]])..<Int(origins[offsets[end]])
            result.append(Unit(text: folded.utf8Slice(offsets[start]..<offsets[end]), range: range))
        }
        var i = 0
        while i < scalars.count {
            if Analyzer.isCJK(scalars[i]) {
                append(i, i + 1)
                i += 1
            } else if wordy(i) {
                var end = i + 1
                while end < scalars.count {
                    if wordy(end) { end += 1; continue }
                    if (scalars[end] == "." || scalars[end] == ","), ScalarClass.isDigit(scalars[end - 1]),
                       end + 1 < scalars.count, ScalarClass.isDigit(scalars[end + 1]) { end += 2; continue }
                    break
                }
                append(i, end)
                i = end
            } else {
                if let last = result.last, last != nil { result.append(nil) }
                i += 1
            }
        }
        return result
    }
}
