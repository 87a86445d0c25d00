import Foundation
import Synchronization
import Testing

@testable import PonderEngine

@Suite(.timeLimit(.minutes(5))) struct KernelThreadPoolTests {
    /// Many back-to-back jobs of varying size: every index runs exactly once per job, and a job
    /// only returns once all of its indices have finished (the caller reads the results at once).
    @Test(arguments: [1, 2, 3])
    func everyIndexRunsExactlyOncePerJob(threads: Int) {
        let pool = ThreadPool(threads: threads)
        #expect(pool.threads == threads)
        var counts = [Int32](repeating: 0, count: 257)
        var random = SeededRandom(seed: UInt64(threads))
        for job in 0..<5000 {
            let n = Int.random(in: 0...257, using: &random)
            counts.withUnsafeMutableBufferPointer { buffer in
                let base = buffer.baseAddress!
                pool.parallelFor(n) { i in base[i] &+= 1 }
            }
            for i in 0..<257 {
                #expect(counts[i] == (i < n ? 1 : 0), "job \(job) index \(i) of \(n)")
                counts[i] = 0
            }
            if job % 1000 == 999 { idle(milliseconds: 2) }  // let the workers fall asleep on the futex
        }
    }

    /// Work really is shared: with two threads, two indices run on two different threads.
    @Test func workRunsOnMoreThanOneThread() {
        let pool = ThreadPool(threads: 2)
        let seen = Mutex<Set<UInt64>>([])
        for _ in 0..<200 {
            pool.parallelFor(64) { _ in
                let tid = UInt64(pthread_self())
                // Busy work so one thread cannot finish every index before the other starts.
                var acc = 0.0
                for k in 0..<20_000 { acc += Double(k).squareRoot() }
                if acc > 0 { seen.withLock { _ = $0.insert(tid) } }
            }
        }
        #expect(seen.withLock { $0.count } == 2)
    }

    /// A pool dropped before its workers even started must still shut down (a worker that starts
    /// after the stop request must not wait for a job that will never come).
    @Test func poolsDroppedRightAfterCreationShutDown() {
        for i in 0..<300 {
            let pool = ThreadPool(threads: 3)
            if i % 2 == 0 { pool.parallelFor(4) { _ in } }
        }
    }

    private func idle(milliseconds: Int) {
        let end = DispatchTime.now().uptimeNanoseconds + UInt64(milliseconds) * 1_000_000
        while DispatchTime.now().uptimeNanoseconds < end {}
    }
}
