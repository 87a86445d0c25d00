import PonderServe
import Testing

/// The line for the one engine, without sockets: positions, first come first served, and a
/// request whose client goes while it waits leaving its place.
///
/// Each test takes milliseconds, but the limit counts from when the runner starts it, and with
/// `make test`'s first phase in parallel on a 2-core machine its task can wait for a thread while
/// the engine's long synchronous suites hold both (the whole phase takes about 2.5 minutes; a
/// clean clone saw these tests start and then wait past a 1-minute limit). The limit is there to
/// catch a hang, so it is set above the phase's length.
@Suite(.timeLimit(.minutes(5)))
struct GenerationQueueTests {
    /// The order things happened in.
    actor Events {
        var list: [String] = []
        func add(_ event: String) { list.append(event) }
    }

    /// Returns once `count` requests are suspended waiting for their turn.
    static func untilWaiting(_ queue: GenerationQueue, _ count: Int) async throws {
        for _ in 0..<100_000 {
            if await queue.waitingCount == count { return }
            await Task.yield()
        }
        Issue.record("the queue never had \(count) waiting (it has \(await queue.waitingCount))")
        throw CancellationError()
    }

    @Test func aFullLineTakesNoMore() async throws {
        let queue = GenerationQueue()
        let running = await queue.join(waitingAtMost: 2)
        let waiting = [await queue.join(waitingAtMost: 2), await queue.join(waitingAtMost: 2)]
        #expect(running?.position == 0 && waiting.map { $0?.position } == [1, 2])
        #expect(await queue.join(waitingAtMost: 2) == nil, "two already wait behind the running one")
        await queue.leave(try #require(running))
        #expect(await queue.join(waitingAtMost: 2)?.position == 2, "a place is free again")
    }

    @Test func positionsCountWhoIsAhead() async throws {
        let queue = GenerationQueue()
        let positions = [await queue.join(), await queue.join(), await queue.join()].map(\.position)
        #expect(positions == [0, 1, 2])
    }

    @Test func eachWaitsForTheOnesBeforeItInOrder() async throws {
        let queue = GenerationQueue()
        let events = Events()
        let first = await queue.join(), second = await queue.join(), third = await queue.join()
        try await queue.wait(for: first)  // first in line: at once
        let waiting = [(second, "second"), (third, "third")].map { ticket, name in
            Task {
                try await queue.wait(for: ticket)
                await events.add("\(name) starts")
                await queue.leave(ticket)
            }
        }
        try await Self.untilWaiting(queue, 2)
        await events.add("first leaves")
        await queue.leave(first)
        for task in waiting { try await task.value }
        #expect(await events.list == ["first leaves", "second starts", "third starts"])
        #expect(await queue.count == 0)
        #expect(await queue.join().position == 0, "an empty line starts the next at once")
    }

    @Test func aRequestCancelledWhileWaitingLeavesItsPlace() async throws {
        let queue = GenerationQueue()
        let events = Events()
        let first = await queue.join(), second = await queue.join(), third = await queue.join()
        try await queue.wait(for: first)
        let gone = Task { try await queue.wait(for: second) }
        let next = Task {
            try await queue.wait(for: third)
            await events.add("third starts")
        }
        try await Self.untilWaiting(queue, 2)
        gone.cancel()
        await #expect(throws: CancellationError.self) { try await gone.value }
        #expect(await queue.count == 2, "the cancelled request is out of the line")
        #expect(await queue.join().position == 2, "a newcomer has the running one and the third ahead")
        await events.add("first leaves")
        await queue.leave(first)
        try await next.value
        #expect(await events.list == ["first leaves", "third starts"])
    }

    @Test func aTaskCancelledBeforeItWaitsDoesNotTakeATurn() async throws {
        let queue = GenerationQueue()
        let first = await queue.join(), second = await queue.join()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await queue.wait(for: second)
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(await queue.count == 1)
        await queue.leave(first)
        #expect(await queue.count == 0)
    }
}
