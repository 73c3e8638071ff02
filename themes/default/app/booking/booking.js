// The conference booking page (#/book/<path>): a controller that loads the schedule from the
// receiver, polls it while the page is open, and lets the parent pick, send (book, move or book a
// back-to-back pair for two children) and cancel. draw.js draws; this decides. Fetched the first
// time a parent opens a booking page (router.js); its words are the app's own (i18n/), which the
// timeline's conference cards share.
import { t, formatDay, dayKey } from '../i18n.js';
import { call, sealPayload, ApiError } from '../receiver.js';
import { calendarFile } from '../ics.js';
import { saveBlob } from '../gallery.js';
import { nameField, childrenIn, rememberName, recordFor, problem, say, rememberBooked } from '../forms.js';
import * as D from './draw.js';

const POLL_MS = 15000;

/** The conference item of `path` with its slots by evening. */
function conferenceOf(state, path) {
  const e = state.items.get(path);
  return e && e.item.kind === 'conference' && e.item.conference && Array.isArray(e.item.conference.slots) ? e : null;
}

/** Schedules of other groups on the same device record, for back-to-back pairs. */
function partnerSchedules(state, entry, rec) {
  const now = new Date().toISOString();
  return [...state.items.values()].filter((e) => e !== entry && e.item.kind === 'conference' && e.item.conference
    && e.aud.id !== entry.aud.id && rec.audiences.some((a) => a.id === e.aud.id)
    && typeof e.item.conference.closes === 'string' && e.item.conference.closes > now);
}

// The receiver knows a conference by its schedule id (FORMAT.md "Pages": an opaque hash, not the
// path with the title in it); a page without one (an older generator) books under the path.
const scheduleOf = (item) => (typeof item.conference.id === 'string' && item.conference.id) || item.path;
const schedulePath = (item) => '/v1/schedules/' + encodeURIComponent(scheduleOf(item)) + '/slots';

export function bookingView(state, visit, path) {
  const entry = conferenceOf(state, path);
  if (!entry) return D.notFoundPage(path);
  const { item, aud } = entry;
  const conf = item.conference;
  const rec = recordFor(state, aud.id);
  const name = nameField('child-name', aud.id, aud.title, false, childrenIn(state, aud.id));
  const { view, box, receipt, grid, pairsArea, confirmArea } = D.bookingPage(entry, path, name.node);
  if (!rec) { say(box, t('send.no_key'), 'error'); grid.replaceChildren(); return view; }

  let data = null;          // the receiver's answer for this schedule
  let moving = null;        // booking id while the parent picks a new time
  let busy = false;
  const partners = partnerSchedules(state, entry, rec);
  const partnerData = new Map();

  // ---- load and poll ----

  async function load() {
    try {
      const answer = await call(state.site, rec, 'GET', schedulePath(item));
      if (!visit.current()) return;
      data = answer;
      for (const p of partners) {
        try { partnerData.set(p.item.path, await call(state.site, rec, 'GET', schedulePath(p.item))); } catch (e) { /* no pairs then */ }
      }
      draw();
    } catch (err) {
      if (!visit.current()) return;
      if (!data) { grid.replaceChildren(); grid.removeAttribute('aria-busy'); }
      say(box, problem(err), 'error');
    }
  }

  function draw() {
    grid.removeAttribute('aria-busy');
    const mine = data.slots.filter((s) => s.state === 'mine');
    rememberBooked(entry.item.path, mine.map((s) => s.start).filter(Boolean));
    const closedText = D.windowMessage(data);
    if (closedText && !box.getAttribute('data-kind')) say(box, closedText, 'info');
    const theirs = partners.flatMap((p) => ((partnerData.get(p.item.path) || {}).slots || [])
      .filter((s) => s.state === 'mine').map((slot) => ({ slot, entry: p })));
    receipt.replaceChildren(...mine.map((s) => D.receiptCard(s, conf, data.open, { calendar: saveCalendar, rebook, cancel },
      theirs.filter((o) => dayKey(o.slot.start) === dayKey(s.start)))));
    const canPick = data.open && (mine.length < data.per_family || moving);
    // A redraw (every 15 s) must not take the keyboard focus away from the slot it was on.
    const focused = grid.contains(document.activeElement) ? document.activeElement.getAttribute('data-slot') : null;
    grid.replaceChildren(...D.slotGrid(data.slots, canPick, (slot) => pick([{ entry, slot }])));
    if (focused) {
      const again = grid.querySelector(`[data-slot="${CSS.escape(focused)}"]`);
      (again && !again.disabled ? again : grid.querySelector('.slot:not([disabled])') || grid).focus();
    }
    const pairs = canPick && !moving && partners.length ? D.pairsSection(D.pairOptions(entry, data.slots, partners, partnerData), pick) : null;
    pairsArea.replaceChildren(...(pairs ? [pairs] : []));
  }

  // ---- pick and send ----

  /** Asks to confirm the chosen slot(s), then books, moves or books the pair. */
  function pick(choice) {
    if (busy) return;
    const names = choice.map((c) => c.entry.aud.id === aud.id ? name
      : nameField('child-name-' + c.entry.aud.id, c.entry.aud.id, c.entry.aud.title, true, childrenIn(state, c.entry.aud.id)));
    if (choice.length > 1) name.node.querySelector('label').textContent = t(name.input.tagName === 'SELECT' ? 'form.which_child_in' : 'form.child_in', { group: aud.title });
    const { node, ok } = D.confirmBox(D.choiceSummary(choice), moving, names.filter((n) => n !== name).map((n) => n.node),
      () => { confirmArea.replaceChildren(); moving = null; draw(); });
    confirmArea.replaceChildren(node);
    ok.addEventListener('click', () => send(choice, names, ok));
    ok.focus();
  }

  async function send(choice, names, button) {
    for (const n of names) {
      n.input.value = n.input.value.trim();
      if (!n.input.value) { n.input.setAttribute('aria-invalid', 'true'); say(box, t('form.child_missing'), 'error'); n.input.focus(); return; }
      n.input.removeAttribute('aria-invalid');
    }
    busy = true; button.disabled = true; button.textContent = t('send.busy');
    try {
      const sealedFor = (i) => sealPayload(state.site, rec, choice[i].entry.aud.id, 'booking', { child: names[i].input.value, note: '' },
        [scheduleOf(choice[i].entry.item), choice[i].slot.id]);
      if (moving) {
        await call(state.site, rec, 'POST', '/v1/bookings/' + moving + '/move',
          { slot: choice[0].slot.id, sealed: await sealedFor(0) });
      } else if (choice.length === 1) {
        await call(state.site, rec, 'POST', '/v1/bookings',
          { schedule: scheduleOf(choice[0].entry.item), slot: choice[0].slot.id, sealed: await sealedFor(0) });
      } else {
        const claims = [];
        for (let i = 0; i < choice.length; i++) {
          claims.push({ schedule: scheduleOf(choice[i].entry.item), slot: choice[i].slot.id, sealed: await sealedFor(i) });
        }
        await call(state.site, rec, 'POST', '/v1/bookings', { claims });
      }
      choice.forEach((c, i) => rememberName(c.entry.aud.id, names[i].input.value));
      if (!visit.current()) return;
      moving = null;
      confirmArea.replaceChildren();
      say(box, t('booking.done', { time: D.slotLabel(choice[0].slot), day: formatDay(choice[0].slot.start) }), 'ok');
      await load();
      const r = receipt.querySelector('.receipt');
      if (r) r.focus();
    } catch (err) {
      if (!visit.current()) return;
      button.disabled = false; button.textContent = D.confirmLabel(moving);
      say(box, problem(err), 'error');
      if (err instanceof ApiError && err.status === 409) { confirmArea.replaceChildren(); await load(); }
      showProblem();
    } finally {
      busy = false;
    }
  }

  /** The status line sits above the grid: after a refusal the parent is scrolled down at the slot
   * they picked, so the message is brought into view (and focused, so it is read out). */
  function showProblem() {
    box.setAttribute('tabindex', '-1');
    box.focus({ preventScroll: true });
    box.scrollIntoView({ block: 'center' });
  }

  // ---- what a receipt offers ----

  function rebook(s) {
    moving = s.booking; say(box, t('booking.pick_new'), 'info'); draw();
    const first = grid.querySelector('button:not([disabled])'); if (first) first.focus();
  }

  async function cancel(s) {
    if (busy) return;
    busy = true;
    try {
      await call(state.site, rec, 'DELETE', '/v1/bookings/' + s.booking);
      if (!visit.current()) return;
      // A move of this booking that was under way is over: no "move here" panel stays behind.
      if (moving === s.booking) moving = null;
      confirmArea.replaceChildren();
      say(box, t('booking.cancelled'), 'ok');
      await load();
    } catch (err) {
      if (visit.current()) { say(box, problem(err), 'error'); showProblem(); }
    } finally {
      busy = false;
    }
  }

  function saveCalendar(s) {
    saveBlob(new Blob([calendarFile([{ item: {
      path: item.path + '/' + s.id, title: item.title,
      summary: conf.teacher, event: { start: s.start, end: s.end, location: conf.location } }, label: aud.title }],
    { siteId: state.site.site_id, name: state.site.name })], { type: 'text/calendar;charset=utf-8' }), 'oudergesprek.ics');
  }

  load();
  // Taken slots turn grey while the page is open: poll, and look again when the page comes back.
  const timer = setInterval(() => { if (!busy && document.visibilityState === 'visible') load(); }, POLL_MS);
  const onVisible = () => { if (document.visibilityState === 'visible' && !busy) load(); };
  document.addEventListener('visibilitychange', onVisible);
  visit.onLeave(() => { clearInterval(timer); document.removeEventListener('visibilitychange', onVisible); });
  return view;
}
