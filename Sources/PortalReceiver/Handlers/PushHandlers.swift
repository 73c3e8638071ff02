// `POST /api/v1/push/subscription` (a parent's device), `POST /api/v1/admin/push/notify` (publish)
// and `GET /api/v1/admin/push` (status).
import Foundation
import PortalFiles
import PortalPush

extension Receiver {
    /// Stores, changes or (mode `off`) forgets this device's subscription for the token. The
    /// endpoint must pass the rule against request forgery; a token has at most
    /// `maxSubscriptionsPerToken` devices.
    func subscribePush(_ call: ParentCall) async throws -> APIResponse {
        let request = try PushSubscriptionRequest(call.request.body)
        if request.mode == .off {
            let left = try await pushStore.unsubscribe(endpoint: request.endpoint, tokenID: call.token.id)
            return .ok(PushSubscriptionReceipt(mode: .off, devices: left))
        }
        guard trust.current.file.push != nil else { throw APIError.pushOff }
        do { _ = try configuration.pushPolicy.check(request.endpoint) } catch { throw APIError.pushEndpoint("\(error)") }
        let keys = try request.keys()
        guard let devices = try await pushStore.subscribe(
            PushSubscriptionRow(endpoint: request.endpoint, tokenID: call.token.id, p256dh: keys.p256dh, auth: keys.auth, mode: request.mode.rawValue),
            limit: configuration.maxSubscriptionsPerToken, now: ReceiverDates.millis(call.now))
        else { throw APIError.tooManyDevices(configuration.maxSubscriptionsPerToken) }
        return .ok(PushSubscriptionReceipt(mode: request.mode, devices: devices))
    }

    /// Queues one message per device of the tokens that read the announced audiences. Urgent
    /// audiences go at once; the rest wait for the end of the quiet hours.
    func notifyPush(_ call: AdminCall) async throws -> APIResponse {
        let notice: PushNotice
        do { notice = try JSONDecoder().decode(PushNotice.self, from: Data(call.request.body)) } catch {
            throw APIError.schema("the body must be {\"audiences\": [{\"id\", \"sequence\", \"count\", \"urgent\"}]}")
        }
        guard let push = call.trust.file.push else { throw APIError.pushOff }
        let quiet: QuietHours
        do {
            quiet = try QuietHours(start: push.quietStart, end: push.quietEnd, weekends: push.quietWeekends, timeZone: push.timeZone)
        } catch {
            log("push: the trust file's quiet hours do not read (\(error)); sending without them")
            quiet = .none
        }
        let releaseAt = quiet.release(after: call.now)
        // Expired tokens' devices are told nothing more (revoked ones are not in the file).
        let expired = Set(call.trust.tokens.values.filter { $0.expires <= call.now }.map(\.id))
        let byAudience = call.trust.tokensByAudience.mapValues { $0.subtracting(expired) }
        let (devices, held, repeated) = try await pushStore.enqueue(
            notice: notice, tokens: byAudience, now: ReceiverDates.millis(call.now),
            releaseAt: ReceiverDates.millis(releaseAt), ttlMillis: Int64(configuration.pushTTL) * 1000)
        pushWake.signal()
        let audiences = notice.audiences.filter { !repeated.contains($0.id) }.map { "\($0.id) (\($0.count))" }
        if !audiences.isEmpty {
            log("push: new items in \(audiences.joined(separator: ", ")): \(devices) devices, \(held) held until the quiet hours end")
        }
        return .ok(PushNoticeReceipt(
            devices: devices, held: held, heldUntil: held > 0 ? RFC3339.string(from: releaseAt) : nil, repeated: repeated))
    }

    func pushStatus(_ call: AdminCall) async throws -> APIResponse {
        .ok(try pushStore.status())
    }
}
