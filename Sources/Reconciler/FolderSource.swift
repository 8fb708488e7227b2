import ChronosEngine
import JobSpec
import Logging
import ServiceLifecycle

/// Keeps the scheduler's jobs equal to a plain folder of specs (`serve --jobs DIR`): loads the folder
/// every `interval`, and applies it whole when it is valid and has changed. An invalid folder applies
/// nothing; the jobs last applied keep running and the errors are logged.
package struct FolderSource: Service {
    let path: String
    let scheduler: Scheduler
    let interval: Duration
    let logger: Logger

    package init(path: String, scheduler: Scheduler, interval: Duration = .seconds(5), logger: Logger = Logger(label: "chronos-sync.folder")) {
        self.path = path
        self.scheduler = scheduler
        self.interval = interval
        self.logger = logger
    }

    package func run() async throws {
        // Cancelled at a graceful shutdown, which ends the sleep between loads at once.
        try await runUntilShutdown("the folder source", logger: logger) { try await self.loop() }
    }

    private func loop() async throws {
        var applied: [Job]?
        var lastErrors: [String] = []
        while !Task.isCancelled {
            let repository = JobLoader.load(path)
            if repository.isValid {
                lastErrors = []
                let jobs = repository.jobs.map(\.job)
                if jobs != applied {
                    let now = Instant.now.millis
                    try await scheduler.apply(repository.jobs.map { AppliedJob($0, source: .spec(location: $0.location()), appliedAt: now) })
                    logger.info("applied \(jobs.count) jobs from \(path)")
                    applied = jobs
                }
            } else {
                let errors = repository.diagnostics.errors.map(\.description)
                if errors != lastErrors {
                    logger.error("\(path) has \(errors.count) errors; nothing applied, the jobs applied before keep running:\n\(errors.joined(separator: "\n"))")
                    lastErrors = errors
                }
            }
            do {
                try await Task.sleep(for: interval)
            } catch is CancellationError {
                return
            }
        }
    }
}
