import ChronosEngine
import Foundation
import Hummingbird

extension Routes {
    /// How long one follow request streams before it ends; the client asks again from where it stopped.
    /// It keeps a graceful shutdown from waiting on a long run's output.
    static let followLimit: Duration = .seconds(30)

    /// `GET /v1/jobs/{name}/runs/{taskId}/stdout?follow=true&offset=N`: the file from byte `offset`, then what
    /// the run writes to it, as it writes it (a chunked response), until the run ends or `followLimit`
    /// passes. `X-Run-State` tells the state when the stream began.
    func follow(_ id: TaskID, _ stream: String, offset: Int) async throws -> Response {
        guard let run = try await server.store.run(id) else { throw APIError(.notFound, "no run \(id)") }
        let store = server.store
        let limit = Self.followLimit
        let body = ResponseBody { writer in
            var offset = offset
            var path = run.sandbox.isEmpty ? nil : run.sandbox + "/" + stream
            let deadline = ContinuousClock.now + limit
            while true {
                var ended = false
                if !Self.isGrowing(path, offset: offset) {
                    // Nothing new: is the run over? Then read what is left once more, and stop.
                    let current = try await store.run(id)
                    if path == nil, let sandbox = current?.sandbox, !sandbox.isEmpty { path = sandbox + "/" + stream }
                    ended = current?.state.isFinal ?? true
                }
                if let path {
                    let from = offset
                    let chunk = await RequestWork.run { Self.read(path, from: from) }
                    if !chunk.isEmpty {
                        offset += chunk.count
                        try await writer.write(ByteBuffer(bytes: chunk))
                        continue
                    }
                }
                if ended || ContinuousClock.now >= deadline || Task.isCancelled { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store",
                                               .init("X-Content-Type-Options")!: "nosniff", .init("X-Run-State")!: run.state.rawValue],
                        body: body)
    }

    /// True when the file holds more than `offset` bytes.
    static func isGrowing(_ path: String?, offset: Int) -> Bool {
        guard let path else { return false }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return size > offset
    }

    /// Up to 64 KiB of the file from `offset`; empty at its end or when it cannot be read.
    static func read(_ path: String, from offset: Int) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: UInt64(offset))) != nil, let data = try? handle.read(upToCount: 64 << 10) else { return [] }
        return [UInt8](data)
    }
}
