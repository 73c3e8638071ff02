// After a publish: tell the receiver which audiences have new items, so it notifies parents of
// those (and of nothing else: a re-seal, a revocation or a typo fix is not news).
import Foundation
import PortalBuild
import PortalContent
import PortalKeys
import PortalPublish
import PortalReceiver

/// The line to print; nil when there was nothing to say.
func announceNewItems(paths: PathOptions, keys: KeysOption, receiver: String?) async -> String? {
    guard let published = PublishedItems.load(keys: keys.keysURL) else {
        return "Notifications: none sent (the last build left no item list; the next one will)."
    }
    let announcement = Announcement.compute(
        items: published.items.map { ($0.audience, $0.logicalPath, $0.urgent) }, sequences: published.sequences, keys: keys.keysURL)
    if announcement.baseline {
        announcement.record(keys: keys.keysURL)
        return "Notifications: first publish, so nothing announced; from now on new items notify parents."
    }
    guard !announcement.audiences.isEmpty else {
        announcement.record(keys: keys.keysURL)  // removed items are forgotten
        return nil
    }
    let what = announcement.audiences.map { "\($0.id) (\($0.count)\($0.urgent ? ", \($0.urgentCount) urgent" : ""))" }.joined(separator: ", ")
    do {
        let base = try receiver ?? ContentLoader(root: paths.contentURL).siteConfig().receiverURL
        let keystore = try Keystore.open(at: keys.keysURL)
        let client = ReceiverClient(receiverURL: try checkedReceiverURL(base), signer: .admin(seed: keystore.adminSigningSeed))
        let receipt = try await client.notifyPush(PushNotice(audiences: announcement.audiences.map {
            PushNotice.Audience(id: $0.id, sequence: Int64($0.sequence), count: $0.count, urgent: $0.urgent, urgentCount: $0.urgentCount)
        }))
        announcement.record(keys: keys.keysURL)
        var line = "Notifications: new items in \(what): \(receipt.devices) device\(receipt.devices == 1 ? "" : "s")"
        if receipt.held > 0, let until = receipt.heldUntil { line += ", \(receipt.held) after the quiet hours (\(until))" }
        return line + "."
    } catch {
        // Not recorded: the next publish announces these items again.
        return "Notifications NOT sent for new items in \(what): \(error); the next publish tries again."
    }
}
