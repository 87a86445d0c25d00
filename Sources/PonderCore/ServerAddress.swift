/// How a server's URL is shown to the user.
public enum ServerAddress {
    /// `http://user:key@127.0.0.1:8080/v1` → `127.0.0.1:8080`: no scheme, path or credentials.
    public static func hostPort(_ url: String) -> String {
        var text = Substring(url)
        if let scheme = text.range(of: "://") { text = text[scheme.upperBound...] }
        if let slash = text.firstIndex(of: "/") { text = text[..<slash] }
        if let at = text.lastIndex(of: "@") { text = text[text.index(after: at)...] }
        return String(text)
    }
}
