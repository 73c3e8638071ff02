// Notifications on this device (issue 16): everything, only urgent, or off. The subscription is
// made with the school's VAPID key from the keyslot and sent, signed, for every code here; the
// message says only which audiences have news, the service worker shows the title.
import * as R from './receiver.js';
import { currentLanguage } from './i18n.js';

const MODE = 'push-mode';

/** 'ios' (only an app on the home screen can), 'no' (this browser cannot) or 'yes'. */
export function support() {
  if ('serviceWorker' in navigator && 'PushManager' in self && 'Notification' in self) return 'yes';
  return /iPhone|iPad/.test(navigator.userAgent) ? 'ios' : 'no';
}

/** The service worker shows notifications when no page is open: it needs the language and mode. */
export function tellWorker() {
  const c = 'serviceWorker' in navigator && navigator.serviceWorker.controller;
  if (c) c.postMessage({ type: 'settings', lang: currentLanguage(), mode: mode() });
}

export function mode() {
  try { return localStorage.getItem(MODE) || 'off'; } catch (e) { return 'off'; }
}

const keyBytes = (b64url) => Uint8Array.from(atob(b64url.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

/** Tells the receiver, for every code here, what this device wants. */
export async function send(site, records, sub, m) {
  const j = sub.toJSON();
  const body = m === 'off' ? { endpoint: j.endpoint, mode: 'off' } : { endpoint: j.endpoint, p256dh: j.keys.p256dh, auth: j.keys.auth, mode: m };
  for (const rec of records) if (rec.sign && rec.push) await R.call(site, rec, 'POST', '/v1/push/subscription', body);
}

/** Switches to `m`; resolves to the mode now in force, or 'denied' when the parent said no. */
export async function setMode(site, records, m) {
  const reg = await navigator.serviceWorker.getRegistration();
  if (!reg) throw new Error('no service worker');
  let sub = await reg.pushManager.getSubscription();
  if (m !== 'off') {
    const key = (records.find((r) => r.push) || {}).push;
    if (!key) throw new Error('no push key');
    if (await Notification.requestPermission() !== 'granted') return 'denied';
    if (!sub) sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
  }
  if (sub) await send(site, records, sub, m);
  if (m === 'off' && sub) await sub.unsubscribe().catch(() => {});
  try { localStorage.setItem(MODE, m); } catch (e) { /* storage off */ }
  tellWorker();
  // Keys in IndexedDB must not be dropped after days without a visit (Safari does that).
  if (m !== 'off' && navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  return m;
}
