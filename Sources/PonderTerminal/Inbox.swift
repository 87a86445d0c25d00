import Foundation
import PonderTUI

#if canImport(Glibc)
import Glibc
#endif

/// Where background work (reply streams, saves, backend start-up) hands events to the UI loop.
///
/// `post` appends under a lock and writes one byte to a pipe; the loop polls the pipe's read end
/// with stdin, so it sleeps until there is something to do. Events keep the time they were posted,
/// which is when they happened as far as timings (time to first token) are concerned.
final class Inbox: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [(AppEvent, Moment)] = []
    let readFD: Int32
    private let writeFD: Int32

    init() throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw CursesScreen.StartError(description: "cannot create a pipe: \(String(cString: strerror(errno)))") }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        readFD = fds[0]
        writeFD = fds[1]
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    func post(_ event: AppEvent) {
        let moment = Clock.moment()
        lock.lock()
        events.append((event, moment))
        lock.unlock()
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)  // a full pipe already means "wake up"
    }

    /// Everything posted since the last call, oldest first.
    func drain() -> [(AppEvent, Moment)] {
        var scratch = [UInt8](repeating: 0, count: 256)
        while read(readFD, &scratch, scratch.count) > 0 {}
        lock.lock()
        defer { lock.unlock() }
        let drained = events
        events.removeAll(keepingCapacity: true)
        return drained
    }
}
