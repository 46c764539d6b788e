import HuojuIndex
import HuojuText

/// A parsed query with its text parts analyzed once, ready to run on every segment.
final class CompiledQuery {
    indirect enum Node {
        case atom(Int)
        case keyword(TermKey)
        case issue(Int)
        case dateRange(from: Int32?, to: Int32?)
        case and([Node])
        case or([Node])
        case not(Node)
    }

    struct Atom {
        let plan: PhrasePlan
        let fields: [Field]
        /// False for atoms under a `-`: they filter but never score or highlight.
        let positive: Bool
    }

    private(set) var atoms: [Atom] = []
    private(set) var root: Node = .and([])
    /// Maps a `zone:` value to the name the index stores (an alias to its canonical name).
    private let zoneName: (String) -> String

    init(_ node: QueryNode, analyzer: Analyzer, zoneName: @escaping (String) -> String = { $0 }) {
        self.zoneName = zoneName
        root = compile(node, positive: true, analyzer: analyzer)
    }

    var positivePlans: [PhrasePlan] { atoms.filter(\.positive).map(\.plan) }

    private func compile(_ node: QueryNode, positive: Bool, analyzer: Analyzer) -> Node {
        switch node {
        case .text(let text, let fields):
            atoms.append(Atom(plan: PhrasePlan(text: text, analyzer: analyzer), fields: fields, positive: positive))
            return .atom(atoms.count - 1)
        case .keyword(let field, let value):
            return .keyword(TermKey.keyword(field, Folder.shared.fold(field == .zone ? zoneName(value) : value).text))
        case .issue(let number):
            return .issue(number)
        case .dateRange(let from, let to):
            return .dateRange(from: from, to: to)
        case .and(let children):
            return .and(children.map { compile($0, positive: positive, analyzer: analyzer) })
        case .or(let children):
            return .or(children.map { compile($0, positive: positive, analyzer: analyzer) })
        case .not(let child):
            return .not(compile(child, positive: !positive, analyzer: analyzer))
        }
    }

    /// The zone (as the index stores it) of a top-level `zone:` filter when the query also has
    /// text: that zone's own articles rank first (docs/zones.md, "Search").
    var boostedZone: String? {
        guard atoms.contains(where: \.positive), case .and(let children) = root else { return nil }
        for case .keyword(let key) in children where key.bytes.first == Field.zone.rawValue {
            return String(decoding: key.bytes.dropFirst(2), as: UTF8.self)
        }
        return nil
    }

    /// The conjuncts of the root that hold no text: filters partial matches must still meet.
    var filterConjuncts: [Node] {
        guard case .and(let children) = root else { return [] }
        return children.filter { !$0.containsAtom }
    }
}

extension CompiledQuery.Node {
    var containsAtom: Bool {
        switch self {
        case .atom: true
        case .keyword, .issue, .dateRange: false
        case .and(let children), .or(let children): children.contains { $0.containsAtom }
        case .not(let child): child.containsAtom
        }
    }
}
