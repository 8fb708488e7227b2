import Hummingbird

/// The web UI's files, compiled into the binary.
enum UIAssets {
    /// Each file's bytes and content type, by name.
    static let files: [String: (type: String, bytes: [UInt8])] = [
        "index.html": ("text/html; charset=utf-8", PackageResources.index_html),
        "app.css": ("text/css; charset=utf-8", PackageResources.app_css),
        "core.js": ("text/javascript; charset=utf-8", PackageResources.core_js),
        "jobs.js": ("text/javascript; charset=utf-8", PackageResources.jobs_js),
        "job.js": ("text/javascript; charset=utf-8", PackageResources.job_js),
        "graph.js": ("text/javascript; charset=utf-8", PackageResources.graph_js),
        "sync.js": ("text/javascript; charset=utf-8", PackageResources.sync_js),
        "edit.js": ("text/javascript; charset=utf-8", PackageResources.edit_js),
    ]

    /// The page may load its own files only: no inline script, no other origin.
    static let contentSecurityPolicy = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

    /// One file; 404 for a name the UI does not have.
    static func response(for name: String) throws -> Response {
        guard let file = files[name] else { throw APIError(.notFound, "the web UI has no file \"\(name)\"") }
        return Response(status: .ok, headers: [
            .contentType: file.type, .cacheControl: "no-cache", .init("X-Content-Type-Options")!: "nosniff",
            .contentSecurityPolicy: contentSecurityPolicy,
        ], body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }
}
