// The shell around the views: header and menu, notices, rendering the routed view, the service
// worker (offline use and the update flow) and the install hint.
import { h } from './dom.js';
import { t, currentLanguage, uiLanguages, LANGUAGE_NAMES, shellFile } from './i18n.js';
import { audienceLabel, freshCounts } from './views.js';
import { ROUTES, resolve } from './router.js';
import { featuresOff } from './sealed.js';
import { visits } from './visit.js';
import * as N from './notify.js';
import { CONTACT } from './session.js';

const main = () => document.getElementById('main');

export function createShell(session) {
  const { state } = session;
  const nextVisit = visits(session);
  let lastRoute = null;
  let inAppNavigations = 0;
  let installPrompt = null;

  function renderHeader(loggedIn, route) {
    const langs = uiLanguages(state.site && state.site.languages);
    const fresh = freshCounts(state);
    const off = featuresOff(state.records);
    const navLink = (href, key, name) => h('a', { href, 'aria-current': route === name ? 'page' : null, 'data-nav': name }, t(key),
      fresh[name] ? [' ', h('span', { class: 'new-count', 'data-testid': 'new-count' }, h('span', { class: 'sr' }, '('),
        fresh[name], h('span', { class: 'sr' }, ' ' + t('new.label') + ')'))] : null);
    const header = document.getElementById('top');
    header.replaceChildren(...[
      h('div', { class: 'bar' },
        h('a', { class: 'brand', href: '#/' }, h('img', { src: shellFile('icon.svg'), alt: '', width: '28', height: '28' }),
          // dir=auto: the school's name keeps its own direction (and is cut at its end) in Arabic.
          h('span', { dir: 'auto' }, state.site ? state.site.name : t('app.title'))),
        h('div', { class: 'tools' }, langs.length > 1 ? h('select', { class: 'lang', 'data-testid': 'lang-switch', 'aria-label': t('lang.label'),
          onchange: (ev) => session.setLanguage(ev.target.value) }, langs.map((l) =>
          h('option', { value: l, lang: l, selected: l === currentLanguage() }, LANGUAGE_NAMES[l]))) : null,
        // Settings sit in the bar as an icon: the menu keeps room for five words on a phone.
        loggedIn ? h('a', { class: 'settings-link', href: '#/settings', 'data-nav': 'settings', title: t('nav.settings'),
          'aria-current': route === 'settings' ? 'page' : null }, h('span', { class: 'sr' }, t('nav.settings'))) : null)),
      loggedIn ? h('nav', { 'aria-label': t('nav.label') },
        ROUTES.filter((r) => r.nav && !(r.feature && off.has(r.feature)) && (!r.staff || state.records.some((x) => x.staff))
          && (!r.parents || state.records.some((x) => !x.staff))).map((r) => navLink(r.hash, 'nav.' + r.name, r.name))) : null].filter(Boolean));
    document.title = state.site ? `${state.site.name} · ${t('app.title')}` : t('app.title');
  }

  function notices() {
    const list = [...state.notices];
    for (const aud of state.audiences.values()) {
      if (aud.error) list.push(['notice.audience_error', { title: audienceLabel(aud) }]);
    }
    if (!list.length) return null;
    return h('div', { class: 'notices' }, list.map((n) => {
      const [key, vars] = Array.isArray(n) ? n : [n];
      return h('div', { class: 'notice', role: 'status', 'data-testid': key },
        h('p', null, t(key, vars)),
        typeof n === 'string' ? h('button', { type: 'button', class: 'link', onclick: () => session.dismiss(n) }, t('notice.dismiss')) : null);
    }));
  }

  function render() {
    const visit = nextVisit();
    const hash = location.hash || '#/';
    const loggedIn = state.records.length > 0;
    const { route, param } = resolve(hash, loggedIn, featuresOff(state.records));
    const node = route.view(state, visit, param);
    if (session.measuring) performance.mark('render:built');
    renderHeader(loggedIn, route.name);
    main().replaceChildren(...[notices(), route.hint ? installHint() : null, route.hint ? notifyOffer() : null, node].filter(Boolean));
    main().setAttribute('data-route', route.name);
    if (session.measuring) performance.mark('render:inserted');
    // Move focus to the new view's heading on navigation, so screen readers announce it. Back to
    // a view left through a link (the timeline after an item) returns to where the parent was.
    if (lastRoute !== null && lastRoute !== route.name + hash && !route.ownFocus) {
      const saved = history.state && typeof history.state.scrollY === 'number' ? history.state : null;
      // Back: focus returns to the link the parent left through (screen readers resume there).
      const left = saved && typeof saved.link === 'string' ? [...node.querySelectorAll('a[href]')].find((a) => a.getAttribute('href') === saved.link) : null;
      const hd = left || node.querySelector('.view-title');
      if (hd) hd.focus({ preventScroll: true });
      window.scrollTo(0, saved ? saved.scrollY : 0);
    }
    lastRoute = route.name + hash;
  }

  window.addEventListener('hashchange', () => {
    if (/^#token=/.test(location.hash)) { location.reload(); return; }
    inAppNavigations++;
    render();
  });

  document.addEventListener('click', (ev) => {
    const el = ev.target instanceof Element ? ev.target : null;
    if (!el) return;
    // Leaving through an in-app link: the entry being left keeps its scroll position for "back".
    const link = el.closest('a[href^="#/"]');
    if (link && !link.hasAttribute('data-back')) {
      history.replaceState({ ...(history.state || {}), scrollY: window.scrollY, link: link.getAttribute('href') }, '');
    }
    // "Back" returns to where the parent came from (timeline, calendar, info) when that was in the app.
    if (el.closest('a[data-back]') && inAppNavigations > 0) { ev.preventDefault(); history.back(); }
    if (el.closest('a.skip')) { ev.preventDefault(); main().focus(); }
  });

  /** No site.json, or an unknown format: nothing to translate with either. */
  /** Nothing to show (offline with nothing kept yet, or the site unreachable): say so in both
   * languages (the translations may not have loaded), offer to try again, and name the school's
   * contact when this device has seen it. */
  function fail() {
    let c = null;
    try { c = JSON.parse(localStorage.getItem(CONTACT) || 'null'); } catch (e) { /* storage off */ }
    const offline = navigator.onLine === false;
    main().replaceChildren(h('section', { class: 'view view-failed', 'data-testid': 'load-failed' },
      h('h1', { class: 'view-title' }, 'Het portaal kon niet worden geladen', h('span', { lang: 'en', class: 'muted' }, ' / The portal could not be loaded')),
      h('p', { role: 'alert' }, offline
        ? 'Dit apparaat is niet met internet verbonden, en het portaal is hier nog niet bewaard. / This device is offline and has not kept the portal yet.'
        : 'Controleer de internetverbinding. / Please check the internet connection.'),
      h('p', null, h('button', { type: 'button', class: 'primary', 'data-testid': 'retry', onclick: () => location.reload() },
        'Opnieuw proberen / Try again')),
      c && (c.email || c.phone) ? h('p', { 'data-testid': 'failed-contact' }, 'Lukt het niet? / Still not working? ',
        c.name ? h('strong', { dir: 'auto' }, c.name) : null,
        c.email ? [' ', h('a', { href: 'mailto:' + c.email, dir: 'ltr' }, c.email)] : null,
        c.phone ? [' ', h('a', { href: 'tel:' + String(c.phone).replace(/[^0-9+]/g, ''), dir: 'ltr' }, c.phone)] : null) : null));
  }

  // ---- service worker: offline use and the update flow ----

  /** The sealed files and site.json this page fetched (from the browser's resource timing). */
  function fetchedSealedFiles() {
    const base = new URL('./', location.href).href;
    return [...new Set(performance.getEntriesByType('resource').map((e) => e.name)
      .filter((u) => u.startsWith(base)).map((u) => u.slice(base.length).split(/[?#]/)[0])
      .filter((p) => /^(?:[bik]\/[0-9a-f]{32}|site\.json)$/.test(p)))];
  }

  /** After a complete online load, the worker drops cached sealed files that no index, loaded page
   * or token refers to any more (old epochs, edited items, format 1's a/): the cache does not grow forever. */
  function pruneCache() {
    const sw = navigator.serviceWorker && navigator.serviceWorker.controller;
    if (!sw) return;
    const keep = session.referencedFiles();
    if (keep) sw.postMessage({ type: 'prune', keep });
  }

  function offerUpdate(apply) {
    if (document.getElementById('update')) return;
    const button = h('button', { type: 'button', class: 'primary', 'data-testid': 'update-reload' }, t('update.reload'));
    const bar = h('div', { id: 'update', class: 'update', role: 'status', 'data-testid': 'update' },
      h('p', null, t('update.available')), button);
    button.addEventListener('click', () => { button.disabled = true; apply(); });
    document.body.append(bar);
  }

  function registerWorker() {
    if (!('serviceWorker' in navigator)) return;
    const sw = navigator.serviceWorker;
    let updating = false;
    // A first visit runs before the worker controls the page: once it does, it is told what this
    // visit fetched (the keyslot, indexes, pages, the items and photos opened), so that they open
    // offline too, not only the shell.
    const firstVisit = !sw.controller;
    sw.addEventListener('controllerchange', () => {
      if (updating) { location.reload(); return; }
      if (firstVisit && sw.controller) sw.controller.postMessage({ type: 'keep', files: fetchedSealedFiles() });
    });
    sw.addEventListener('message', (e) => {
      const m = e.data || {};
      if (m.type === 'check' && m.update) offerUpdate(() => { updating = true; sw.controller.postMessage({ type: 'use-latest' }); });
      if (m.type === 'ready' && updating) location.reload();
      // A new shell that does not match what the school signed: said, and the old one stays.
      if (m.type === 'shell-refused') session.say('notice.shell_refused');
    });
    sw.register('sw.js', { scope: './', updateViaCache: 'none', type: 'module' }).then((reg) => {
      if (!reg) return;  // service workers blocked (some privacy settings, test browsers)
      // A new sw.js waits until the parent agrees; then it takes over and the page reloads.
      const waiting = (w) => offerUpdate(() => { updating = true; w.postMessage({ type: 'skip-waiting' }); });
      if (reg.waiting && sw.controller) waiting(reg.waiting);
      // Only a worker that stays waiting is offered: one that brings the shell in use (or takes
      // over after format 1's) moves on to activate by itself a moment after "installed".
      const track = (w) => w && w.addEventListener('statechange', () => {
        if (w.state === 'installed' && sw.controller) setTimeout(() => { if (reg.waiting === w) waiting(w); }, 250);
      });
      reg.addEventListener('updatefound', () => track(reg.installing));
      // A module worker's graph takes longer to load: an update may already be installing here.
      if (reg.installing && sw.controller) track(reg.installing);
      // The same sw.js with changed shell files: the worker compares and answers with a 'check' message.
      if (sw.controller) sw.controller.postMessage({ type: 'check' });
      N.tellWorker();
      // A new sw.js is looked for at every start: after format 1's worker handed over its shell,
      // this is what brings format 2's worker in.
      reg.update().catch(() => {});
    }, (e) => console.warn('service worker', e));
  }

  // ---- install hint ----
  // Chromium-based browsers offer installation through this event; shown on the timeline until the
  // parent installs or says "not now" (remembered on this device).

  window.addEventListener('beforeinstallprompt', (e) => {
    e.preventDefault();
    let declined = false;
    try { declined = localStorage.getItem('install-hint') === 'no'; } catch (err) { /* storage off */ }
    if (declined) return;
    installPrompt = e;
    if (document.documentElement.hasAttribute('data-ready')) render();
  });
  window.addEventListener('appinstalled', () => { installPrompt = null; render(); });

  function installHint() {
    if (!installPrompt || !state.records.length) return null;
    const later = () => {
      installPrompt = null;
      try { localStorage.setItem('install-hint', 'no'); } catch (e) { /* storage off */ }
      render();
    };
    return h('div', { class: 'notice install', role: 'region', 'aria-label': t('install.button'), 'data-testid': 'install-hint' },
      h('p', null, t('install.text')),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'primary', onclick: async () => {
          const p = installPrompt;
          installPrompt = null;
          try { await p.prompt(); } catch (e) { /* dismissed */ }
          render();
        } }, t('install.button')),
        h('button', { type: 'button', class: 'link', 'data-testid': 'install-later', onclick: later }, t('install.later'))));
  }

  // ---- notifications: asked once on the timeline after login, never on page load ----

  function notifyOffer() {
    let asked = null;
    try { asked = localStorage.getItem('push-offer'); } catch (e) { return null; }
    if (asked || N.support() !== 'yes' || N.mode() !== 'off' || !state.records.some((r) => r.push)
      || featuresOff(state.records).has('push')) return null;
    const done = () => { try { localStorage.setItem('push-offer', 'done'); } catch (e) { /* storage off */ } render(); };
    return h('div', { class: 'notice install', role: 'region', 'aria-label': t('settings.notify'), 'data-testid': 'notify-offer' },
      h('p', null, t('notify.offer')),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'primary', 'data-testid': 'notify-offer-yes', onclick: async () => {
          try { await N.setMode(state.site, state.records, 'all'); } catch (e) { /* settings can try again */ }
          done();
        } }, t('notify.offer_yes')),
        h('button', { type: 'button', class: 'link', 'data-testid': 'notify-offer-later', onclick: done }, t('install.later'))));
  }

  return { render, fail, pruneCache, registerWorker };
}
