// One issued token as the keystore remembers it.
import Foundation

/// A token in the registry. `token` is the printable token text (the school must be able to print
/// the letter again); `id` is its token id (hex), the name of its keyslot `output/k/<id>`.
public struct TokenRecord: Codable, Sendable, Equatable {
    public var id: String
    public var token: String
    public var label: String?
    /// Groups the tokens of one family (several children); a fresh random id when not given.
    public var family: String
    /// Audience ids: `school` and/or group ids.
    public var audiences: [String]
    public var issued: Date
    /// The token stops working at this instant (by default 1 August 00:00 Europe/Amsterdam).
    public var expires: Date
    public var revoked: Date?
    /// Where the invitation letter goes (from the class list); personal data, keystore only.
    public var email: String?
    /// A device must register with this token before this instant, or the token stops working
    /// at the next `generate` (the registration week). Nil for tokens from before registration.
    public var registerBy: Date?
    /// When a device first registered with this token (pulled from the receiver by `portal sync`).
    public var registered: Date?
    /// Set for a staff member's token (`portal token issue --staff`): its keyslot carries the
    /// secret halves of its groups' inbox keys. Nil for a parent's token.
    public var staff: StaffRole?

    public init(
        id: String, token: String, label: String?, family: String, audiences: [String],
        issued: Date, expires: Date, revoked: Date? = nil, email: String? = nil,
        registerBy: Date? = nil, registered: Date? = nil, staff: StaffRole? = nil
    ) {
        self.staff = staff
        self.id = id
        self.token = token
        self.label = label
        self.family = family
        self.audiences = audiences
        self.issued = issued
        self.expires = expires
        self.revoked = revoked
        self.email = email
        self.registerBy = registerBy
        self.registered = registered
    }

    /// Not revoked and not yet expired at `date`.
    public func isActive(at date: Date) -> Bool {
        revoked == nil && date < expires
    }

    /// True once the registration week is over without a registration: from `registerBy` on, a
    /// token that no device registered gets no keyslot and no place in the trust file ("code
    /// verlopen, vraag de school om een nieuwe"). A registered token, or one from before
    /// registration (`registerBy == nil`), never lapses this way.
    public func registrationLapsed(at date: Date) -> Bool {
        guard registered == nil, let registerBy else { return false }
        return date >= registerBy
    }

    /// Gets a keyslot at `date`: active (not revoked, not expired) and not lapsed for want of a
    /// registration. `generate`, the trust file and `portal token list` all use this one rule.
    public func isUsable(at date: Date) -> Bool {
        isActive(at: date) && !registrationLapsed(at: date)
    }
}

/// What a staff token may read: a teacher their own groups, the office every group (the groups of
/// site.yaml at each build).
public enum StaffRole: String, Codable, Sendable, CaseIterable {
    case teacher, office
}
