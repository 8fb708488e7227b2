import Foundation

/// Something a person should hear about: a job that failed for good, ran out of retries, was disabled,
/// or succeeded and asked to say so; a git sync that failed; drift that appeared. The scheduler and the
/// sync produce them; the notifier delivers them (mail to the owner, chat, webhooks) without holding
/// either up.
package struct Notice: Sendable, Hashable, Codable {
    package enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// A run failed and the job has no retries.
        case failed
        /// A run failed and its last retry failed too.
        case retriesExhausted = "retries_exhausted"
        /// The job was disabled after `--disable-after-failures` failures in a row.
        case disabled
        /// A run succeeded and the job has `notifyOnSuccess`.
        case succeeded
        /// A git sync failed (fetch or validation).
        case syncFailed = "sync_failed"
        /// Jobs were changed outside git.
        case drift
    }

    package var kind: Kind
    /// When it happened (epoch ms).
    package var at: Int64
    /// The job, for run notices.
    package var job: String?
    /// The job's `owner`: comma-separated addresses.
    package var owner: String = ""
    /// The run, for run notices.
    package var run: RunRecord?
    /// One line saying what happened.
    package var summary: String

    package init(kind: Kind, at: Int64, job: String? = nil, owner: String = "", run: RunRecord? = nil, summary: String) {
        self.kind = kind
        self.at = at
        self.job = job
        self.owner = owner
        self.run = run
        self.summary = summary
    }

    /// The owner's addresses, trimmed, without empty entries.
    package var ownerAddresses: [String] {
        owner.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// Where the scheduler and the sync hand their notices: it must return at once (it only queues).
package protocol NoticeSink: Sendable {
    func post(_ notices: [Notice])
}
