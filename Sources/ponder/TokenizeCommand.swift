import ArgumentParser
import Foundation
import PonderEngine

/// `ponder tokenize`: the token ids a model's tokenizer gives a text, as llama.cpp would give them.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the token ids of a text as a JSON array.",
        discussion: """
            Text after `--` is taken verbatim, even when it starts with a dash or is empty:
              ponder tokenize --model SmolLM2-135M-Instruct.Q4_1.gguf -- -42
            Long texts (an argument holds at most 128 KiB) can come from a file, read as raw bytes:
              ponder tokenize --model model.gguf --file prompt.txt
            """)

    @Option(help: ArgumentHelp("The GGUF model whose tokenizer to use.", valueName: "path"))
    var model: String

    @Flag(help: "Recognise control tokens written in the text, such as <|im_start|>.")
    var parseSpecial = false

    @Flag(help: "Add BOS and EOS where the model asks for them.")
    var addSpecial = false

    @Option(help: ArgumentHelp("Read the text from this file instead (`-` for standard input).", valueName: "path"))
    var file: String?

    @Argument(help: "The text to tokenize.")
    var text: String?

    func validate() throws {
        if text != nil && file != nil { throw ValidationError("give the text or --file, not both") }
        if text == nil && file == nil { throw ValidationError("give the text to tokenize (after `--`), or --file") }
    }

    func run() throws {
        let tokenizer = try Tokenizer.load(from: GGUFFile(path: model))
        let ids: [Int32]
        if let text {
            ids = tokenizer.encode(text, addSpecial: addSpecial, parseSpecial: parseSpecial)
        } else {
            let bytes = try Self.read(file ?? "-")
            ids = bytes.withUnsafeBytes { tokenizer.encode(utf8: $0, addSpecial: addSpecial, parseSpecial: parseSpecial) }
        }
        var output = "["
        output.reserveCapacity(ids.count * 7 + 2)
        for (index, id) in ids.enumerated() {
            if index > 0 { output += ", " }
            output += String(id)
        }
        output += "]\n"
        FileHandle.standardOutput.write(Data(output.utf8))
    }

    static func read(_ path: String) throws -> Data {
        if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ValidationError("\(path): cannot read (\((error as NSError).localizedDescription))")
        }
    }
}
