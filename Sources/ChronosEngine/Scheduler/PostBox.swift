import Synchronization

/// A queue that any number of threads post to and one taker drains, without a lock: a post links a
/// node in with one compare-and-swap, a drain takes the whole list with one exchange. Thousands of
/// launches reporting their starts and ends at once do not queue on a mutex (whose contended path on
/// Linux is a system call).
package final class PostBox<Element: Sendable>: Sendable {
    @usableFromInline final class Node: @unchecked Sendable {
        @usableFromInline let element: Element
        /// The node posted before this one (its bits), 0 for none. Written only before the node is linked in.
        @usableFromInline var next: UInt = 0

        @inlinable init(_ element: Element) { self.element = element }
    }

    /// The last node posted (an `Unmanaged<Node>`'s bits, holding one retain), 0 when empty.
    @usableFromInline let head = Atomic<UInt>(0)

    package init() {}

    deinit { _ = drain() }

    /// Adds `element`; true when the box was empty (the taker may need waking).
    @discardableResult @inlinable
    package func post(_ element: Element) -> Bool {
        let node = Node(element)
        let bits = UInt(bitPattern: Unmanaged.passRetained(node).toOpaque())
        var current = head.load(ordering: .relaxed)
        while true {
            node.next = current
            let (done, found) = head.compareExchange(expected: current, desired: bits,
                                                     successOrdering: .releasing, failureOrdering: .relaxed)
            if done { return current == 0 }
            current = found
        }
    }

    /// Takes everything posted so far, in the order it was posted.
    @inlinable package func drain() -> [Element] {
        var bits = head.exchange(0, ordering: .acquiring)
        var taken: [Element] = []
        while let pointer = UnsafeRawPointer(bitPattern: bits) {
            let node = Unmanaged<Node>.fromOpaque(pointer).takeRetainedValue()
            taken.append(node.element)
            bits = node.next
        }
        return taken.reversed()
    }
}
