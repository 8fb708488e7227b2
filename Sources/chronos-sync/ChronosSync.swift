import ArgumentParser

/// The `chronos-sync` command line.
@main
struct ChronosSync: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chronos-sync",
        abstract: "Chronos, the job scheduler, driven by job specs kept in git.",
        version: Version.text,
        subcommands: [Validate.self, JobsCommand.self, ScheduleCommand.self, ConvertCron.self, VersionCommand.self]
    )
}
