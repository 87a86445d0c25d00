import Foundation
import PonderCore

/// Where the backend stands.
public enum BackendStatus: Sendable, Equatable {
    case connecting
    case ready(BackendInfo)
    case unavailable(String)

    public var info: BackendInfo? {
        if case .ready(let info) = self { return info }
        return nil
    }
}
