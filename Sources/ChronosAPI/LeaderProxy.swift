import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// Forwards a request to the leader as it came (method, path, query, headers with the credentials, body)
/// and streams the leader's answer back as it arrives, so a log being followed keeps flowing.
enum LeaderProxy {
    /// Headers of one hop, never forwarded (RFC 9110 §7.6.1).
    static let hopByHop: Set<String> = ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
                                        "proxy-authenticate", "proxy-authorization", "host", "content-length"]

    static func forward(_ request: Request, to base: String, bodyLimit: Int, logger: Logger) async throws -> Response {
        guard let url = URL(string: base), let host = url.host, let port = url.port ?? (url.scheme == "https" ? 443 : 80) as Int? else {
            throw APIError(.serviceUnavailable, "the leader's address \(base) cannot be used")
        }
        let body = try await request.body.collect(upTo: bodyLimit)
        var headers = HTTPHeaders()
        for field in request.headers where !hopByHop.contains(field.name.canonicalName) {
            headers.add(name: field.name.rawName, value: field.value)
        }
        headers.add(name: "Host", value: "\(host):\(port)")
        headers.add(name: "Connection", value: "close")
        headers.add(name: LeaderDispatch.proxiedHeader, value: "1")
        if body.readableBytes > 0 || request.method == .post || request.method == .put {
            headers.add(name: "Content-Length", value: String(body.readableBytes))
        }
        let head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: request.method.rawValue), uri: request.uri.description, headers: headers)

        let (parts, sink) = AsyncThrowingStream<ByteBuffer, any Error>.makeStream()
        let group = MultiThreadedEventLoopGroup.singleton
        let responseHead = group.any().makePromise(of: HTTPResponseHead.self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(5))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(UpstreamHandler(head: responseHead, body: sink))
                    }
                }
                .connect(host: host, port: port).get()
        } catch {
            responseHead.fail(error)
            logger.warning("the leader at \(base) cannot be reached: \(error)")
            throw APIError(.serviceUnavailable, "the leader at \(base) cannot be reached (\(error)); retry shortly")
        }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if body.readableBytes > 0 { channel.write(HTTPClientRequestPart.body(.byteBuffer(body)), promise: nil) }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        let answer: HTTPResponseHead
        do {
            answer = try await responseHead.futureResult.get()
        } catch {
            channel.close(promise: nil)
            throw APIError(.serviceUnavailable, "the leader at \(base) did not answer (\(error)); retry shortly")
        }
        var fields = HTTPFields()
        for (name, value) in answer.headers where !hopByHop.contains(name.lowercased()) {
            if let fieldName = HTTPFields.Element.Name(name) { fields.append(.init(name: fieldName, value: value)) }
        }
        return Response(status: .init(code: Int(answer.status.code), reasonPhrase: answer.status.reasonPhrase), headers: fields,
                        body: ResponseBody { writer in
                            defer { channel.close(promise: nil) }
                            for try await chunk in parts { try await writer.write(chunk) }
                            try await writer.finish(nil)
                        })
    }
}

/// Hands the leader's answer on: its head through a promise, its body through a stream.
private final class UpstreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    let head: EventLoopPromise<HTTPResponseHead>
    let body: AsyncThrowingStream<ByteBuffer, any Error>.Continuation
    private var headSeen = false

    init(head: EventLoopPromise<HTTPResponseHead>, body: AsyncThrowingStream<ByteBuffer, any Error>.Continuation) {
        self.head = head
        self.body = body
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let received):
            headSeen = true
            head.succeed(received)
        case .body(let chunk):
            body.yield(chunk)
        case .end:
            body.finish()
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !headSeen { head.fail(error) }
        body.finish(throwing: error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !headSeen { head.fail(ChannelError.ioOnClosedChannel) }
        body.finish()
    }
}
