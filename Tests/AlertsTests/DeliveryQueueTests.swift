import Alerts
import Testing

@Suite struct DeliveryQueueTests {
    typealias Queue = DeliveryQueue<String>

    @Test func sendsInOrderOneAtATime() {
        var queue = Queue()
        let offered = [queue.offer("a", now: 0), queue.offer("b", now: 0)]
        let first = queue.take(now: 0)?.item
        // One send at a time: nothing else is handed out until it is finished.
        let whileBusy = queue.take(now: 0)
        let dueWhileBusy = queue.nextDue
        let sent = queue.finished(ok: true, now: 5)
        let second = queue.take(now: 5)?.item
        let sentAgain = queue.finished(ok: true, now: 6)
        #expect(offered == [true, true])
        #expect(first == "a")
        #expect(whileBusy == nil && dueWhileBusy == nil)
        #expect(sent == .sent && sentAgain == .sent)
        #expect(second == "b")
        #expect(queue.count == 0)
    }

    @Test func retriesWithDoublingBackoffThenGivesUp() {
        var queue = Queue(limits: .init(capacity: 10, maxAttempts: 4, backoff: 1000, maxBackoff: 3000))
        _ = queue.offer("a", now: 0)
        _ = queue.take(now: 0)
        var outcomes = [queue.finished(ok: false, now: 100)]
        let early = queue.take(now: 1099)
        let due = queue.nextDue
        let attempts = queue.take(now: 1100)?.attempts
        outcomes.append(queue.finished(ok: false, now: 1200))
        _ = queue.take(now: 3200)
        // The backoff stops growing at its cap.
        outcomes.append(queue.finished(ok: false, now: 3300))
        _ = queue.take(now: 6300)
        outcomes.append(queue.finished(ok: false, now: 6400))
        #expect(outcomes == [.retry(at: 1100), .retry(at: 3200), .retry(at: 6300), .gaveUp])
        #expect(early == nil && due == 1100 && attempts == 1)
        #expect(queue.count == 0)
    }

    @Test func aRetryDoesNotHoldBackWhatIsDue() {
        var queue = Queue()
        _ = queue.offer("a", now: 0)
        _ = queue.offer("b", now: 0)
        _ = queue.take(now: 0)
        let failed = queue.finished(ok: false, now: 0)
        // "a" waits for its backoff; "b", due, goes now.
        let next = queue.take(now: 10)?.item
        _ = queue.finished(ok: true, now: 10)
        let nothing = queue.take(now: 10)
        let retried = queue.take(now: 1000)?.item
        #expect(failed == .retry(at: 1000))
        #expect(next == "b" && nothing == nil && retried == "a")
    }

    @Test func aFullQueueDropsWhatArrives() {
        var queue = Queue(limits: .init(capacity: 2))
        var offered = [queue.offer("a", now: 0), queue.offer("b", now: 0), queue.offer("c", now: 0)]
        _ = queue.take(now: 0)
        // The one in flight no longer takes a place.
        offered.append(queue.offer("c", now: 0))
        #expect(offered == [true, true, false, true])
        #expect(queue.drain() == 2)
    }
}
