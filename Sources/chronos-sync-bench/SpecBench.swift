import Foundation
import JobSpec

// Benchmarks for the job spec layer. Run through scripts/bench, which builds in release mode and
// measures the baselines (Python's croniter and PyYAML) in the same run.
//
//   chronos-sync-bench next-runs N STEPS CRON_OUT   N mixed schedules, STEPS next runs each;
//                                                   writes the cron lines and zones to CRON_OUT
//   chronos-sync-bench gen-jobs DIR N [ZONES]       writes N job spec files to DIR; with ZONES, every job
//                                                   has one of that many time zones (up to 20), environment
//                                                   variables and resources

/// A small deterministic generator (SplitMix64), so every run benchmarks the same schedules.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
}

let zones = ["UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata"]

/// Twenty zones for `gen-jobs DIR N ZONES`: the five above, then zones with other offsets and rules.
let manyZones = zones + [
    "America/Los_Angeles", "America/Chicago", "America/Sao_Paulo", "America/St_Johns", "Europe/Berlin",
    "Europe/Moscow", "Africa/Cairo", "Asia/Tokyo", "Asia/Shanghai", "Asia/Kathmandu", "Asia/Tehran",
    "Australia/Sydney", "Pacific/Auckland", "Pacific/Chatham", "America/Denver",
]

func cronLine(_ g: inout SplitMix) -> String {
    let minute = g.pick(["*/5", "0", "15", "*/15", "0,30", "10-50/10", "7"])
    let hour = g.pick(["*", "2", "*/2", "9-17", "0,12", "*/6", "3"])
    let dom = g.pick(["*", "*", "*", "1", "1,15", "10-20", "*/3"])
    let month = g.pick(["*", "*", "*", "JAN-JUN", "*/2", "3,6,9,12"])
    let dow = g.pick(["*", "*", "MON-FRI", "0", "SAT,SUN", "1-5"])
    return "\(minute) \(hour) \(dom) \(month) \(dow)"
}

func isoLine(_ g: inout SplitMix) -> String {
    let start = "2026-\(pad2(g.int(1...12)))-\(pad2(g.int(1...28)))T\(pad2(g.int(0...23))):\(pad2(g.pick([0, 15, 30, 45]))):00"
    let period = g.pick(["PT5M", "PT1H", "P1D", "PT24H", "P1W", "P1M", "PT90M", "P1DT12H", "PT15M"])
    return "R/\(start)/\(period)"
}

func pad2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

func nextRuns(count: Int, steps: Int, cronOut: String) throws {
    var g = SplitMix(state: 42)
    var schedules: [Schedule] = []
    var cronSchedules: [Schedule] = []
    var cronText = ""
    for i in 0..<count {
        let zone = try Zone.named(zones[i % zones.count])
        if i % 2 == 0 {
            let line = cronLine(&g)
            let schedule = try Schedule.parse(line, timeZone: zone)
            schedules.append(schedule)
            cronSchedules.append(schedule)
            cronText += "\(zone.identifier)\t\(line)\n"
        } else {
            schedules.append(try Schedule.parse(isoLine(&g), timeZone: zone))
        }
    }
    try cronText.write(toFile: cronOut, atomically: true, encoding: .utf8)
    let start = Instant(millis: 1_767_225_600_000)  // 2026-01-01T00:00:00Z
    func measure(_ list: [Schedule]) -> (rate: Double, checksum: Int64) {
        var checksum: Int64 = 0
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for schedule in list {
                var t = start
                for _ in 0..<steps {
                    guard let n = schedule.next(after: t, firstApplied: start) else { break }
                    checksum &+= n.millis
                    t = n
                }
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return (Double(list.count * steps) / seconds, checksum)
    }
    _ = measure(Array(schedules.prefix(200)))  // warm-up: zone files, caches
    let mixed = measure(schedules)
    let cron = measure(cronSchedules)
    print("next-runs mixed \(Int(mixed.rate)) per second (\(schedules.count) schedules × \(steps), checksum \(mixed.checksum))")
    print("next-runs cron \(Int(cron.rate)) per second (\(cronSchedules.count) cron schedules × \(steps))")
}

/// Writes `count` job files to `folder`. With `zoneCount`, every job (children too) has one of the first
/// `zoneCount` of `manyZones`, two or three environment variables, and cpus, mem and disk.
func generateJobs(folder: String, count: Int, zoneCount: Int? = nil) throws {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    var g = SplitMix(state: 7)
    let chosen = zoneCount.map { Array(manyZones.prefix(max(1, $0))) }
    for i in 0..<count {
        var text = "name: job-\(i)\ndescription: Generated job number \(i)\ncommand: echo job \(i)\nowner: team-\(i % 20)@example.com\n"
        if chosen == nil {
            text += "cpus: 0.25\nmem: 128\nretries: 2\n"
        } else {
            text += "cpus: \(g.pick(["0.1", "0.25", "0.5", "1", "2"]))\nmem: \(g.pick([64, 128, 256, 512, 1024]))\ndisk: \(g.pick([0, 100, 512, 2048]))\nretries: 2\n"
        }
        let zone = "scheduleTimeZone: \(zones[i % zones.count])\n"
        if i > 0 && i % 5 == 0 {
            text += "parents:\n  - job-\(i - 1)\n  - job-\(i - 2)\n"
        } else if i % 2 == 0 {
            text += "cron: \"\(cronLine(&g))\"\n" + (chosen == nil ? zone : "")
        } else {
            text += "schedule: \(isoLine(&g))\n" + (chosen == nil ? zone + "environmentVariables:\n  - name: MODE\n    value: fast\n" : "")
        }
        if let chosen {
            text += "scheduleTimeZone: \(chosen[i % chosen.count])\nenvironmentVariables:\n"
            text += "  - name: MODE\n    value: \(g.pick(["fast", "safe", "batch"]))\n  - name: TEAM\n    value: team-\(i % 20)\n"
            if i % 3 == 0 { text += "  - name: REGION\n    value: \"\(g.pick(["eu-west-1", "us-east-1", "ap-south-1"]))\"\n" }
        }
        try text.write(toFile: "\(folder)/job-\(i).yaml", atomically: false, encoding: .utf8)
    }
}
