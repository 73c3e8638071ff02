// One visit of a view, from render to the next render: what a view starts (object URLs, observers,
// timers, late answers) ends when the parent leaves it.
import { h } from './dom.js';
import { t } from './i18n.js';

/** Returns `next()`, which ends the current visit and begins another. */
export function visits(session) {
  let generation = 0;
  const urls = new Set();
  const cleanups = [];

  return function next() {
    for (const fn of cleanups.splice(0)) { try { fn(); } catch (e) { console.error(e); } }
    for (const u of urls) URL.revokeObjectURL(u);
    urls.clear();
    const mine = ++generation;
    const current = () => mine === generation;
    return {
      session,
      /** False once the parent has left: late results are dropped. */
      current,
      onLeave: (fn) => { if (current()) cleanups.push(fn); },
      objectUrl: (blob) => { const u = URL.createObjectURL(blob); urls.add(u); return u; },
      revoke: (u) => { URL.revokeObjectURL(u); urls.delete(u); },
      /** On failure the image becomes a short message, or goes when `quiet`. */
      loadMedia: (aud, mediaPath, img, { thumb = false, quiet = false } = {}) => {
        const m = session.mediaInfo(aud, mediaPath, thumb);
        img.classList.add('media-loading');
        const fail = () => {
          img.classList.remove('media-loading');
          if (quiet) { img.remove(); return; }
          img.replaceWith(h('span', { class: 'media-error', role: 'img', 'aria-label': t('media.error') }, t('media.error')));
        };
        if (!m) { fail(); return; }
        if (m.width && m.height && !img.hasAttribute('width')) { img.setAttribute('width', m.width); img.setAttribute('height', m.height); }
        session.openMedia(aud, mediaPath, { thumb }).then(({ bytes }) => {
          if (!current()) return;
          const url = URL.createObjectURL(new Blob([bytes], { type: m.type || 'application/octet-stream' }));
          urls.add(url);
          img.src = url;
          img.classList.remove('media-loading');
        }, () => { if (current()) fail(); });
      },
    };
  };
}
