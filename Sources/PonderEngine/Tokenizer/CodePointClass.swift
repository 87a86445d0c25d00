/// The character classes the pre-tokenizer regexes test, per Unicode code point.
///
/// llama.cpp classifies a code point by its general category (`\p{L}`, `\p{N}`, `\p{M}`, …) and by
/// the Unicode White_Space property (`\s`); this type does the same from Swift's own Unicode data
/// (`Unicode.Scalar.Properties`), so the splits agree except on characters assigned in a newer
/// Unicode version than one side knows.
struct CodePointClass: OptionSet, Sendable {
    let rawValue: UInt16

    static let undefined = CodePointClass(rawValue: 1 << 0)  // Cn: unassigned
    static let number = CodePointClass(rawValue: 1 << 1)     // \p{N}
    static let letter = CodePointClass(rawValue: 1 << 2)     // \p{L}
    static let separator = CodePointClass(rawValue: 1 << 3)  // \p{Z}
    static let mark = CodePointClass(rawValue: 1 << 4)       // \p{M}
    static let punctuation = CodePointClass(rawValue: 1 << 5)  // \p{P}
    static let symbol = CodePointClass(rawValue: 1 << 6)     // \p{S}
    static let control = CodePointClass(rawValue: 1 << 7)    // \p{C} except Cn
    static let whitespace = CodePointClass(rawValue: 1 << 8) // \s (White_Space)

    /// The class of `codePoint`: one category bit, plus `.whitespace` where it applies.
    /// Values outside Unicode (never produced from a Swift string) have no bits.
    @inline(__always)
    static func of(_ codePoint: UInt32) -> CodePointClass {
        if codePoint < 0x10000 { return basicPlane[Int(codePoint)] }
        return compute(codePoint)
    }

    /// The Basic Multilingual Plane, computed once (every code point a text is likely to hold).
    private static let basicPlane: [CodePointClass] = (0..<0x10000).map { compute(UInt32($0)) }

    private static func compute(_ codePoint: UInt32) -> CodePointClass {
        // Surrogates are not scalars; llama.cpp's tables give them the control category (Cs).
        guard let scalar = Unicode.Scalar(codePoint) else {
            return (0xD800...0xDFFF).contains(codePoint) ? .control : []
        }
        var result: CodePointClass
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            result = .letter
        case .nonspacingMark, .spacingMark, .enclosingMark:
            result = .mark
        case .decimalNumber, .letterNumber, .otherNumber:
            result = .number
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            result = .punctuation
        case .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            result = .symbol
        case .spaceSeparator, .lineSeparator, .paragraphSeparator:
            result = .separator
        case .control, .format, .surrogate, .privateUse:
            result = .control
        case .unassigned:
            result = .undefined
        @unknown default:
            result = .undefined
        }
        if scalar.properties.isWhitespace { result.insert(.whitespace) }
        return result
    }
}
