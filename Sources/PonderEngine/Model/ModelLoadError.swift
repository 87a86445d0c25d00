/// Why a model file could not be turned into a runnable model.
///
/// Each case names the file's field or tensor and what was expected, so the one-line
/// `description` is enough for a user to act on.
public enum ModelLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `general.architecture` names something this engine does not run.
    case unsupportedArchitecture(String)
    /// A feature of an otherwise supported architecture that this engine does not run.
    case unsupportedFeature(String)
    /// A required metadata key is absent or has the wrong type.
    case missingKey(String)
    /// A metadata value is out of range or inconsistent with the others.
    case invalidValue(key: String, value: String, expected: String)
    /// A required tensor is absent.
    case missingTensor(String)
    /// A tensor has a shape other than the configuration implies.
    case badShape(tensor: String, shape: [Int], expected: [Int])
    /// A tensor is stored in a type the kernels cannot multiply.
    case unsupportedTensorType(tensor: String, type: String)

    /// The architectures `ModelConfig` knows, for error messages.
    public static var supportedArchitectures: String {
        ModelConfig.Architecture.allCases.map(\.rawValue).joined(separator: ", ")
    }

    public var description: String {
        switch self {
        case .unsupportedArchitecture(let name):
            return "unsupported model architecture '\(name)' (supported: \(Self.supportedArchitectures))"
        case .unsupportedFeature(let what):
            return "unsupported model feature: \(what)"
        case .missingKey(let key):
            return "model metadata key '\(key)' is missing"
        case .invalidValue(let key, let value, let expected):
            return "model metadata '\(key)' = \(value): expected \(expected)"
        case .missingTensor(let name):
            return "model tensor '\(name)' is missing"
        case .badShape(let tensor, let shape, let expected):
            return "model tensor '\(tensor)' has shape \(shape), expected \(expected)"
        case .unsupportedTensorType(let tensor, let type):
            return "model tensor '\(tensor)' has type \(type), which the engine cannot run"
                + " (supported: \(Weights.supportedTypes.map(\.description).joined(separator: ", ")))"
        }
    }
}
