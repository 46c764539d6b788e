#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HuojuProtocol
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

public struct ServerConfiguration: Sendable {
    public var socketPath: String
    /// Permission bits of the socket file: 0o600 (owner) or 0o660 (owner and group).
    public var socketMode: mode_t
    public var idleTimeout: TimeAmount
    public var requestTimeout: TimeAmount
    public var threads: Int
    /// Connections served at once; more are refused with a `busy` reply.
    public var maxConnections: Int
    /// A listening socket to serve instead of binding `socketPath` (systemd socket
    /// activation); its file belongs to the socket unit, so it is left in place at exit.
    public var listeningDescriptor: Int32?

    public init(socketPath: String, socketMode: mode_t = 0o600, idleTimeout: TimeAmount = .seconds(60),
                requestTimeout: TimeAmount = .seconds(10), threads: Int = System.coreCount,
                maxConnections: Int = ServerConfiguration.defaultConnectionLimit(), listeningDescriptor: Int32? = nil) {
        self.listeningDescriptor = listeningDescriptor
        self.socketPath = socketPath
        self.socketMode = socketMode
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.threads = threads
        self.maxConnections = maxConnections
    }

    /// Descriptors the daemon keeps for itself beyond connections: event loop, reindex
    /// (corpus files, segment files, folders), log and lock files.
    static let reservedDescriptors = 32

    /// What the descriptor limit (`ulimit -n`) leaves for connections: running out of
    /// descriptors is then a refused connection, not a failed reindex or a stalled accept loop.
    public static func defaultConnectionLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 4096 }
        return max(1, Int(clamping: min(4096, limit.rlim_cur)) - reservedDescriptors)
    }

    /// Who may connect: the daemon's uid always; its gid too when the socket is group-accessible.
    func allows(_ peer: Peer) -> Bool {
        peer.uid == geteuid() || (socketMode & 0o060 != 0 && peer.gid == getegid())
    }
}

/// The listening daemon as a ServiceLifecycle service: serves until SIGTERM/SIGINT or a
/// `shutdown` request, then stops accepting, lets in-flight requests finish, removes the
/// socket file and returns.
public final class HuojudServer: Service, Sendable {
    private let configuration: ServerConfiguration
    private let service: QueryService
    private let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    private let pool: NIOThreadPool

    public init(configuration: ServerConfiguration, service: QueryService, logger: Logger) {
        self.configuration = configuration
        self.service = service
        self.logger = logger
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        pool = NIOThreadPool(numberOfThreads: max(1, configuration.threads))
    }

    public func run() async throws {
        pool.start()
        do {
            try await serve()
        } catch {
            try? await pool.shutdownGracefully()
            try? await group.shutdownGracefully()
            throw error
        }
        try? await pool.shutdownGracefully()
        try? await group.shutdownGracefully()
    }

    private func serve() async throws {
        let path = configuration.socketPath
        let listenerBox = Mutex<Channel?>(nil)
        let state = ServerState { listenerBox.withLock { $0 }?.close(promise: nil) }
        let configuration = self.configuration, service = self.service, pool = self.pool, logger = self.logger

        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelInitializer { channel in
                // Out of descriptors (EMFILE): pause accepting for a second instead of spinning, and say so.
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        AcceptBackoffHandler(shouldForwardIOErrorCaught: true),
                        AcceptErrorLogger(logger: logger),
                    ])
                }
            }
            .childChannelOption(.allowRemoteHalfClosure, value: false)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ConnectionGate(configuration: configuration, state: state, service: service, pool: pool, logger: logger))
                }
            }

        let listener: Channel
        if let descriptor = configuration.listeningDescriptor {
            do { listener = try await bootstrap.withBoundSocket(descriptor).get() } catch {
                throw SocketGuard.Failure(description: "cannot serve the socket passed by systemd (\(path)): \(error)")
            }
        } else {
            // The socket is created with exactly the requested mode (bind applies the umask to 0777):
            // no chmod afterwards, so no client ever sees it with another mode.
            let previousMask = umask(~configuration.socketMode & 0o777)
            do {
                listener = try await bootstrap.bind(unixDomainSocketPath: path).get()
            } catch {
                umask(previousMask)
                throw SocketGuard.Failure(description: "cannot listen on \(path): \(error)")
            }
            umask(previousMask)
        }
        listenerBox.withLock { $0 = listener }
        logger.notice("serving", metadata: ["socket": "\(path)", "mode": "\(String(configuration.socketMode, radix: 8))",
                                            "from": "\(configuration.listeningDescriptor == nil ? "bind" : "systemd")"])

        await withGracefulShutdownHandler {
            try? await listener.closeFuture.get()
        } onGracefulShutdown: {
            listener.close(promise: nil)
        }
        // Stop accepting happened above; let what is running finish (bounded).
        let deadline = ContinuousClock.now + .seconds(10)
        while state.inFlight.load(ordering: .relaxed) > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if configuration.listeningDescriptor == nil { unlink(path) }
        logger.notice("stopped", metadata: ["socket": "\(path)"])
    }

}

/// The first handler of every connection: once it is active (writes before that are lost),
/// refuses it when the daemon already serves `maxConnections` or the peer may not connect,
/// with an error line and a (throttled) log line; otherwise installs the protocol handlers
/// and steps aside. Bytes that arrive while it decides are passed on afterwards.
final class ConnectionGate: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let configuration: ServerConfiguration
    private let state: ServerState
    private let service: QueryService
    private let pool: NIOThreadPool
    private let logger: Logger
    private var early: [NIOAny] = []
    private var counted = false

    init(configuration: ServerConfiguration, state: ServerState, service: QueryService, pool: NIOThreadPool, logger: Logger) {
        self.configuration = configuration
        self.state = state
        self.service = service
        self.pool = pool
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        counted = true
        let open = state.connections.wrappingAdd(1, ordering: .relaxed).newValue
        guard open <= configuration.maxConnections else {
            if let suppressed = state.refusals.admit() {
                logger.warning("refused connection: too many connections", metadata: [
                    "limit": "\(configuration.maxConnections)", "refusedSinceLastLog": "\(suppressed)"])
            }
            return refuse(context, code: "busy", message: "too many connections; try again later")
        }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        Self.peer(of: context.channel).whenComplete { result in
            let (gate, context) = loopBound.value
            gate.admit(context, peer: (try? result.get()) ?? nil)
        }
    }

    private func admit(_ context: ChannelHandlerContext, peer: Peer?) {
        guard let peer, configuration.allows(peer) else {
            logger.warning("refused connection", metadata: ["peer": "\(peer.map { "uid \($0.uid) gid \($0.gid) pid \($0.pid)" } ?? "unknown")"])
            return refuse(context, code: "forbidden", message: "this huojud serves only its owner")
        }
        do {
            try context.pipeline.syncOperations.addHandlers([
                // Idle: no request read and no reply written (a reply that does not go out
                // is a client that does not read).
                IdleStateHandler(allTimeout: configuration.idleTimeout),
                BackPressureHandler(),
                LineFramer(limit: ProtocolVersion.maximumRequestBytes, requestTimeout: configuration.requestTimeout),
                RequestHandler(service: service, pool: pool, peer: peer, server: state),
            ], position: .after(self))
        } catch {
            context.close(promise: nil)
            return
        }
        for data in early { context.fireChannelRead(data) }
        early = []
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    private func refuse(_ context: ChannelHandlerContext, code: String, message: String) {
        let line = #"{"v":1,"id":null,"ok":false,"error":{"code":"\#(code)","message":"\#(message)"}}"# + "\n"
        let channel = context.channel
        context.writeAndFlush(NIOAny(ByteBuffer(string: line))).whenComplete { _ in channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        early.append(data)  // still deciding, or refused (then dropped)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if counted { state.connections.wrappingSubtract(1, ordering: .relaxed) }
        counted = false
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // The connection stays counted after the gate steps aside: the close future uncounts it.
        if counted {
            let state = self.state
            context.channel.closeFuture.whenComplete { _ in state.connections.wrappingSubtract(1, ordering: .relaxed) }
            counted = false
        }
    }

    /// SO_PEERCRED of a Unix-socket connection.
    private static func peer(of channel: Channel) -> EventLoopFuture<Peer?> {
        guard let provider = channel as? SocketOptionProvider else { return channel.eventLoop.makeSucceededFuture(nil) }
        let future: EventLoopFuture<PeerCredentials> = provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        return future.map { Peer(pid: $0.pid, uid: $0.uid, gid: $0.gid) }.recover { _ in nil }
    }
}

/// Logs why accepting failed (typically EMFILE: out of file descriptors), at most once a
/// second; `AcceptBackoffHandler` before it pauses accepting meanwhile.
final class AcceptErrorLogger: ChannelInboundHandler, Sendable {
    typealias InboundIn = Channel

    private let logger: Logger
    private let throttle = LogThrottle()

    init(logger: Logger) { self.logger = logger }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let suppressed = throttle.admit() {
            logger.error("cannot accept connections; pausing for a second", metadata: ["error": "\(error)", "suppressedSinceLastLog": "\(suppressed)"])
        }
        context.fireErrorCaught(error)
    }
}

/// Lets one log line through per second and counts those it held back.
final class LogThrottle: Sendable {
    private let state = Mutex<(last: ContinuousClock.Instant?, suppressed: Int)>((nil, 0))

    /// The number of events suppressed since the last admitted one, or nil to stay silent.
    func admit() -> Int? {
        state.withLock { state in
            let now = ContinuousClock.now
            if let last = state.last, now - last < .seconds(1) {
                state.suppressed += 1
                return nil
            }
            defer { state = (now, 0) }
            return state.suppressed
        }
    }
}

/// Layout of Linux's `struct ucred`.
struct PeerCredentials: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}
