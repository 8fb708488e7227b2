internal import CProcess
import Foundation
import Synchronization

/// Waits for the local runs' processes on one thread: each child's pidfd joins one epoll set, and the
/// thread reaps whichever child ends. 1,000 running processes cost 1,000 descriptors and one thread,
/// where a blocking `waitpid` per process costs 1,000 threads (see BENCHMARKS.md).
final class ProcessReaper: Sendable {
    /// How a process ended: its exit status, or 128 + the signal that ended it.
    typealias Exit = @Sendable (_ status: Int32) -> Void

    private struct Watch {
        var pid: pid_t
        var onExit: Exit
    }

    /// The one reaper of this process; its thread runs for the process's life.
    static let shared = ProcessReaper()

    private let epoll: Int32
    /// The watched processes, by pidfd.
    private let watches = Mutex<[Int32: Watch]>([:])
    /// How many processes were waited for on a thread of their own (the fallback).
    private let fallbacks = Mutex(0)

    /// True when the reaper thread waits for the processes (the kernel gave an epoll set).
    var usesEpoll: Bool { epoll >= 0 }
    /// Processes waited for on a thread of their own so far.
    var fallbackThreads: Int { fallbacks.withLock { $0 } }

    private init() {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { return }
        let thread = Thread { [self] in
            // Named from inside (Foundation names only the current thread), in at most 15 characters.
            Thread.current.name = "chronos-reaper"
            loop()
        }
        thread.stackSize = 256 * 1024
        thread.start()
    }

    /// Calls `onExit` once, on the reaper thread, when the child `pid` ends, after reaping it. The
    /// callback must not block: every other run's end waits behind it.
    func watch(_ pid: pid_t, onExit: @escaping Exit) {
        // pidfds are close-on-exec, so no spawned child inherits another's.
        let fd = epoll >= 0 ? chronos_pidfd_open(pid) : -1
        guard fd >= 0 else { return waitOnOwnThread(pid, onExit) }
        // Registered before the fd joins the set: the reaper may see it end at once.
        watches.withLock { $0[fd] = Watch(pid: pid, onExit: onExit) }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = fd
        if epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) != 0 {
            watches.withLock { $0[fd] = nil }
            close(fd)
            waitOnOwnThread(pid, onExit)
        }
    }

    /// The fallback when the kernel has no pidfd (Linux before 5.3) or descriptors ran out: a small
    /// thread blocked in `waitpid` for this one process.
    private func waitOnOwnThread(_ pid: pid_t, _ onExit: @escaping Exit) {
        fallbacks.withLock { $0 += 1 }
        let thread = Thread { onExit(ProcessSpawner.wait(pid).status) }
        thread.stackSize = 256 * 1024
        thread.start()
    }

    private func loop() {
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while true {
            let count = epoll_wait(epoll, &events, Int32(events.count), -1)
            // Only EINTR fails a wait on a valid epoll descriptor: wait again.
            guard count > 0 else { continue }
            for event in events.prefix(Int(count)) { reap(event.data.fd) }
        }
    }

    private func reap(_ fd: Int32) {
        guard let watch = watches.withLock({ $0.removeValue(forKey: fd) }) else { return }
        epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nil)
        close(fd)
        // The pidfd is readable once the child has ended, so this wait does not block.
        watch.onExit(ProcessSpawner.wait(watch.pid).status)
    }
}
