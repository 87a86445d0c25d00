/// The line of requests for the one engine: first come, first served, one at a time.
///
/// A request joins (and learns at once how many are ahead of it: its queue position, 0 when the
/// engine is free), waits for its turn, and leaves when its reply is over, or when its client has
/// gone while it waited; the next in line starts then. Nothing here knows about HTTP, so the order
/// is tested without sockets.
///
/// ```swift
/// let ticket = await queue.join()          // ticket.position: how many are ahead
/// try await queue.wait(for: ticket)        // throws CancellationError if the task is cancelled
/// defer { Task { await queue.leave(ticket) } }
/// ```
public actor GenerationQueue {
    /// One place in the line.
    public struct Ticket: Sendable, Hashable {
        let id: UInt64
        /// How many requests were ahead when it joined (the running one included).
        public let position: Int
    }

    private struct Entry {
        var id: UInt64
        var waiter: CheckedContinuation<Void, any Error>?
    }

    /// The line: the first entry's reply runs (or may start); the others wait in order.
    private var line: [Entry] = []
    private var nextID: UInt64 = 0

    public init() {}

    /// How many requests are in line, the running one included.
    public var count: Int { line.count }

    /// How many are suspended in ``wait(for:)`` for their turn.
    public var waitingCount: Int { line.filter { $0.waiter != nil }.count }

    /// Joins the end of the line.
    public func join() -> Ticket {
        nextID += 1
        line.append(Entry(id: nextID, waiter: nil))
        return Ticket(id: nextID, position: line.count - 1)
    }

    /// Joins the end of the line unless `limit` requests already wait behind the running one;
    /// nil then.
    public func join(waitingAtMost limit: Int) -> Ticket? {
        guard line.count <= limit else { return nil }
        return join()
    }

    /// Returns when `ticket` is first in line.
    /// - Throws: `CancellationError` when the calling task is cancelled before then (the ticket
    ///   has then left the line).
    public func wait(for ticket: Ticket) async throws {
        try await withTaskCancellationHandler {
            try await waitInLine(ticket)
        } onCancel: {
            Task { await self.leave(ticket) }
        }
    }

    private func waitInLine(_ ticket: Ticket) async throws {
        guard let index = line.firstIndex(where: { $0.id == ticket.id }) else { throw CancellationError() }
        if index == 0 { return }
        if Task.isCancelled {
            leave(ticket)
            throw CancellationError()
        }
        try await withCheckedThrowingContinuation { continuation in
            line[index].waiter = continuation
        }
    }

    /// Leaves the line, whether running or still waiting; the next in line is woken.
    public func leave(_ ticket: Ticket) {
        guard let index = line.firstIndex(where: { $0.id == ticket.id }) else { return }
        let entry = line.remove(at: index)
        entry.waiter?.resume(throwing: CancellationError())
        if index == 0, let next = line.first, let waiter = next.waiter {
            line[0].waiter = nil
            waiter.resume()
        }
    }
}
