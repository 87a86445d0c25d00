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

    /// The host alone (`https://key@API.example.com:443/v1` → `API.example.com`; brackets kept off an
    /// IPv6 address); nil when there is none.
    public static func host(_ url: String) -> String? {
        var text = Substring(hostPort(url))
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            text = text[text.index(after: text.startIndex)..<close]
        } else if let colon = text.lastIndex(of: ":") {
            text = text[..<colon]
        }
        if let cut = text.firstIndex(where: { $0 == "?" || $0 == "#" }) { text = text[..<cut] }
        return text.isEmpty ? nil : String(text)
    }

    /// The URL without user, password, query or fragment, which may carry credentials
    /// (`https://user:key@host/v1?api_key=…` becomes `https://host/v1`): all ponder ever shows,
    /// logs or stores of a server's address.
    public static func redacted(_ url: String) -> String {
        var url = url
        if let cut = url.firstIndex(where: { $0 == "?" || $0 == "#" }) { url = String(url[..<cut]) }
        if let scheme = url.range(of: "://") {
            let rest = url[scheme.upperBound...]
            let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@") {
                url = String(url[..<scheme.upperBound]) + String(rest[rest.index(after: at)...])
            }
        }
        return url
    }
}
