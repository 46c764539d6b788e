#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few file-system operations the commit protocol relies on, with errors that name the path.
enum FileIO {
    static func errorText(_ what: String, _ path: String) -> IndexError {
        .io("\(what) \(path): \(String(cString: strerror(errno)))")
    }

    /// Writes a new file and fsyncs it before returning, so a later rename publishes only
    /// complete data.
    static func writeDurably(_ bytes: [UInt8], to path: String) throws(IndexError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw errorText("cannot create", path) }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                throw errorText("cannot write", path)
            }
            written += count
        }
        guard fsync(fd) == 0 else { throw errorText("cannot fsync", path) }
    }

    static func fsyncDirectory(_ path: String) throws(IndexError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw errorText("cannot open directory", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw errorText("cannot fsync directory", path) }
    }

    static func rename(_ from: String, _ to: String) throws(IndexError) {
        guard Glibc.rename(from, to) == 0 else { throw errorText("cannot rename \(from) to", to) }
    }

    static func makeDirectory(_ path: String) throws(IndexError) {
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw errorText("cannot create directory", path) }
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func remove(_ path: String) { unlink(path) }

    /// The path with symbolic links and `..` resolved, or the path itself when it does not exist.
    static func canonical(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func listDirectory(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func readAll(_ path: String) throws(IndexError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw errorText("cannot open", path) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 { if errno == EINTR { continue }; throw errorText("cannot read", path) }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }
}

/// A read-only memory mapping of a whole file, unmapped when released.
///
/// Fuzz builds (`-D HUOJU_FUZZ_HEAP_FILES`, see scripts/fuzz) read the file into a heap
/// buffer of exactly its size instead: AddressSanitizer cannot see reads past the end of a
/// mapping (the rest of the page is readable), but it reports any past the end of a heap block.
final class MappedFile: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    let name: String

    init(path: String, name: String) throws(IndexError) {
        self.name = name
        #if HUOJU_FUZZ_HEAP_FILES
        let contents = try FileIO.readAll(path)
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: contents.count, alignment: 16)
        copy.copyBytes(from: contents)
        bytes = UnsafeRawBufferPointer(copy)
        #else
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileIO.errorText("cannot open index file", path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileIO.errorText("cannot stat", path) }
        let size = Int(info.st_size)
        if size == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), address != MAP_FAILED else {
            throw FileIO.errorText("cannot map", path)
        }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
        #endif
    }

    deinit {
        #if HUOJU_FUZZ_HEAP_FILES
        UnsafeMutableRawBufferPointer(mutating: bytes).deallocate()
        #else
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
        #endif
    }
}
