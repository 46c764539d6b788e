import Foundation
import HuojuParser

/// Locates the shared sample corpus and the repo's Samples/ without copying anything.
enum Fixtures {
    /// `$HUOJU_SHARED`, else the first ancestor A of this file with `A/../shared/corpus` or
    /// `A/shared/corpus`. Symlinks are resolved so a scratch package pointing at the repo works.
    static func sharedDirectory(filePath: String = #filePath) -> URL? {
        if let env = ProcessInfo.processInfo.environment["HUOJU_SHARED"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        return ancestors(of: filePath).lazy.flatMap { dir in
            [dir.deletingLastPathComponent().appendingPathComponent("shared"), dir.appendingPathComponent("shared")]
        }.first { exists($0.appendingPathComponent("corpus")) }
    }

    /// The repository's `Samples/` directory.
    static func samplesDirectory(filePath: String = #filePath) -> URL? {
        ancestors(of: filePath).lazy.map { $0.appendingPathComponent("Samples") }
            .first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("2023_05.txt").path) }
    }

    static func corpusFile(_ name: String) throws -> String {
        guard let shared = sharedDirectory() else { throw Missing(what: "shared/corpus (set HUOJU_SHARED)") }
        return try String(contentsOf: shared.appendingPathComponent("corpus").appendingPathComponent(name), encoding: .utf8)
    }

    static func sample(_ name: String) throws -> String {
        guard let dir = samplesDirectory() else { throw Missing(what: "Samples/") }
        return try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
    }

    struct Missing: Error, CustomStringConvertible {
        var what: String
        var description: String { "cannot locate \(what)" }
    }

    private static func ancestors(of filePath: String) -> [URL] {
        var dir = URL(fileURLWithPath: filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        var result: [URL] = []
        while dir.pathComponents.count > 1 {
            result.append(dir)
            dir = dir.deletingLastPathComponent()
        }
        return result
    }

    private static func exists(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}

/// The fields of an article the acceptance tables pin down.
struct Expected: Equatable, CustomStringConvertible {
    var title: String
    var section: String?
    var source: String?
    var byline: String?

    init(_ title: String, section: String? = nil, source: String? = nil, byline: String? = nil) {
        self.title = title
        self.section = section
        self.source = source
        self.byline = byline
    }

    init(_ article: Article) {
        self.init(article.title, section: article.section, source: article.source, byline: article.byline)
    }

    var description: String { "\(title) | \(section ?? "-") | \(source ?? "-") | \(byline ?? "-")" }
}

extension String {
    var withoutWhitespace: String { String(unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init)) }
}

extension ParsedIssue {
    /// Everything an article keeps, whitespace removed, in reading order.
    var keptText: String {
        articles.map { $0.title + $0.body + ($0.source ?? "") + ($0.byline ?? "") }.joined().withoutWhitespace
    }

    func body(titled title: String) -> String? { articles.first { $0.title == title }?.body }
}
