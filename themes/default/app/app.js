// Ouderportaal app: unlock with a token, keep the keys on this device, show the views.
// The session (session.js) holds what is unlocked; the shell (shell.js) draws the routed view
// (router.js) whenever the session changes or the address does.
import { t, warmUp } from './i18n.js';
import { createSession } from './session.js';
import { createShell } from './shell.js';

// A token in the link (#token=...) leaves the address bar before anything else happens.
const linkToken = (() => {
  const m = location.hash.match(/^#token=([^&]*)/);
  if (!m) return null;
  history.replaceState(null, '', location.pathname + location.search + '#/');
  try { return decodeURIComponent(m[1]); } catch (e) { return m[1]; }
})();

const session = createSession();
const shell = createShell(session);
session.subscribe(shell.render);

async function start() {
  try {
    await session.start();
    if (session.state.records.length) shell.pruneCache();
  } catch (e) {
    console.error(e);
    shell.fail();
    return;
  }
  if (linkToken) {
    const err = await session.submit(linkToken);
    if (err) {
      shell.render();
      const msg = document.getElementById('token-msg');
      if (msg) msg.textContent = t('login.' + err);
    }
  } else {
    shell.render();
  }
  document.documentElement.setAttribute('data-ready', '');
  if (session.state.records.length) session.registerDevices();
  else setTimeout(warmUp, 0);
}

start().then(shell.registerWorker);
// A phone keeps the app open for days: new items show when it comes back to the front.
document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && session.refresh());
addEventListener('online', () => session.refresh(true));
