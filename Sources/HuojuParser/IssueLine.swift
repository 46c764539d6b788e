/// Reads the newsletter issue line: `2022年第13期(总第542期) 2022年8月15日`, with ASCII or
/// full-width digits and parentheses, optional spaces, optional cumulative number and date.
enum IssueLine {
    /// Issue lines are short; longer lines are prose that merely mentions an issue.
    static let maxLength = 80

    static func parse(_ line: String) -> IssueInfo? {
        var s = Scanner(line)
        var year: Int?
        if let y = s.number(digits: 4), s.take("年") { year = y } else { s.position = 0 }
        guard s.take("第"), let number = s.number(), s.take("期") else { return nil }
        var cumulative: Int?
        let mark = s.position
        _ = s.take("(")
        if s.take("总"), s.take("第"), let c = s.number(), s.take("期") {
            cumulative = c
            _ = s.take(")")
        } else {
            s.position = mark
        }
        let date = parseDate(&s)
        guard let y = year ?? date?.year, s.atEnd else { return nil }
        return IssueInfo(year: y, number: number, cumulative: cumulative, date: date?.iso)
    }

    /// A date standing alone on the line after the issue line.
    static func parseDateLine(_ line: String) -> String? {
        var s = Scanner(line)
        guard let d = parseDate(&s), s.atEnd else { return nil }
        return d.iso
    }

    private static func parseDate(_ s: inout Scanner) -> (year: Int, iso: String)? {
        let mark = s.position
        guard let y = s.number(digits: 4), s.take("年"), let m = s.number(), s.take("月"),
              let d = s.number(), s.take("日"), (1...12).contains(m), (1...31).contains(d)
        else {
            s.position = mark
            return nil
        }
        func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return (y, "\(y)-\(pad(m))-\(pad(d))")
    }

    /// Tiny cursor over the line with full-width ASCII folded and whitespace skipped.
    private struct Scanner {
        var scalars: [Unicode.Scalar]
        var position = 0

        init(_ line: String) {
            scalars = line.unicodeScalars.prefix(IssueLine.maxLength + 1).compactMap { s in
                if Punct.isSpace(s) { return nil }
                if (0xFF01...0xFF5E).contains(s.value) { return Unicode.Scalar(s.value - 0xFEE0) }
                return s
            }
            if scalars.count > IssueLine.maxLength { scalars = [] }
        }

        var atEnd: Bool { position == scalars.count }

        mutating func take(_ c: Unicode.Scalar) -> Bool {
            guard position < scalars.count, scalars[position] == c else { return false }
            position += 1
            return true
        }

        mutating func number(digits exact: Int? = nil) -> Int? {
            var value = 0
            var n = 0
            while position + n < scalars.count, n < 6, ("0"..."9").contains(scalars[position + n]) {
                value = value * 10 + Int(scalars[position + n].value - 48)
                n += 1
            }
            guard n > 0, exact == nil || n == exact else { return nil }
            position += n
            return value
        }
    }
}
