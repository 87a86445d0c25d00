/// What kind of token an id is (llama.cpp's `llama_token_attr`), from `tokenizer.ggml.token_type`
/// and the fix-ups llama.cpp applies by token text.
public struct TokenAttributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let unknown = TokenAttributes(rawValue: 1 << 0)
    public static let unused = TokenAttributes(rawValue: 1 << 1)
    public static let normal = TokenAttributes(rawValue: 1 << 2)
    /// Chat and format markers (`<|im_start|>`, `<bos>`): matched in text only with `parseSpecial`,
    /// rendered only when asked.
    public static let control = TokenAttributes(rawValue: 1 << 3)
    /// Added tokens that are always matched in text first (Gemma's runs of spaces and newlines).
    public static let userDefined = TokenAttributes(rawValue: 1 << 4)
    /// Byte-fallback tokens `<0xNN>`.
    public static let byte = TokenAttributes(rawValue: 1 << 5)

    /// The attributes of a GGUF token type (1 normal, 2 unknown, 3 control, 4 user-defined,
    /// 5 unused, 6 byte; anything else undefined).
    init(tokenType: Int) {
        switch tokenType {
        case 1: self = .normal
        case 2: self = .unknown
        case 3: self = .control
        case 4: self = .userDefined
        case 5: self = .unused
        case 6: self = .byte
        default: self = []
        }
    }
}
