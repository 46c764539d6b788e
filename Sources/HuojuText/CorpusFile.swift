#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one archive file from disk and decodes it, with a reason a person can act on when
/// that fails (permission denied, a directory, binary content, an unknown charset…).
public enum CorpusFile {
    public enum Failure: Error, CustomStringConvertible, Sendable {
        case unreadable(String)
        case decoding(InputDecoder.Failure)

        public var description: String {
            switch self {
            case .unreadable(let why): why
            case .decoding(let failure): failure.description
            }
        }
    }

    /// Files above this size are refused rather than read into memory.
    public static let maximumSize = 256 << 20

    public static func read(_ path: String) -> Result<InputDecoder.Decoded, Failure> {
        switch readBytes(path) {
        case .failure(let failure): return .failure(failure)
        case .success(let bytes):
            do { return .success(try InputDecoder.decode(bytes)) } catch { return .failure(.decoding(error)) }
        }
    }

    public static func readBytes(_ path: String) -> Result<[UInt8], Failure> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(.unreadable(errnoDescription())) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(.unreadable(errnoDescription())) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return .failure(.unreadable("not a regular file")) }
        guard Int(info.st_size) <= maximumSize else {
            return .failure(.unreadable("larger than \(maximumSize >> 20) MiB"))
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(Int(info.st_size))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(.unreadable(errnoDescription()))
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > maximumSize { return .failure(.unreadable("larger than \(maximumSize >> 20) MiB")) }
        }
        return .success(bytes)
    }

    static func errnoDescription() -> String { String(cString: strerror(errno)) }
}
