import Foundation

/// A `Tests/Fixtures/reference/*.json` file as the engine and CLI suites read it: llama-server's
/// greedy continuation of each prompt, with the chosen token's log-probability and the top five
/// at every step.
public struct ReferenceFile: Decodable, Sendable {
    public struct Entry: Decodable, Sendable {
        public var prompt: String
        public var prompt_ids: [Int32]
        public var greedy_ids: [Int32]
        public var greedy_text: String
        public var steps: [Step]
    }

    public struct Step: Decodable, Sendable {
        public var id: Int32
        public var logprob: Double
        /// `[id, logprob]` pairs, most likely first.
        public var top: [[Double]]

        public init(id: Int32, logprob: Double, top: [[Double]]) {
            self.id = id
            self.logprob = logprob
            self.top = top
        }
    }

    /// The model the outputs came from, as the file names it (`SmolLM2-135M-Instruct.Q4_1.gguf …`).
    public var model: String
    public var generate: [Entry]

    /// Reads `Tests/Fixtures/reference/NAME`.
    public static func load(_ name: String) throws -> ReferenceFile {
        try JSONDecoder().decode(ReferenceFile.self, from: Fixtures.data("reference/" + name))
    }
}
