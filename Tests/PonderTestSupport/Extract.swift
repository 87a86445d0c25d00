/// The payload of one enum case, or nil: what `#require` needs to stop a test on an unexpected shape
/// instead of returning early from it.
///
///     let server = try #require(extract(config.backend.value) { if case .server(let s) = $0 { s } else { nil } })
public func extract<Value, Payload>(_ value: Value?, _ match: (Value) -> Payload?) -> Payload? {
    value.flatMap(match)
}
