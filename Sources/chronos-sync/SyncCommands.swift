import ArgumentParser
import ChronosEngine
import Foundation
import JobSpec
import Reconciler

/// `chronos-sync plan`: what a sync would change.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what a sync of the repository would change, Terraform-style.",
        discussion: """
            Compares the jobs of the commit (--repo, default the repository it runs in; --ref; --path) with the \
            live jobs of --server, or of the data folder. Exit codes: 1 on error; with --detailed-exitcode, \
            0 when nothing would change and 2 when something would.
            """
    )

    @Option(help: "The git repository: a path or a URL.")
    var repo: String?

    @Option(help: "The branch, tag or commit.")
    var ref: String?

    @Option(help: "The folder of specs inside the repository.")
    var path: String = "jobs"

    @OptionGroup var target: TargetOptions

    @Flag(help: "Print the plan as JSON.")
    var json = false

    @Flag(help: "Exit 0 when nothing would change, 2 when something would.")
    var detailedExitcode = false

    @Option(help: "Also save the plan as JSON to this file.")
    var out: String?

    func run() async throws {
        let plan: Plan
        var errors: [String] = []
        if target.server != nil {
            struct Document: Decodable { var plan: Plan; var errors: [String] }
            let document = try JSONDecoder().decode(Document.self, from: try await target.get("/v1/sync/plan"))
            plan = document.plan
            errors = document.errors
        } else {
            // The sync's own fetch, load, assess and plan steps, against the stored jobs and applied record.
            let source = LibGit2Source(GitSourceOptions(location: repo ?? FileManager.default.currentDirectoryPath, ref: ref, folder: path,
                                                        mirrorDirectory: target.data.directory + "/git"))
            let revision = try await FetchStep.run(source)
            var live: [LiveJob] = []
            var record = AppliedRecord()
            if FileManager.default.fileExists(atPath: target.data.statePath) {
                let store = try target.data.openStore(create: false)
                live = try await store.load().jobs.map { LiveJob(job: $0.job, source: $0.source) }
                record = try await AppliedRecord.load(from: store)
            }
            do throws(SyncFailure) {
                var hashes = SpecHashes()
                let snapshot = try await LoadStep.run(source, revision, now: .now)
                plan = SyncPlan.make(snapshot, live: live, record: record, hashes: &hashes, fingerprinted: true).plan
            } catch {
                guard error.isInvalidCommit else { throw error }
                plan = .empty(revision: revision.commit)
                errors = error.diagnostics.map(\.description)
            }
        }
        if !errors.isEmpty {
            errors.forEach(Output.stderr)
            Output.stderr("the revision does not load: \(errors.count) error(s); a sync would apply nothing")
            throw ExitCode(1)
        }
        let document = out != nil || json ? plan.prettyJSON() : []
        if let out { try Data(document).write(to: URL(fileURLWithPath: out)) }
        if json {
            print(String(decoding: document, as: UTF8.self))
        } else {
            print(plan.text(color: Output.useColor), terminator: "")
        }
        if plan.refused != nil { throw ExitCode(1) }
        if detailedExitcode && !plan.isEmpty { throw ExitCode(2) }
    }
}

/// `chronos-sync status`: the sync status of a server or a data folder.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the sync status: revision, state, errors, drift.")

    @OptionGroup var target: TargetOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let data: Data
        if let server = target.client() {
            data = try await server.get("/v1/sync/status")
        } else {
            let store = try target.data.openStore(create: false)
            guard let text = try await store.value(for: "sync.status") else { throw CommandError("no sync has run on \(target.data.directory)") }
            data = Data(text.utf8)
        }
        let status = try JSONDecoder().decode(SyncStatus.self, from: data)
        if json {
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("\(status.state.rawValue): \(status.message)")
        print("source \(status.source) \(status.ref), folder \(status.folder)")
        print("revision \(status.revision.isEmpty ? "-" : status.revision), applied \(status.appliedRevision.isEmpty ? "-" : status.appliedRevision)")
        status.errors.forEach { print("  \($0)") }
        for item in status.drift { print("  drift: \(item.name) \(item.kind.rawValue)") }
        if status.state != .Synced { throw ExitCode(2) }
    }
}

/// `chronos-sync drift`: jobs changed outside git.
struct DriftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "drift", abstract: "List jobs changed, created or deleted outside git, with field-level differences.")

    @OptionGroup var target: TargetOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let drift: [DriftItem]
        if let server = target.client() {
            drift = try JSONDecoder().decode([String: [DriftItem]].self, from: try await server.get("/v1/sync/drift"))["drift"] ?? []
        } else {
            let store = try target.data.openStore(create: false)
            guard let text = try await store.value(for: "sync.status") else { throw CommandError("no sync has run on \(target.data.directory)") }
            drift = try JSONDecoder().decode(SyncStatus.self, from: Data(text.utf8)).drift
        }
        if json {
            try Output.printJSON(drift)
        } else if drift.isEmpty {
            print("no drift: the live jobs match git")
        } else {
            for item in drift {
                print("\(item.kind == .deleted ? "-" : item.kind == .created ? "+" : "~") \(item.name) (\(item.kind.rawValue) outside git)")
                for field in item.fields { print("    \(field.field): \(field.old ?? "(unset)") (git) → \(field.new ?? "(unset)") (live)") }
            }
        }
        if !drift.isEmpty { throw ExitCode(2) }
    }
}

/// `chronos-sync apply [FILE]`: apply a saved plan exactly, or plan, confirm and apply that plan.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Apply what a sync would change, on --server or on the server of --data.",
        discussion: """
            With FILE, applies a plan saved with `plan --out FILE` exactly. Without it, asks the server for \
            its plan, shows it, asks for confirmation (--auto-approve skips it; without a terminal it is \
            required) and applies exactly that plan. Refused (exit 1) when the live jobs changed since the \
            plan was made, or when the plan's commit no longer gives the same changes.
            """
    )

    @Argument(help: "A plan file saved with `plan --out`.")
    var file: String?

    @Flag(help: "Apply without asking for confirmation.")
    var autoApprove = false

    @OptionGroup var target: TargetOptions

    func run() async throws {
        let server = try target.requireClient()
        let plan: Data
        if let file {
            guard let saved = FileManager.default.contents(atPath: file) else { throw CommandError("cannot read \(file)") }
            plan = saved
        } else {
            struct Document: Decodable { var plan: Plan; var errors: [String] }
            let document = try JSONDecoder().decode(Document.self, from: try await server.get("/v1/sync/plan"))
            if !document.errors.isEmpty {
                document.errors.forEach(Output.stderr)
                throw CommandError("the revision does not load: \(document.errors.count) error(s); nothing to apply")
            }
            print(document.plan.text(color: Output.useColor), terminator: "")
            if let refused = document.plan.refused { throw CommandError("not applied: \(refused)") }
            if document.plan.isEmpty {
                print("nothing to apply")
                return
            }
            if !autoApprove {
                guard isatty(0) == 1 else {
                    throw CommandError("apply asks for confirmation on a terminal; pass --auto-approve to apply without one")
                }
                print("Apply these changes? Only 'yes' is accepted: ", terminator: "")
                guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else {
                    print("not applied")
                    throw ExitCode(1)
                }
            }
            plan = try JSONEncoder().encode(document.plan)
        }
        let answer: Data
        do {
            answer = try await server.apply(plan: plan)
        } catch let refusal as ServerRefusal {
            throw CommandError("the plan was not applied (\(refusal.status)): \(refusal.message)")
        }
        let status = try JSONDecoder().decode(SyncStatus.self, from: answer)
        print("\(status.state.rawValue): \(status.message)")
    }
}
