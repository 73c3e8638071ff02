// Slow and malformed clients, below the router: a whole request must arrive within a deadline
// (a client that sends half a request, or one byte at a time, is cut off), and a request the
// HTTP parser refuses (a header section over 80 KiB) gets a JSON refusal with the portal's
// security headers instead of Hummingbird's bare 400.
import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Timeouts of a portal HTTP server (`portal serve`, `portal-receiver`).
public struct ConnectionLimits: Sendable {
    /// Seconds a connection may stay silent (no request part arrives) before it is closed.
    public var idleTimeout: Double
    /// Seconds from a connection's start, or from the end of its previous answer, in which the
    /// whole next request (header section and body) must arrive.
    public var requestTimeout: Double

    public init(idleTimeout: Double = 30, requestTimeout: Double = 30) {
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
    }

    /// The HTTP/1.1 server with these limits and the `ConnectionGuard`.
    ///
    /// ```swift
    /// Application(router: router, server: ConnectionLimits(requestTimeout: 10).http1, configuration: ...)
    /// ```
    public var http1: HTTPServerBuilder {
        let limits = self
        return .http1(configuration: .init(
            additionalChannelHandlers: [ConnectionGuard(requestTimeout: limits.requestTimeout)],
            idleTimeout: .nanoseconds(Int64(limits.idleTimeout * 1_000_000_000))))
    }
}

/// Closes a connection whose request does not arrive in time, and answers HTTP parse errors
/// with JSON. Sits after the HTTP/1 decoder, so it sees whole request parts.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let requestTimeout: TimeAmount
    private var deadline: Scheduled<Void>?
    /// Requests read completely whose answer has not ended yet.
    private var answering = 0
    /// A request head arrived and its end did not yet.
    private var reading = false
    private var refused = false

    init(requestTimeout: Double) {
        self.requestTimeout = .nanoseconds(Int64(requestTimeout * 1_000_000_000))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { disarm() }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if refused { return }
        switch unwrapInboundIn(data) {
        case .head:
            reading = true
            arm(context)  // a pipelined request starts its own clock if none runs
        case .body:
            break
        case .end:
            reading = false
            answering += 1
            disarm()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            answering = max(0, answering - 1)
            if answering == 0 { arm(context) }
        }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parseError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        if refused { return }
        refused = true
        disarm()
        // Mid-answer the connection can only be closed; before any answer, say why in JSON.
        guard answering == 0, !reading else {
            context.close(promise: nil)
            return
        }
        let (status, code, message): (Int, String, String) = switch parseError {
        case .headerOverflow: (431, "headers_too_large", "the request's header section is larger than 80 KiB")
        default: (400, "bad_request", "the request is not valid HTTP/1.1")
        }
        let body = Data("{\"error\":\"\(code)\",\"message\":\"\(message)\"}".utf8)
        var fields = HTTPFields()
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.contentLength] = String(body.count)
        fields[.connection] = "close"
        fields[.cacheControl] = "no-store"
        for (name, value) in SecurityHeaderFields.all { fields[.init(name)!] = value }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .init(code: status), headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(bytes: body))), promise: nil)
        // Half-close, then drop what the client still sends for a moment, so the answer is read
        // before the connection goes (closing with unread input would reset it).
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            channel.close(mode: .output, promise: nil)
            channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
        }
    }

    private func arm(_ context: ChannelHandlerContext) {
        guard deadline == nil else { return }
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: requestTimeout) { channel.close(promise: nil) }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }
}

@available(*, unavailable)
extension ConnectionGuard: Sendable {}
