/// GGUF metadata is where ``ModelConfig`` reads hyper-parameters from. A key of the wrong type
/// reads as absent here, and ``ModelConfig`` reports it as missing (or uses llama.cpp's default).
extension GGUFMetadata: HyperParameterSource {
    public func integerValue(_ key: String) -> Int? { (try? int(key)) ?? nil }
    public func integerValues(_ key: String) -> [Int]? { (try? intOrArray(key)) ?? nil }
    public func floatValue(_ key: String) -> Double? { (try? double(key)) ?? nil }
    public func stringValue(_ key: String) -> String? { (try? string(key)) ?? nil }
}
