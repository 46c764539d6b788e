import HuojuProtocol
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Runs each request line on the thread pool and writes the replies back in request order.
///
/// Requests of one connection are computed concurrently but their replies are chained, so a
/// pipelining client reads them in the order it sent them. At most `maximumInFlight` requests
/// of a connection are on the pool at once, and none start while the client does not read
/// its replies: the rest wait here and the connection is not read meanwhile, so one client
/// that pipelines thousands of requests (or never reads) cannot queue the pool for everyone
/// else, nor buffer replies without bound. A connection with neither a request read nor a
/// reply written for longer than the idle timeout is closed.
final class RequestHandler: ChannelDuplexHandler {
    typealias InboundIn = LineFramer.Frame
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let maximumInFlight = 4

    private let service: QueryService
    private let pool: NIOThreadPool
    private let peer: Peer
    private let server: ServerState
    private var tail: EventLoopFuture<Void>?
    private var waiting = CircularBuffer<LineFramer.Frame>()
    private var running = 0
    private var readHeld = false

    init(service: QueryService, pool: NIOThreadPool, peer: Peer, server: ServerState) {
        self.service = service
        self.pool = pool
        self.peer = peer
        self.server = server
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        waiting.append(unwrapInboundIn(data))
        pump(context: context)
    }

    func read(context: ChannelHandlerContext) {
        if waiting.isEmpty { context.read() } else { readHeld = true }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        pump(context: context)
        context.fireChannelWritabilityChanged()
    }

    /// Starts waiting requests while there is room, then reads again once none wait.
    private func pump(context: ChannelHandlerContext) {
        while running < Self.maximumInFlight, context.channel.isWritable, let frame = waiting.popFirst() {
            start(frame, context: context)
        }
        if waiting.isEmpty, readHeld {
            readHeld = false
            context.read()
        }
    }

    private func start(_ frame: LineFramer.Frame, context: ChannelHandlerContext) {
        let eventLoop = context.eventLoop
        let channel = context.channel
        running += 1
        server.inFlight.add(1, ordering: .relaxed)
        let reply: EventLoopFuture<([UInt8], QueryService.Effect)>
        switch frame {
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
        let bound = NIOLoopBound((self, context), eventLoop: eventLoop)
        written.whenComplete { result in
            server.inFlight.subtract(1, ordering: .relaxed)
            if case .success(.shutdown) = result { server.requestShutdown() }
            let (handler, context) = bound.value
            handler.running -= 1
            handler.pump(context: context)
        }
        tail = written.map { _ in }.recover { _ in }
    }

    /// The idle timeout passed without a request read or a reply written (`allTimeout`): a
    /// client still being answered a long pipelined burst is not idle; one with nothing sent,
    /// or that does not read its replies (they stop going out), is.
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
    let connections = Atomic<Int>(0)
    let refusals = LogThrottle()
    private let shutdownRequested: @Sendable () -> Void

    init(onShutdown: @escaping @Sendable () -> Void) { shutdownRequested = onShutdown }

    func requestShutdown() { shutdownRequested() }
}
