import ArgumentParser

/// Chronos's `--mesos_task_cpu`, `--mesos_task_mem` and `--mesos_task_disk`: what a job that sets none gets.
/// `serve` reports them to such jobs; `import` leaves values equal to them out of the specs.
struct TaskResourceOptions: ParsableArguments {
    @Option(name: [.customLong("mesos-task-cpu"), .customLong("mesos_task_cpu")], help: "CPUs of a job that sets none.")
    var cpus: Double = 0.1

    @Option(name: [.customLong("mesos-task-mem"), .customLong("mesos_task_mem")], help: "Memory (MB) of a job that sets none.")
    var mem: Double = 128

    @Option(name: [.customLong("mesos-task-disk"), .customLong("mesos_task_disk")], help: "Disk (MB) of a job that sets none.")
    var disk: Double = 256
}
