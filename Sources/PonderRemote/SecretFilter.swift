/// Takes an API key out of what a server sends, before anything reads it: a server that echoes
/// the key (in an error, a reply, a stream) never puts it in a transcript, an export or an error
/// line. Bytes arrive in parts, and a key can straddle two: the end of a part that could be the
/// start of the key is held back until the next part says whether it is (only ever a few bytes,
/// and only when they match the key's first bytes).
struct SecretFilter: Sendable {
    /// What a key becomes.
    static let replacement = Array("[key]".utf8)

    private let secret: [UInt8]
    private var held: [UInt8] = []

    /// No filtering without a key, or with one too short to tell apart from ordinary text.
    init(secret: String?) {
        if let secret, secret.utf8.count >= 4 { self.secret = Array(secret.utf8) } else { self.secret = [] }
    }

    var isActive: Bool { !secret.isEmpty }

    /// The next part with every whole key replaced; a possible start of the key at its end is
    /// held back for the next part.
    mutating func pass<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [UInt8] {
        guard isActive else { return Array(bytes) }
        let data = held + bytes
        held = []
        var out: [UInt8] = []
        out.reserveCapacity(data.count)
        let length = secret.count
        var index = 0
        while index < data.count {
            if data[index] == secret[0] {
                let remaining = data.count - index
                if remaining >= length {
                    if data[index..<(index + length)].elementsEqual(secret) {
                        out += Self.replacement
                        index += length
                        continue
                    }
                } else if data[index...].elementsEqual(secret[0..<remaining]) {
                    held = Array(data[index...])
                    break
                }
            }
            out.append(data[index])
            index += 1
        }
        return out
    }

    /// What was held back, once the body has ended (it was not the key after all).
    mutating func finish() -> [UInt8] {
        defer { held = [] }
        return held
    }

    /// A whole body, filtered at once.
    static func scrub(_ bytes: [UInt8], secret: String?) -> [UInt8] {
        var filter = SecretFilter(secret: secret)
        guard filter.isActive else { return bytes }
        return filter.pass(bytes) + filter.finish()
    }
}
