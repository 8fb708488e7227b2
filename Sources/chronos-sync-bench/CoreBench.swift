import ChronosEngine
import Foundation
import JobSpec

/// The scheduler's pure core alone, N runs due at the same instant: the time of the transition that
/// prepares them (`lookahead` before) and of the one that starts them, best of five, no store and no
/// launcher. Where a dispatch's time goes before anything is written or launched.
func coreDispatch(runs count: Int) throws {
    let due: Int64 = 1_800_000_000_000
    let start = LocalDateTime(localMillis: due).description + "Z"
    let applied = try (0..<count).map { i throws -> AppliedJob in
        var job = Job(name: "run-\(i)")
        job.command = "true"
        job.schedule = "R1/\(start)/PT1H"
        return try AppliedJob(job: job, source: .spec(location: "bench"), appliedAt: due - 60_000)
    }
    var prepare: [Double] = []
    var dispatch: [Double] = []
    for _ in 0..<5 {
        var core = SchedulerCore()
        _ = core.apply(applied, now: due - 60_000)
        let t0 = DispatchTime.now().uptimeNanoseconds
        let prepared = core.advance(now: due - core.options.lookahead)
        let t1 = DispatchTime.now().uptimeNanoseconds
        let started = core.advance(now: due)
        let t2 = DispatchTime.now().uptimeNanoseconds
        guard prepared.batch.runs.count == count, started.launches.count == count else {
            print("core-dispatch: \(prepared.batch.runs.count) prepared, \(started.launches.count) started of \(count)")
            return
        }
        prepare.append(Double(t1 - t0) / 1e6)
        dispatch.append(Double(t2 - t1) / 1e6)
    }
    print(String(format: "core-dispatch runs %d prepare %.1f ms start %.1f ms (best of 5; %.2f µs a run at the due time)",
                 count, prepare.min()!, dispatch.min()!, dispatch.min()! * 1000 / Double(count)))
}
