import CICU

/// Swift-side helpers around the plain-C ICU door (`CICU`).
enum ICU {
    /// The linked ICU version; part of the analyzer identity stored in an index.
    static let version: String = String(cString: hj_icu_version())

    /// Calls a C function that fills a UTF-8 buffer and returns the length it needs,
    /// growing the buffer once when the first guess is too small. Nil on an ICU error.
    static func fillUTF8(initialCapacity: Int, _ body: (UnsafeMutablePointer<CChar>, Int32) -> Int32) -> String? {
        var capacity = max(initialCapacity, 16)
        for _ in 0..<2 {
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: capacity)
            defer { buffer.deallocate() }
            let needed = Int(body(buffer, Int32(capacity)))
            if needed < 0 { return nil }
            if needed <= capacity {
                return String(decoding: UnsafeRawBufferPointer(start: buffer, count: needed), as: UTF8.self)
            }
            capacity = needed
        }
        return nil
    }

    /// NFKC_Casefold of a whole string through ICU (the reference the fast fold must equal).
    static func nfkcCasefold(_ text: String) -> String {
        var text = text
        return text.withUTF8 { utf8 in
            fillUTF8(initialCapacity: utf8.count * 2) { out, cap in
                hj_nfkc_casefold(utf8.baseAddress, Int32(utf8.count), out, cap)
            } ?? ""
        }
    }
}

/// An ICU transform such as `Traditional-Simplified`. Not thread-safe: ICU transliterators
/// keep state, so each owner serializes its use.
final class Transliterator {
    private let handle: OpaquePointer

    init?(id: String) {
        guard let handle = hj_transliterator_open(id) else { return nil }
        self.handle = handle
    }

    deinit { hj_transliterator_close(handle) }

    func transform(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { utf8 in
            ICU.fillUTF8(initialCapacity: utf8.count + 16) { out, cap in
                hj_transliterate(handle, utf8.baseAddress, Int32(utf8.count), out, cap)
            }
        }
    }
}
