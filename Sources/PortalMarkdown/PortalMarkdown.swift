// TEMPORARY stand-in with the agreed API, replaced by the cmark-gfm implementation (branch content-model).
public enum ImageRewrite: Sendable, Equatable { case url(String), media(String) }
public struct MarkdownReference: Sendable, Equatable {
    public enum Kind: Sendable { case link, image }
    public var kind: Kind
    public var destination: String
    public var line: Int
    public var text: String
}
public struct MarkdownDocument {
    let text: String
    public init(_ text: String) { self.text = text }
    public var references: [MarkdownReference] { [] }
    public func html(rewriteLink: (String) -> String?, rewriteImage: (String) -> ImageRewrite?) -> String { "<p>\(text)</p>" }
    public func html() -> String { "<p>\(text)</p>" }
}
