import ChronosEngine
import Foundation
import JobSpec
import Testing
@testable import MesosLauncher

/// The framework's decisions, driven with plain values.
struct FrameworkCoreTests {
    static func job(_ name: String, cpus: Double = 1, mem: Double = 64, constraints: [Constraint] = []) -> Job {
        var job = Job(name: name)
        job.command = "echo \(name)"
        job.cpus = cpus
        job.mem = mem
        job.disk = 10
        job.constraints = constraints
        return job
    }

    static func run(_ name: String, due: Int64 = 1000) -> RunRecord {
        RunRecord(taskID: TaskID(due: due, attempt: 0, job: name), state: .running, trigger: .schedule, readyAt: due, queuedAt: due)
    }

    static func offer(_ id: String, agent: String = "S1", host: String = "h1", cpus: Double = 4, mem: Double = 1024,
                      attributes: [JSON] = []) -> Offer {
        func scalar(_ name: String, _ value: Double) -> JSON {
            ["name": .string(name), "type": "SCALAR", "scalar": ["value": .double(value)], "role": "*", "allocation_info": ["role": "*"]]
        }
        return Offer(id: id, agentID: agent, hostname: host, agentURL: "http://127.0.0.1:5051",
                     resources: [scalar("cpus", cpus), scalar("mem", mem), scalar("disk", 1000)], attributes: attributes)
    }

    static func text(_ name: String, _ value: String) -> JSON { ["name": .string(name), "type": "TEXT", "text": ["value": .string(value)]] }

    /// A core subscribed as F1 at time 0 (stream generation 1).
    static func subscribed(frameworkID: String? = nil) -> FrameworkCore {
        var core = FrameworkCore(settings: FrameworkSettings(), frameworkID: frameworkID)
        _ = core.tick(now: 0)
        _ = core.received(.subscribed(frameworkID: "F1", heartbeatSeconds: 1), generation: 1, now: 0)
        return core
    }

    static func calls(_ effects: [Effect], _ type: String) -> [JSON] {
        effects.compactMap { if case .call(let call) = $0, call["type"].string == type { call } else { nil } }
    }

    @Test func theFirstSubscribeHasNoIdAndAResubscribeCarriesTheStoredOneTwice() throws {
        var fresh = FrameworkCore(settings: FrameworkSettings(), frameworkID: nil)
        guard case .subscribe(1, let call) = try #require(fresh.tick(now: 0).first) else { Issue.record("no SUBSCRIBE"); return }
        #expect(call["framework_id"].isNull)
        #expect(call["subscribe"]["framework_info"]["failover_timeout"].number == 604_800)
        #expect(call["subscribe"]["framework_info"]["checkpoint"].bool == true)
        #expect(call["subscribe"]["framework_info"]["user"].string == "root")

        var again = FrameworkCore(settings: FrameworkSettings(), frameworkID: "F7")
        guard case .subscribe(_, let second) = try #require(again.tick(now: 0).first) else { Issue.record("no SUBSCRIBE"); return }
        #expect(second["framework_id"].idValue == "F7")
        #expect(second["subscribe"]["framework_info"]["id"].idValue == "F7")
    }

    @Test func theFrameworkIdIsStoredBeforeAnythingElseIsDone() {
        var core = FrameworkCore(settings: FrameworkSettings(), frameworkID: nil)
        _ = core.tick(now: 0)
        _ = core.launch(Self.run("a"), job: Self.job("a"), now: 0)
        let effects = core.received(.subscribed(frameworkID: "F1", heartbeatSeconds: 15), generation: 1, now: 0)
        #expect(effects.first == .storeFrameworkID("F1"))
        #expect(core.frameworkID == "F1")
    }

    @Test func runsArePackedIntoOneOfferTheirIntentStoredBeforeTheAccept() throws {
        var core = Self.subscribed()
        for name in ["a", "b", "c"] { _ = core.launch(Self.run(name), job: Self.job(name, cpus: 1.5), now: 0) }
        let effects = core.received(.offers([Self.offer("O1"), Self.offer("O2", agent: "S2", host: "h2")]), generation: 1, now: 10)
        let accepts = Self.calls(effects, "ACCEPT")
        #expect(accepts.count == 2)
        let first = accepts[0]["accept"]["operations"].array[0]
        #expect(first["launch"]["task_infos"].array.count == 2)  // 1.5 + 1.5 of 4 cpus; the third goes to O2
        let stores = effects.prefix { if case .call = $0 { false } else { true } }.filter { if case .storeTask = $0 { true } else { false } }
        #expect(stores.count == 2)
        #expect(accepts[0]["accept"]["filters"]["refuse_seconds"].number == 5)
        #expect(core.queue.isEmpty)
        #expect(Self.calls(effects, "SUPPRESS").count == 1)
    }

    @Test func offersNobodyNeedsAreDeclinedAndOffersSuppressed() {
        var core = Self.subscribed()
        let effects = core.received(.offers([Self.offer("O1"), Self.offer("O2")]), generation: 1, now: 10)
        let declines = Self.calls(effects, "DECLINE")
        #expect(declines.count == 1)
        #expect(declines[0]["decline"]["offer_ids"].array.count == 2)
        #expect(declines[0]["decline"]["filters"]["refuse_seconds"].number == 5)
        #expect(core.suppressed)
        let revive = core.launch(Self.run("a"), job: Self.job("a"), now: 20)
        #expect(Self.calls(revive, "REVIVE").count == 1)
    }

    @Test func aRunThatFitsNoOfferWaitsAndSaysWhy() throws {
        var core = Self.subscribed()
        let id = Self.run("big").taskID
        _ = core.launch(Self.run("big"), job: Self.job("big", cpus: 64), now: 0)
        let effects = core.received(.offers([Self.offer("O1")]), generation: 1, now: 10)
        #expect(Self.calls(effects, "ACCEPT").isEmpty)
        let reason = try #require(effects.compactMap { if case .waiting(id, let reason) = $0 { reason } else { nil } }.first)
        #expect(reason.contains("cpus 64"))
        // The same reason is not told again.
        let again = core.received(.offers([Self.offer("O2")]), generation: 1, now: 20)
        #expect(!again.contains { if case .waiting = $0 { true } else { false } })
    }

    @Test func chronosConstraintsAndItsRuleForAMissingAttribute() {
        let rack1 = Self.offer("O1", host: "agent1", attributes: [Self.text("rack", "r1"), ["name": "gen", "type": "SCALAR", "scalar": ["value": 3]]])
        let bare = Self.offer("O2", host: "agent2")
        func allow(_ attribute: String, _ op: Constraint.Operator, _ value: String, _ offer: Offer) -> Bool {
            Constraints.allow([Constraint(attribute: attribute, op: op, value: value)], offer)
        }
        #expect(allow("rack", .EQUALS, "r1", rack1))
        #expect(!allow("rack", .EQUALS, "r", rack1))
        #expect(allow("rack", .LIKE, "r[0-9]", rack1))
        #expect(!allow("rack", .LIKE, "r", rack1))  // a full match, not a search
        #expect(allow("gen", .LIKE, "3", rack1))
        #expect(!allow("rack", .UNLIKE, "r1", rack1))
        #expect(allow("rack", .UNLIKE, "r2", rack1))
        #expect(!allow("rack", .UNLIKE, "r2", bare))  // missing: UNLIKE fails, as in Chronos
        #expect(!allow("rack", .LIKE, ".*", bare))
        #expect(allow("hostname", .EQUALS, "agent2", bare))  // synthesised from the offer's hostname
        #expect(allow("hostname", .LIKE, "agent[12]", rack1))
    }

    @Test func anUpdateIsStoredAndReportedThenAcknowledgedOnlyWithAUUID() throws {
        var core = Self.subscribed()
        let id = Self.run("a").taskID
        _ = core.launch(Self.run("a"), job: Self.job("a"), now: 0)
        _ = core.received(.offers([Self.offer("O1")]), generation: 1, now: 1)
        let running = core.received(.update(TaskStatus(taskID: id.description, state: "TASK_RUNNING", agentID: "S1", uuid: "U1")), generation: 1, now: 2)
        guard case .started(id, let info) = try #require(running.first) else { Issue.record("not started: \(running)"); return }
        #expect(info.host == "h1")
        #expect(AgentSandbox(info.sandbox)?.path == "/frameworks/F1/executors/\(id)/runs/latest")
        #expect(Self.calls(running, "ACKNOWLEDGE").first?["acknowledge"]["uuid"].string == "U1")

        let finished = core.received(.update(TaskStatus(taskID: id.description, state: "TASK_FAILED", agentID: "S1", uuid: "U2",
                                                        message: "Command exited with status 3")), generation: 1, now: 3)
        let kinds = finished.map { effect -> String in
            switch effect {
            case .storeTask: "store"
            case .ended(_, let outcome): "ended \(outcome)"
            case .call(let call): call["type"].string ?? ""
            default: "other"
            }
        }
        #expect(kinds == ["store", "ended exited(3)", "ACKNOWLEDGE"])

        // A reconciliation answer (no uuid) is never acknowledged.
        let answer = core.received(.update(TaskStatus(taskID: id.description, state: "TASK_FAILED", agentID: "S1", source: "SOURCE_MASTER")), generation: 1, now: 4)
        #expect(Self.calls(answer, "ACKNOWLEDGE").isEmpty)
    }

    @Test func unreachableIsNotFinalUntilReconciled() {
        var core = Self.subscribed()
        let id = Self.run("a").taskID
        _ = core.launch(Self.run("a"), job: Self.job("a"), now: 0)
        _ = core.received(.offers([Self.offer("O1")]), generation: 1, now: 1)
        _ = core.received(.update(TaskStatus(taskID: id.description, state: "TASK_RUNNING", agentID: "S1", uuid: "U1")), generation: 1, now: 2)
        let lost = core.received(.update(TaskStatus(taskID: id.description, state: "TASK_UNREACHABLE", agentID: "S1", source: "SOURCE_MASTER")), generation: 1, now: 3)
        #expect(!lost.contains { if case .ended = $0 { true } else { false } })
        // The master is asked again, explicitly, with backoff.
        let asked = core.tick(now: 3 + 1000)
        #expect(Self.calls(asked, "RECONCILE").first?["reconcile"]["tasks"].array.first?["task_id"].idValue == id.description)
        #expect(Self.calls(core.tick(now: 3 + 1500), "RECONCILE").isEmpty)
        // The agent came back: the task runs on, and its end is its own.
        _ = core.received(.update(TaskStatus(taskID: id.description, state: "TASK_RUNNING", agentID: "S1", source: "SOURCE_MASTER")), generation: 1, now: 5000)
        #expect(core.tasks[id]?.uncertainSince == nil)
        let done = core.received(.update(TaskStatus(taskID: id.description, state: "TASK_FINISHED", agentID: "S1", uuid: "U3")), generation: 1, now: 6000)
        #expect(done.contains(.ended(id, .exited(0))))
    }

    @Test func goneIsFinalAndAnUnreachableTaskIsGivenUpAfterItsTimeout() {
        var core = Self.subscribed()
        let a = Self.run("a").taskID
        let b = Self.run("b").taskID
        _ = core.launch(Self.run("a"), job: Self.job("a"), now: 0)
        _ = core.launch(Self.run("b"), job: Self.job("b"), now: 0)
        _ = core.received(.offers([Self.offer("O1")]), generation: 1, now: 1)
        let gone = core.received(.update(TaskStatus(taskID: a.description, state: "TASK_GONE", agentID: "S1", source: "SOURCE_MASTER")), generation: 1, now: 2)
        #expect(gone.contains { if case .ended(a, .lost) = $0 { true } else { false } })
        _ = core.received(.update(TaskStatus(taskID: b.description, state: "TASK_UNKNOWN", source: "SOURCE_MASTER")), generation: 1, now: 2)
        let later = 2 + FrameworkSettings().unreachableTimeout + 1
        _ = core.received(.heartbeat, generation: 1, now: later - 10)
        let expired = core.tick(now: later)
        #expect(expired.contains { if case .ended(b, .lost) = $0 { true } else { false } })
        #expect(Self.calls(expired, "KILL").count == 1)
    }

    @Test func aSilentStreamIsClosedAfterFiveHeartbeatsAndResubscribedWithCappedBackoff() throws {
        var core = Self.subscribed(frameworkID: nil)
        #expect(core.tick(now: 4_900).allSatisfy { if case .closeStream = $0 { false } else { true } })
        let dead = core.tick(now: 5_100)
        #expect(dead.contains(.closeStream(generation: 1)))
        #expect(!core.isSubscribed)
        #expect(!core.tick(now: 5_200).contains { if case .subscribe = $0 { true } else { false } })
        let again = core.tick(now: 5_100 + 500)
        guard case .subscribe(2, let call) = try #require(again.first) else { Issue.record("no SUBSCRIBE: \(again)"); return }
        #expect(call["framework_id"].idValue == "F1")
        // Refused again and again: the delay doubles, up to its cap.
        var now: Int64 = 5_600
        var delays: [Int64] = []
        for generation in 2...8 {
            _ = core.streamClosed(generation: generation, reason: "refused", now: now)
            var at = now
            while !core.tick(now: at).contains(where: { if case .subscribe = $0 { true } else { false } }) { at += 100 }
            delays.append(at - now)
            now = at
        }
        #expect(delays == [1000, 2000, 4000, 8000, 15000, 15000, 15000])
    }

    @Test func everySubscribedStartsExplicitReconciliationOfLaunchedTasks() {
        var core = Self.subscribed()
        let id = Self.run("a").taskID
        _ = core.launch(Self.run("a"), job: Self.job("a"), now: 0)
        _ = core.received(.offers([Self.offer("O1")]), generation: 1, now: 1)
        _ = core.streamClosed(generation: 1, reason: "dropped", now: 2)
        _ = core.tick(now: 1000)
        let effects = core.received(.subscribed(frameworkID: "F1", heartbeatSeconds: 1), generation: 2, now: 1001)
        let reconcile = Self.calls(effects, "RECONCILE")
        #expect(reconcile.first?["reconcile"]["tasks"].array.map { $0["task_id"].idValue } == [id.description])
        #expect(reconcile.first?["reconcile"]["tasks"].array.first?["agent_id"].idValue == "S1")
    }

    @Test func killEndsAWaitingRunAtOnceAndSendsKillForALaunchedOne() {
        var core = Self.subscribed()
        let a = Self.run("a").taskID
        _ = core.launch(Self.run("a"), job: Self.job("a", cpus: 99), now: 0)
        let (known, effects) = core.kill(a, reason: "by hand", now: 1)
        #expect(known)
        #expect(effects.contains(.ended(a, .killed("by hand"))))
        let b = Self.run("b").taskID
        _ = core.launch(Self.run("b"), job: Self.job("b"), now: 2)
        _ = core.received(.offers([Self.offer("O1")]), generation: 1, now: 3)
        let (_, kill) = core.kill(b, reason: "replaced", now: 4)
        #expect(Self.calls(kill, "KILL").first?["kill"]["agent_id"].idValue == "S1")
        let killed = core.received(.update(TaskStatus(taskID: b.description, state: "TASK_KILLED", agentID: "S1", uuid: "U")), generation: 1, now: 5)
        #expect(killed.contains(.ended(b, .killed("replaced"))))
        #expect(!core.kill(TaskID(due: 1, attempt: 0, job: "zzz"), reason: "x", now: 6).known)
    }

    @Test func anAdoptedRunIsReconciledOrReportedFromItsRecord() {
        var core = FrameworkCore(settings: FrameworkSettings(), frameworkID: "F1")
        let ended = core.adopt(Self.run("a"), job: Self.job("a"), record: TaskRecord(agentID: "S1", hostname: "h1", agentURL: nil, state: "TASK_FINISHED"), now: 0)
        #expect(ended == [.ended(Self.run("a").taskID, .exited(0))])
        _ = core.adopt(Self.run("b"), job: Self.job("b"), record: TaskRecord(agentID: "S2", hostname: "h2", agentURL: nil, state: "TASK_STAGING"), now: 0)
        _ = core.tick(now: 0)
        let effects = core.received(.subscribed(frameworkID: "F1", heartbeatSeconds: 15), generation: 1, now: 1)
        #expect(Self.calls(effects, "RECONCILE").first?["reconcile"]["tasks"].array.first?["agent_id"].idValue == "S2")
    }

    @Test func aRemovedFrameworkForgetsItsIdAndEndsItsTasks() {
        var core = Self.subscribed()
        let id = Self.run("a").taskID
        _ = core.launch(Self.run("a"), job: Self.job("a"), now: 0)
        _ = core.received(.offers([Self.offer("O1")]), generation: 1, now: 1)
        let effects = core.received(.error("Framework has been removed"), generation: 1, now: 2)
        #expect(effects.contains(.storeFrameworkID(nil)))
        #expect(effects.contains { if case .ended(id, .lost) = $0 { true } else { false } })
        #expect(core.frameworkID == nil)
    }

    @Test func masterAddressesAndRedirects() {
        #expect(MasterAddress.parse("http://h1:5050,h2:5050") == ["http://h1:5050", "http://h2:5050"])
        #expect(MasterAddress.parse("zk://h/mesos") == nil)
        #expect(MasterAddress.base(of: "//leader:5051/api/v1/scheduler", relativeTo: "http://h1:5050") == "http://leader:5051")
        #expect(MasterAddress.base(of: "https://leader:5051/x", relativeTo: "http://h1:5050") == "https://leader:5051")
        let masters = MasterAddress(masters: ["http://h1:5050", "http://h2:5050"])
        masters.redirect("//h3:5050/api/v1/scheduler", from: masters.current)
        #expect(masters.current == "http://h3:5050")
        masters.next()
        #expect(masters.current == "http://h2:5050")
    }
}

/// TaskInfo details the end-to-end tests do not reach.
struct TaskBuilderTests {
    @Test func aBridgedDockerJobGetsAHostPortFromTheOfferAndAMesosJobAnImage() throws {
        var job = FrameworkCoreTests.job("web")
        var container = Container()
        container.image = "nginx:1"
        container.network = .BRIDGE
        var network = NetworkInfo()
        var mapping = PortMapping()
        mapping.containerPort = 80
        network.portMappings = [mapping]
        container.networkInfos = [network]
        job.container = container
        var offer = FrameworkCoreTests.offer("O1")
        offer.resources.append(["name": "ports", "type": "RANGES", "ranges": ["range": [["begin": 31000, "end": 31002]]], "role": "*"])
        var resources = OfferResources(offer, role: "*")
        let builder = TaskBuilder(settings: FrameworkSettings())
        let info = builder.taskInfo(FrameworkCoreTests.run("web"), job: job, offer: offer, resources: &resources)
        let mappings = info["container"]["docker"]["port_mappings"].array
        #expect(mappings.first?["host_port"].number == 31000 && mappings.first?["container_port"].number == 80)
        let ports = try #require(info["resources"].array.first { $0["name"].string == "ports" })
        #expect(ports["ranges"]["range"].array.first?["begin"].number == 31000)
        #expect(resources.portCount == 2)

        container.type = .MESOS
        container.network = .HOST
        container.networkInfos = []
        job.container = container
        let mesos = builder.taskInfo(FrameworkCoreTests.run("web"), job: job, offer: offer, resources: &resources)
        #expect(mesos["container"]["mesos"]["image"]["docker"]["name"].string == "nginx:1")
        #expect(mesos["container"]["docker"].isNull)
    }

    @Test func aCustomExecutorGetsTheCommandInItsData() {
        var job = FrameworkCoreTests.job("custom")
        job.executor = "/opt/executor"
        job.executorFlags = "--fast"
        var resources = OfferResources(FrameworkCoreTests.offer("O1"), role: "*")
        let info = TaskBuilder(settings: FrameworkSettings()).taskInfo(FrameworkCoreTests.run("custom"), job: job, offer: FrameworkCoreTests.offer("O1"), resources: &resources)
        #expect(info["command"].isNull)
        #expect(info["executor"]["command"]["value"].string == "/opt/executor")
        #expect(info["data"].string == Data("--fast|echo custom".utf8).base64EncodedString())
    }

    @Test func endedTaskRecordsAreForgottenAReconciliationIntervalLater() {
        var core = FrameworkCoreTests.subscribed()
        let id = FrameworkCoreTests.run("a").taskID
        _ = core.launch(FrameworkCoreTests.run("a"), job: FrameworkCoreTests.job("a"), now: 0)
        _ = core.received(.offers([FrameworkCoreTests.offer("O1")]), generation: 1, now: 1)
        _ = core.received(.update(TaskStatus(taskID: id.description, state: "TASK_FINISHED", agentID: "S1", uuid: "U")), generation: 1, now: 2)
        #expect(!core.tick(now: 100).contains(.storeTask(id, nil)))
        #expect(core.tick(now: 2 + FrameworkSettings().reconciliationInterval + 1).contains(.storeTask(id, nil)))
    }
}
