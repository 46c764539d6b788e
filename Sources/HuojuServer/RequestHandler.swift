import HuojuProtocol
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Runs each request line on the thread pool and writes the replies back in request order.
///
/// Requests of one connection are computed concurrently but their replies are chained, so a
/// pipelining client reads them in the order it sent them. A connection idle for longer than
/// the idle timeout is closed.
final class RequestHandler: ChannelInboundHandler {
    typealias InboundIn = LineFramer.Frame
    typealias OutboundOut = ByteBuffer

    private let service: QueryService
    private let pool: NIOThreadPool
    private let peer: Peer
    private let server: ServerState
    private var tail: EventLoopFuture<Void>?

    init(service: QueryService, pool: NIOThreadPool, peer: Peer, server: ServerState) {
        self.service = service
        self.pool = pool
        self.peer = peer
        self.server = server
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let eventLoop = context.eventLoop
        let channel = context.channel
        server.inFlight.add(1, ordering: .relaxed)
        let reply: EventLoopFuture<([UInt8], QueryService.Effect)>
        switch unwrapInboundIn(data) {
        case .line(let bytes):
            let service = self.service, peer = self.peer
            reply = pool.runIfActive(eventLoop: eventLoop) { service.respond(to: bytes, from: peer) }
        case .tooLarge:
            reply = eventLoop.makeSucceededFuture((Self.tooLarge, .none))
        }
        let previous = tail ?? eventLoop.makeSucceededVoidFuture()
        let server = self.server
        let written = previous.flatMap { reply }.flatMap { bytes, effect in
            channel.writeAndFlush(ByteBuffer(bytes: bytes)).map { effect }
        }
        // Exactly one decrement per request, whether it was answered or the channel failed.
        written.whenComplete { result in
            server.inFlight.subtract(1, ordering: .relaxed)
            if case .success(.shutdown) = result { server.requestShutdown() }
        }
        tail = written.map { _ in }.recover { _ in }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    static let tooLarge: [UInt8] = {
        let message = "request larger than \(ProtocolVersion.maximumRequestBytes) bytes"
        return Array(#"{"v":1,"id":null,"ok":false,"error":{"code":"too_large","message":"\#(message)"}}"#.utf8) + [UInt8(ascii: "\n")]
    }()
}

/// State shared by the listener and all connections.
final class ServerState: Sendable {
    let inFlight = Atomic<Int>(0)
    private let shutdownRequested: @Sendable () -> Void

    init(onShutdown: @escaping @Sendable () -> Void) { shutdownRequested = onShutdown }

    func requestShutdown() { shutdownRequested() }
}
