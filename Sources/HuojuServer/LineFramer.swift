import NIOCore

/// Splits the byte stream of a connection into request lines.
///
/// Invariants: a frame never exceeds `limit` bytes; a longer request yields one `.tooLarge`
/// as soon as the limit is crossed and its remaining bytes, up to the next newline, are
/// dropped, so the connection stays usable. A request whose line is not complete within
/// `requestTimeout` of its first byte closes the connection: a client trickling bytes cannot
/// hold a connection (and its memory) forever. Time during which the daemon itself did not
/// read (the handler after it holds reads while earlier requests of the connection wait)
/// does not count: a client that pipelined a long burst is not the slow one. Empty lines are
/// ignored; a trailing CR is dropped.
final class LineFramer: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = Frame
    typealias OutboundIn = ByteBuffer

    enum Frame {
        case line([UInt8])
        case tooLarge
    }

    private let limit: Int
    private let requestTimeout: TimeAmount
    private var buffer: [UInt8] = []
    private var discarding = false
    private var deadline: Scheduled<Void>?
    /// Whether the daemon asked for more bytes since the deadline was armed.
    private var reading = false

    init(limit: Int, requestTimeout: TimeAmount) {
        self.limit = limit
        self.requestTimeout = requestTimeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let input = unwrapInboundIn(data)
        var view = input.readableBytesView[...]
        var completed = false
        while let newline = view.firstIndex(of: UInt8(ascii: "\n")) {
            completed = true
            let part = view[view.startIndex..<newline]
            if discarding {
                discarding = false
            } else if buffer.count + part.count > limit {
                context.fireChannelRead(wrapInboundOut(.tooLarge))
            } else {
                buffer.append(contentsOf: part)
                if buffer.last == UInt8(ascii: "\r") { buffer.removeLast() }
                if !buffer.isEmpty { context.fireChannelRead(wrapInboundOut(.line(buffer))) }
            }
            buffer.removeAll(keepingCapacity: buffer.count < 65_536)
            view = view[view.index(after: newline)...]
        }
        if !discarding && !view.isEmpty {
            if buffer.count + view.count > limit {
                discarding = true
                buffer = []
                context.fireChannelRead(wrapInboundOut(.tooLarge))
            } else {
                buffer.append(contentsOf: view)
            }
        }
        updateDeadline(context: context, newLine: completed)
    }

    /// Arms the request deadline while a line is incomplete, disarms it when none is. A line
    /// left incomplete after others were completed is a new request: its time starts now.
    private func updateDeadline(context: ChannelHandlerContext, newLine: Bool) {
        let incomplete = !buffer.isEmpty || discarding
        if incomplete, deadline == nil || newLine {
            deadline?.cancel()
            arm(context: context)
        } else if !incomplete, let scheduled = deadline {
            scheduled.cancel()
            deadline = nil
        }
    }

    private func arm(context: ChannelHandlerContext) {
        reading = false
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: requestTimeout) {
            let (framer, context) = bound.value
            // Still asking for bytes that do not come: the client is slow. Otherwise the
            // daemon held reads meanwhile; give the client its time from now on.
            if framer.reading { context.close(promise: nil) } else { framer.arm(context: context) }
        }
    }

    func read(context: ChannelHandlerContext) {
        reading = true
        context.read()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
    }
}
