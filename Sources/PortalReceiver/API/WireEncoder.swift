// Encodes the receiver's wire types (`Encodable`) into a `JSONValue`, so every answer is written
// by the one JSON writer: compact, keys sorted, `/` unescaped, the bytes clients have always had.
import Foundation

enum WireEncoder {
    /// The JSON bytes of `value`. Throws only for fractional numbers, which the wire has none of.
    static func encode(_ value: some Encodable) throws -> [UInt8] {
        try tree(value).encoded()
    }

    static func tree(_ value: some Encodable) throws -> JSONValue {
        let root = Node()
        try root.encode(value, path: [])
        return root.value
    }
}

/// One value being encoded; containers add children to it.
private final class Node {
    var scalar: JSONValue?
    var fields: [(String, Node)]?
    var items: [Node]?

    var value: JSONValue {
        if let scalar { return scalar }
        if let items { return .array(items.map(\.value)) }
        return .object((fields ?? []).map { ($0.0, $0.1.value) })
    }

    func child(_ key: String) -> Node {
        let node = Node()
        if fields == nil { fields = [] }
        fields?.append((key, node))
        return node
    }

    func element() -> Node {
        let node = Node()
        if items == nil { items = [] }
        items?.append(node)
        return node
    }

    func encode<T: Encodable>(_ value: T, path: [any CodingKey]) throws {
        switch value {
        case let text as String: scalar = .string(text)
        case let flag as Bool: scalar = .bool(flag)
        case let number as Int: scalar = .int(number)
        default: try value.encode(to: NodeEncoder(node: self, codingPath: path))
        }
    }

    func integer<T: BinaryInteger>(_ value: T, path: [any CodingKey]) throws {
        guard let n = Int(exactly: value) else {
            throw EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "integer out of range"))
        }
        scalar = .int(n)
    }

    static func fraction(_ value: Any, path: [any CodingKey]) -> EncodingError {
        EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "the receiver's wire has no fractional numbers"))
    }
}

private struct WireIndex: CodingKey {
    let intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct NodeEncoder: Encoder {
    let node: Node
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if node.fields == nil { node.fields = [] }
        return KeyedEncodingContainer(KeyedNodeContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if node.items == nil { node.items = [] }
        return UnkeyedNodeContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleNodeContainer(node: node, codingPath: codingPath)
    }
}

private struct KeyedNodeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    let codingPath: [any CodingKey]

    private func child(_ key: Key) -> Node { node.child(key.stringValue) }
    private func path(_ key: Key) -> [any CodingKey] { codingPath + [key] }

    mutating func encodeNil(forKey key: Key) throws { child(key).scalar = .null }
    mutating func encode(_ value: Bool, forKey key: Key) throws { child(key).scalar = .bool(value) }
    mutating func encode(_ value: String, forKey key: Key) throws { child(key).scalar = .string(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { throw Node.fraction(value, path: path(key)) }
    mutating func encode(_ value: Float, forKey key: Key) throws { throw Node.fraction(value, path: path(key)) }
    mutating func encode(_ value: Int, forKey key: Key) throws { child(key).scalar = .int(value) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try child(key).integer(value, path: path(key)) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try child(key).integer(value, path: path(key)) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try child(key).integer(value, path: path(key)) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try child(key).integer(value, path: path(key)) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try child(key).integer(value, path: path(key)) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try child(key).integer(value, path: path(key)) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try child(key).integer(value, path: path(key)) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try child(key).integer(value, path: path(key)) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try child(key).integer(value, path: path(key)) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try child(key).encode(value, path: path(key)) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        NodeEncoder(node: child(key), codingPath: path(key)).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        NodeEncoder(node: child(key), codingPath: path(key)).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { NodeEncoder(node: node.child("super"), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { NodeEncoder(node: child(key), codingPath: path(key)) }
}

private struct UnkeyedNodeContainer: UnkeyedEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]
    var count: Int { node.items?.count ?? 0 }

    private func next() -> (Node, [any CodingKey]) {
        let path = codingPath + [WireIndex(count)]
        return (node.element(), path)
    }

    mutating func encodeNil() throws { next().0.scalar = .null }
    mutating func encode(_ value: Bool) throws { next().0.scalar = .bool(value) }
    mutating func encode(_ value: String) throws { next().0.scalar = .string(value) }
    mutating func encode(_ value: Double) throws { throw Node.fraction(value, path: codingPath) }
    mutating func encode(_ value: Float) throws { throw Node.fraction(value, path: codingPath) }
    mutating func encode(_ value: Int) throws { next().0.scalar = .int(value) }
    mutating func encode(_ value: Int8) throws { let (n, p) = next(); try n.integer(value, path: p) }
    mutating func encode(_ value: Int16) throws { let (n, p) = next(); try n.integer(value, path: p) }
    mutating func encode(_ value: Int32) throws { let (n, p) = next(); try n.integer(value, path: p) }
    mutating func encode(_ value: Int64) throws { let (n, p) = next(); try n.integer(value, path: p) }
    mutating func encode(_ value: UInt) throws { let (n, p) = next(); try n.integer(value, path: p) }
    mutating func encode(_ value: UInt8) throws { let (n, p) = next(); try n.integer(value, path: p) }
    mutating func encode(_ value: UInt16) throws { let (n, p) = next(); try n.integer(value, path: p) }
    mutating func encode(_ value: UInt32) throws { let (n, p) = next(); try n.integer(value, path: p) }
    mutating func encode(_ value: UInt64) throws { let (n, p) = next(); try n.integer(value, path: p) }
    mutating func encode<T: Encodable>(_ value: T) throws { let (n, p) = next(); try n.encode(value, path: p) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let (n, p) = next()
        return NodeEncoder(node: n, codingPath: p).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let (n, p) = next()
        return NodeEncoder(node: n, codingPath: p).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let (n, p) = next()
        return NodeEncoder(node: n, codingPath: p)
    }
}

private struct SingleNodeContainer: SingleValueEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.scalar = .null }
    mutating func encode(_ value: Bool) throws { node.scalar = .bool(value) }
    mutating func encode(_ value: String) throws { node.scalar = .string(value) }
    mutating func encode(_ value: Double) throws { throw Node.fraction(value, path: codingPath) }
    mutating func encode(_ value: Float) throws { throw Node.fraction(value, path: codingPath) }
    mutating func encode(_ value: Int) throws { node.scalar = .int(value) }
    mutating func encode(_ value: Int8) throws { try node.integer(value, path: codingPath) }
    mutating func encode(_ value: Int16) throws { try node.integer(value, path: codingPath) }
    mutating func encode(_ value: Int32) throws { try node.integer(value, path: codingPath) }
    mutating func encode(_ value: Int64) throws { try node.integer(value, path: codingPath) }
    mutating func encode(_ value: UInt) throws { try node.integer(value, path: codingPath) }
    mutating func encode(_ value: UInt8) throws { try node.integer(value, path: codingPath) }
    mutating func encode(_ value: UInt16) throws { try node.integer(value, path: codingPath) }
    mutating func encode(_ value: UInt32) throws { try node.integer(value, path: codingPath) }
    mutating func encode(_ value: UInt64) throws { try node.integer(value, path: codingPath) }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.encode(value, path: codingPath) }
}
