import Foundation

/// The terminal's clipboard, reached with OSC 52 (`ESC ] 52 ; c ; base64 BEL`): the terminal
/// puts the text on the system clipboard, also over ssh. Some terminals need it enabled
/// (xterm: `allowWindowOps`; tmux: `set-clipboard on`; screen passes it on as below).
///
/// Inside tmux (`TMUX` set) the sequence goes twice: plain, which tmux itself takes when
/// `set-clipboard` is `on` (into its paste buffer and on to the outer terminal), and wrapped in
/// tmux's passthrough (`ESC P tmux; …ESC\`, every ESC inside doubled), which reaches the outer
/// terminal when `allow-passthrough` is on. Inside GNU screen (`STY` set) it is wrapped in DCS
/// strings of at most 76 characters each, because screen drops longer ones.
public enum Clipboard {
    /// The most text sent at once; terminals refuse or truncate longer sequences.
    public static let limit = 256 << 10

    /// The bytes to write to the terminal so that `text` lands on the clipboard.
    public static func sequence(for text: String, environment: [String: String]) -> String {
        let payload = Data(text.utf8).base64EncodedString()
        let plain = "\u{1B}]52;c;" + payload + "\u{07}"
        if environment["TMUX"].map({ !$0.isEmpty }) == true {
            let doubled = plain.replacingOccurrences(of: "\u{1B}", with: "\u{1B}\u{1B}")
            return plain + "\u{1B}Ptmux;" + doubled + "\u{1B}\\"
        }
        if environment["STY"].map({ !$0.isEmpty }) == true {
            var out = "\u{1B}P\u{1B}]52;c;"
            var rest = Substring(payload)
            while !rest.isEmpty {
                let chunk = rest.prefix(76)
                rest = rest.dropFirst(chunk.count)
                out += chunk + "\u{1B}\\\u{1B}P"
            }
            return out + "\u{07}\u{1B}\\"
        }
        return plain
    }
}
