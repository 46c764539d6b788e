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

    public init(socketPath: String, socketMode: mode_t = 0o600, idleTimeout: TimeAmount = .seconds(60),
                requestTimeout: TimeAmount = .seconds(10), threads: Int = System.coreCount) {
        self.socketPath = socketPath
        self.socketMode = socketMode
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.threads = threads
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
            .childChannelOption(.allowRemoteHalfClosure, value: false)
            .childChannelInitializer { channel in
                Self.peer(of: channel).flatMap { peer in
                    guard let peer, configuration.allows(peer) else {
                        logger.warning("refused connection", metadata: ["peer": "\(peer.map { "uid \($0.uid) gid \($0.gid) pid \($0.pid)" } ?? "unknown")"])
                        let line = #"{"v":1,"id":null,"ok":false,"error":{"code":"forbidden","message":"this huojud serves only its owner"}}"# + "\n"
                        return channel.writeAndFlush(ByteBuffer(string: line)).flatMap { channel.close() }
                    }
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers([
                            IdleStateHandler(readTimeout: configuration.idleTimeout),
                            BackPressureHandler(),
                            LineFramer(limit: ProtocolVersion.maximumRequestBytes, requestTimeout: configuration.requestTimeout),
                            RequestHandler(service: service, pool: pool, peer: peer, server: state),
                        ])
                    }
                }
            }

        // The socket is created owner-only and then opened up to exactly the requested mode:
        // it is never world-accessible, not even between bind and chmod.
        let previousMask = umask(0o177)
        let listener: Channel
        do {
            listener = try await bootstrap.bind(unixDomainSocketPath: path).get()
        } catch {
            umask(previousMask)
            throw SocketGuard.Failure(description: "cannot listen on \(path): \(error)")
        }
        umask(previousMask)
        chmod(path, configuration.socketMode)
        listenerBox.withLock { $0 = listener }
        logger.notice("serving", metadata: ["socket": "\(path)", "mode": "\(String(configuration.socketMode, radix: 8))"])

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
        unlink(path)
        logger.notice("stopped", metadata: ["socket": "\(path)"])
    }

    /// SO_PEERCRED of a Unix-socket connection.
    private static func peer(of channel: Channel) -> EventLoopFuture<Peer?> {
        guard let provider = channel as? SocketOptionProvider else { return channel.eventLoop.makeSucceededFuture(nil) }
        let future: EventLoopFuture<PeerCredentials> = provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        return future.map { Peer(pid: $0.pid, uid: $0.uid, gid: $0.gid) }.recover { _ in nil }
    }
}

/// Layout of Linux's `struct ucred`.
struct PeerCredentials: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}
