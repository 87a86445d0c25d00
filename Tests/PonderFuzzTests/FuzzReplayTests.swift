import Foundation
import PonderFuzzing
import PonderTestSupport
import Testing

/// Every committed fuzz input (`Tests/Fixtures/fuzz/<target>/`: crashers found and fixed, and
/// inputs that trapped before a fix) runs through its target, as `make fuzz` runs it. A
/// regression is a crash of this test process, so it cannot pass by accident.
@Suite(.timeLimit(.minutes(5)))
struct FuzzReplayTests {
    static let root = Fixtures.root.appendingPathComponent("fuzz")

    static var inputs: [(FuzzTarget, URL)] {
        FuzzTarget.allCases.flatMap { target in
            let folder = root.appendingPathComponent(target.rawValue)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            return names.sorted().map { (target, folder.appendingPathComponent($0)) }
        }
    }

    @Test func everyCommittedInputRunsThroughItsTarget() throws {
        let inputs = Self.inputs
        #expect(inputs.count >= 9, "the committed inputs were found under \(Self.root.path)")
        for (target, file) in inputs {
            let data = try Data(contentsOf: file)
            let started = ContinuousClock.now
            data.withUnsafeBytes { target.run($0) }
            #expect(ContinuousClock.now - started < .seconds(30), "\(target.rawValue)/\(file.lastPathComponent) took too long")
        }
    }
}
