import ArgumentParser

/// The `chronos-sync` command line.
@main
struct ChronosSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chronos-sync",
        abstract: "Chronos, the job scheduler, driven by job specs kept in git.",
        version: Version.text,
        subcommands: [Serve.self, PlanCommand.self, ApplyCommand.self, StatusCommand.self, DriftCommand.self, Validate.self, JobsCommand.self, ScheduleCommand.self, ConvertCron.self, History.self, Logs.self, RunJob.self, KillJob.self, MarkSuccess.self, DisableJob.self, EnableJob.self, Import.self, MigrateState.self, VersionCommand.self]
    )
}
