import ChronosEngine
import Foundation
import JobSpec

/// Builds a run's TaskInfo (`reference/mesos-http-api.md` §4), as Chronos's `MesosTaskBuilder` does: a
/// command task, or a DOCKER or MESOS container, or a custom executor.
package struct TaskBuilder: Sendable {
    package var settings: FrameworkSettings

    package init(settings: FrameworkSettings) {
        self.settings = settings
    }

    /// What a run needs from an offer.
    package struct Needs: Sendable, Hashable {
        package var cpus: Double
        package var mem: Double
        package var disk: Double
        /// Host ports of the container's port mappings (0: any free one).
        package var ports: [Int]
    }

    package func needs(_ job: Job) -> Needs {
        Needs(cpus: job.cpus > 0 ? job.cpus : settings.defaultCPUs, mem: job.mem > 0 ? job.mem : settings.defaultMem,
              disk: job.disk > 0 ? job.disk : settings.defaultDisk, ports: Self.portMappings(job).map(\.hostPort))
    }

    static func portMappings(_ job: Job) -> [PortMapping] {
        job.container?.networkInfos.flatMap(\.portMappings) ?? []
    }

    /// The TaskInfo of `run` on `offer`, taking its resources out of `resources`.
    package func taskInfo(_ run: RunRecord, job: Job, offer: Offer, resources: inout OfferResources) -> JSON {
        let needs = needs(job)
        var taken = resources.take("cpus", needs.cpus) + resources.take("mem", needs.mem)
        if needs.disk > 0 && resources.scalar("disk") > 0 { taken += resources.take("disk", needs.disk) }
        var hostPorts: [Int] = []
        if !needs.ports.isEmpty {
            let (ports, portResources) = resources.takePorts(needs.ports)
            hostPorts = ports
            taken += portResources
        }
        let id = run.taskID.description
        var task: [String: JSON] = [
            "name": .string("ChronosTask:\(job.name)"),
            "task_id": .id(id),
            "agent_id": .id(offer.agentID),
            "resources": .array(taken),
        ]
        let command = commandInfo(run, job: job, offer: offer, needs: needs)
        if job.executor.isEmpty {
            task["command"] = command
        } else {
            // A custom executor gets the command through the task's data, as Chronos sends it.
            var executorCommand: [String: JSON] = ["value": .string(job.executor), "shell": true]
            executorCommand["environment"] = command["environment"]
            if !command["uris"].isNull { executorCommand["uris"] = command["uris"] }
            if !command["user"].isNull { executorCommand["user"] = command["user"] }
            task["executor"] = ["executor_id": .id(id), "name": .string("ChronosExecutor:\(job.name)"), "command": .object(executorCommand)]
            let data = job.taskInfoData.isEmpty ? "\(job.executorFlags)|\(fullCommand(run, job: job))" : job.taskInfoData
            task["data"] = .string(Data(data.utf8).base64EncodedString())
        }
        if let container = job.container {
            task["container"] = containerInfo(container, hostPorts: hostPorts)
        }
        if job.maxCompletionTime > 0 {
            task["max_completion_time"] = ["nanoseconds": .int(Int64(job.maxCompletionTime) * 1_000_000_000)]
        }
        return .object(task)
    }

    func fullCommand(_ run: RunRecord, job: Job) -> String {
        ShellCommand.line(job, run: run)
    }

    /// CommandInfo: shell or argv (argv[0] included), fetcher URIs, environment and user.
    func commandInfo(_ run: RunRecord, job: Job, offer: Offer, needs: Needs) -> JSON {
        var command: [String: JSON] = [:]
        if job.shell {
            command["shell"] = true
            command["value"] = .string(fullCommand(run, job: job))
        } else {
            command["shell"] = false
            command["value"] = .string(job.command)
            command["arguments"] = .array(ShellCommand.argv(job, run: run).map(JSON.string))
        }
        let uris: [JSON] = job.fetch.map { entry in
            var uri: [String: JSON] = ["value": .string(entry.uri), "executable": .bool(entry.executable),
                                       "extract": .bool(entry.extract), "cache": .bool(entry.cache)]
            if !entry.output_file.isEmpty { uri["output_file"] = .string(entry.output_file) }
            return .object(uri)
        } + job.uris.map { ["value": .string($0), "executable": false, "extract": true, "cache": false] }
        if !uris.isEmpty { command["uris"] = .array(uris) }
        command["environment"] = ["variables": .array(environment(run, job: job, offer: offer, needs: needs))]
        command["user"] = .string(job.runAsUser.isEmpty ? settings.user : job.runAsUser)
        return .object(command)
    }

    /// The job's variables, then Chronos's, which a job cannot override.
    func environment(_ run: RunRecord, job: Job, offer: Offer, needs: Needs) -> [JSON] {
        let builtIn: [(String, String)] = [
            ("mesos_task_id", run.taskID.description), ("MESOS_TASK_ID", run.taskID.description),
            ("CHRONOS_JOB_OWNER", job.owner), ("CHRONOS_JOB_NAME", job.name), ("HOST", offer.hostname),
            ("CHRONOS_RESOURCE_MEM", Self.number(needs.mem)), ("CHRONOS_RESOURCE_CPU", Self.number(needs.cpus)),
            ("CHRONOS_RESOURCE_DISK", Self.number(needs.disk)),
            ("CHRONOS_JOB_RUN_TIME", String(run.taskID.due)), ("CHRONOS_JOB_RUN_ATTEMPT", String(run.taskID.attempt)),
        ]
        let reserved = Set(builtIn.map(\.0))
        let own = job.environmentVariables.filter { !reserved.contains($0.name) }.map { ($0.name, $0.value) }
        return (own + builtIn).map { ["name": .string($0.0), "value": .string($0.1)] }
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// ContainerInfo: DOCKER (image, network, port mappings, parameters, forcePullImage) or MESOS (a
    /// Docker image run by the Mesos containerizer), with volumes and, for USER networks, network infos.
    func containerInfo(_ container: Container, hostPorts: [Int]) -> JSON {
        var info: [String: JSON] = ["type": .string(container.type.rawValue)]
        let mappings = container.networkInfos.flatMap(\.portMappings)
        switch container.type {
        case .DOCKER:
            var docker: [String: JSON] = [
                "image": .string(container.image), "network": .string(container.network.rawValue),
                "force_pull_image": .bool(container.forcePullImage),
            ]
            if !container.parameters.isEmpty {
                docker["parameters"] = .array(container.parameters.map { ["key": .string($0.key), "value": .string($0.value)] })
            }
            if container.network == .BRIDGE && !mappings.isEmpty {
                docker["port_mappings"] = .array(zip(mappings, hostPorts).map { mapping, host in
                    ["host_port": .int(Int64(host)), "container_port": .int(Int64(mapping.containerPort)), "protocol": .string(mapping.protocol)]
                })
            }
            info["docker"] = .object(docker)
        case .MESOS:
            info["mesos"] = ["image": ["type": "DOCKER", "docker": ["name": .string(container.image)], "cached": .bool(!container.forcePullImage)]]
        }
        if !container.volumes.isEmpty { info["volumes"] = .array(container.volumes.map(volume)) }
        if container.network == .USER || container.type == .MESOS && !container.networkInfos.isEmpty {
            var networks = container.networkInfos
            if networks.isEmpty && !container.networkName.isEmpty {
                var network = NetworkInfo()
                network.name = container.networkName
                networks = [network]
            }
            var ports = hostPorts[...]
            info["network_infos"] = .array(networks.map { network in
                var entry: [String: JSON] = ["ip_addresses": [["protocol": .string(network.protocol.rawValue)]]]
                if !network.name.isEmpty { entry["name"] = .string(network.name) }
                if !network.labels.isEmpty {
                    entry["labels"] = ["labels": .array(network.labels.map { ["key": .string($0.key), "value": .string($0.value)] })]
                }
                if !network.portMappings.isEmpty {
                    entry["port_mappings"] = .array(network.portMappings.map { mapping in
                        let host = ports.popFirst() ?? mapping.hostPort
                        return ["host_port": .int(Int64(host)), "container_port": .int(Int64(mapping.containerPort)), "protocol": .string(mapping.protocol)]
                    })
                }
                return .object(entry)
            })
        }
        return .object(info)
    }

    func volume(_ volume: Volume) -> JSON {
        var entry: [String: JSON] = ["container_path": .string(volume.containerPath), "mode": .string(volume.mode.rawValue)]
        if let host = volume.hostPath, !host.isEmpty { entry["host_path"] = .string(host) }
        if let external = volume.external {
            var dockerVolume: [String: JSON] = ["name": .string(external.name)]
            if !external.provider.isEmpty { dockerVolume["driver"] = .string(external.provider) }
            if !external.options.isEmpty {
                dockerVolume["driver_options"] = ["parameter": .array(external.options.map { ["key": .string($0.key), "value": .string($0.value)] })]
            }
            entry["source"] = ["type": "DOCKER_VOLUME", "docker_volume": .object(dockerVolume)]
        }
        return .object(entry)
    }
}
