import Hummingbird
import NIOCore
import NIOHTTPTypes

/// Closes a connection once a 401 answer is written: a client without the right credentials does not
/// get to keep a socket (and a file descriptor) of the server.
final class CloseAfterUnauthorized: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var closing = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            if head.status == .unauthorized { closing = true }
        case .end where closing:
            context.writeAndFlush(data, promise: promise)
            context.close(promise: nil)
            return
        default:
            break
        }
        context.write(data, promise: promise)
    }
}
