import ArgumentParser
import Foundation
import HuojuIndex
import HuojuServer
import Logging
import NIOCore
import ServiceLifecycle

/// `huojud serve --corpus DIR [--index DIR] [--socket PATH]`: the query daemon.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the index on a Unix domain socket (builds it first when missing or outdated).",
        discussion: """
        Watches the corpus folder and indexes new, changed and removed files as they settle. \
        Stops on SIGTERM/SIGINT or a `shutdown` request from the owner; SIGHUP reopens --log-file and reindexes what changed. \
        Started by systemd with a socket (LISTEN_FDS, contrib/systemd/huojud.socket), it serves that socket instead of binding one.
        """
    )

    @Option(help: "The archive folder the index is built from.")
    var corpus: String?

    @OptionGroup var options: IndexOptions

    @OptionGroup var zones: ZonesOption

    @Option(help: "Socket path (default: $XDG_RUNTIME_DIR/huoju.sock, else huoju.sock in the index folder).")
    var socket: String?

    @Option(help: "Socket permissions, octal: 0600 (owner only) or 0660 (owner and group).")
    var socketMode: String = "0600"

    @Option(help: "Seconds a connection may stay idle before it is closed.")
    var idleTimeout: Int = 60

    @Option(help: "Seconds a client has to finish sending a request line once it started it.")
    var requestTimeout: Int = 10

    @Option(help: "Connections served at once; more are refused (default: what `ulimit -n` leaves, up to 4096).")
    var maxConnections: Int?

    @Flag(help: "Rebuild a damaged index from --corpus instead of refusing to serve it.")
    var repair = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    @Option(help: "Append the log to this file instead of standard error; SIGHUP reopens it (after logrotate moved it).")
    var logFile: String?

    @Flag(help: "Do not watch the corpus folder (reindex only on `huoju reindex` and SIGHUP).")
    var noWatch = false

    @Option(help: "Seconds between rescans of the corpus while inotify's limits leave folders unwatched.")
    var rescanInterval: Double = 30

    @OptionGroup var merging: MergeOptions

    func run() async throws {
        guard let mode = mode_t(socketMode, radix: 8), mode & 0o007 == 0, mode & 0o600 == 0o600, mode & ~0o777 == 0 else {
            throw ValidationError("--socket-mode must give the owner read/write and nothing to others (0600 or 0660), not \(socketMode)")
        }
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("unknown --log-level \(logLevel)") }
        guard idleTimeout > 0, requestTimeout > 0, (maxConnections ?? 1) > 0, rescanInterval > 0 else {
            throw ValidationError("--idle-timeout, --request-timeout, --max-connections and --rescan-interval must be positive")
        }
        if repair && corpus == nil { throw ValidationError("--repair rebuilds from the corpus: give --corpus DIR") }
        if let logFile { try Self.redirectStandardError(to: logFile) }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "huojud")
        let activation: SocketActivation?
        do throws(SocketGuard.Failure) { activation = try SocketActivation.fromEnvironment() } catch { throw RuntimeError(error.description) }
        if let activation, let socket, socket != activation.path {
            logger.notice("serving the socket systemd passed; --socket is ignored", metadata: ["socket": "\(activation.path)", "ignored": "\(socket)"])
        }
        let path = activation?.path ?? socket ?? Self.defaultSocket(index: options.index)

        let lock: Int32
        do throws(SocketGuard.Failure) {
            lock = try SocketGuard.lockIndex(options.index)
            // A passed socket's file is the socket unit's: it is live, and stays.
            if activation == nil { try SocketGuard.claimSocketPath(path) }
        } catch {
            throw RuntimeError(error.description)
        }
        defer { close(lock) }

        let index = LiveIndex(directory: options.index, corpus: corpus.map(absolute), gazetteer: try zones.gazetteer(),
                              policy: merging.policy, rescanInterval: rescanInterval, logger: logger)
        do { try index.open(watch: !noWatch, repair: repair) } catch let error as IndexError {
            switch error {
            case .corrupt, .io:
                throw RuntimeError("refusing to serve a damaged index: \(error); let the daemon rebuild it: `huojud serve --repair --corpus \(corpus ?? "DIR")`")
            case .missing, .incompatible:
                // Only without --corpus: with it, the daemon builds the index first.
                throw RuntimeError("\(error); give --corpus DIR and huojud serve builds it first")
            }
        } catch {
            throw RuntimeError("\(error)")
        }
        let service = QueryService(index: index, ownerUID: geteuid(), logger: logger)

        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        signal(SIGHUP, SIG_IGN)
        let logFile = self.logFile
        hangup.setEventHandler {
            if let logFile {
                do { try Self.redirectStandardError(to: logFile) } catch {
                    logger.warning("SIGHUP: cannot reopen the log file; logging on to the old one", metadata: ["reason": "\(error)"])
                }
            }
            logger.notice("SIGHUP: reindexing")
            if case .failure(let error) = index.request(.incremental, trigger: .signal) {
                logger.warning("reindex not started", metadata: ["reason": "\(error.message)"])
            }
        }
        hangup.resume()

        let server = HuojudServer(
            configuration: ServerConfiguration(socketPath: path, socketMode: activation?.mode ?? mode, idleTimeout: .seconds(Int64(idleTimeout)),
                                               requestTimeout: .seconds(Int64(requestTimeout)),
                                               maxConnections: maxConnections ?? ServerConfiguration.defaultConnectionLimit(),
                                               listeningDescriptor: activation?.descriptor),
            service: service, logger: logger
        )
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: server, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        try await group.run()
    }

    /// Points standard error, where the log (and any sanitizer report) goes, at `path`,
    /// appending: at start, and again on SIGHUP, so a log that logrotate moved away is
    /// followed by a new file of the same name.
    static func redirectStandardError(to path: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw RuntimeError("cannot open the log file \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard dup2(fd, 2) == 2 else { throw RuntimeError("cannot log to \(path): \(String(cString: strerror(errno)))") }
    }

    static func defaultSocket(index: String) -> String {
        if let runtime = ProcessInfo.processInfo.environment["XDG_RUNTIME_DIR"], !runtime.isEmpty { return runtime + "/huoju.sock" }
        return index + "/huoju.sock"
    }
}
