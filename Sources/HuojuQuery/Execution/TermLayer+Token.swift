import HuojuIndex
import HuojuText

extension TermLayer {
    /// The index layer of a query token.
    init(_ kind: Token.Kind) {
        switch kind {
        case .gram: self = .gram
        case .word: self = .word
        }
    }
}
