// The children of the school's families (issue 18, "Children of a family"): the class list names
// them, the keystore gives each an opaque id that stays across imports (matched by family and
// name), and every keyslot of the family carries the same children, sealed. The id is what forms
// and photo consent refer to; the name is only a label.
import Foundation
import PortalCrypto

/// One child, as the keystore keeps them.
public struct ChildRecord: Codable, Equatable, Sendable {
    /// 16 random bytes as hex: says nothing about the child or the family.
    public var id: String
    public var family: String
    /// The first name (or first name and initial) as the class list writes it.
    public var name: String
    public var group: String
    public var added: Date
    /// When a later class list of the family no longer named the child: kept (for the consent
    /// register), but no longer in the keyslots.
    public var left: Date?

    public init(id: String, family: String, name: String, group: String, added: Date, left: Date? = nil) {
        self.id = id
        self.family = family
        self.name = name
        self.group = group
        self.added = added
        self.left = left
    }

    static func isID(_ text: String) -> Bool {
        text.utf8.count == 32 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}

/// What one family's import did to its children, for `portal token import` to report.
public struct ChildrenUpdate: Sendable {
    /// Named before and now: the id is kept (the group may have changed, `from`).
    public var matched: [(child: ChildRecord, from: String?)] = []
    /// Named for the first time: a new id.
    public var added: [ChildRecord] = []
    /// Named before, not now: marked as left.
    public var left: [ChildRecord] = []
}

extension Keystore {
    /// The children a family's keyslots carry now, in the order the class list gave them.
    public func children(ofFamily family: String) -> [ChildRecord] {
        children.filter { $0.family == family && $0.left == nil }
    }

    /// The current children of these families.
    public func children(ofFamilies families: Set<String>) -> [ChildRecord] {
        children.filter { families.contains($0.family) && $0.left == nil }
    }

    /// Sets a family's children to `listed` (name and group): a child whose name (ignoring case)
    /// the family had keeps its id and takes the new group; a new name gets a new id; a child no
    /// longer named is marked left. The caller saves.
    public mutating func updateChildren(family: String, listed: [(name: String, group: String)]) -> ChildrenUpdate {
        var update = ChildrenUpdate()
        let now = Self.wholeSeconds(clock.now())
        var named = Set<String>()
        for entry in listed {
            let key = entry.name.lowercased()
            guard named.insert(key).inserted else { continue }
            if let i = children.firstIndex(where: { $0.family == family && $0.name.lowercased() == key }) {
                let from = children[i].group == entry.group ? nil : children[i].group
                children[i].name = entry.name
                children[i].group = entry.group
                children[i].left = nil
                update.matched.append((children[i], from))
            } else {
                let child = ChildRecord(id: Hex.encode(random.bytes(16)), family: family, name: entry.name, group: entry.group, added: now)
                children.append(child)
                update.added.append(child)
            }
        }
        for i in children.indices where children[i].family == family && children[i].left == nil && !named.contains(children[i].name.lowercased()) {
            children[i].left = now
            update.left.append(children[i])
        }
        return update
    }
}
