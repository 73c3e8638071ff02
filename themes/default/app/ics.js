// iCalendar (RFC 5545) files made in the browser from decrypted events: one event or all of them.
import { TZ, dayKey } from './i18n.js';

const enc = new TextEncoder();
const isDateOnly = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s);

// Europe/Amsterdam since 1996 (EU rules: last Sunday of March and of October, 01:00 UTC).
const VTIMEZONE = ['BEGIN:VTIMEZONE', 'TZID:Europe/Amsterdam',
  'BEGIN:DAYLIGHT', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'TZNAME:CEST', 'DTSTART:19810329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'END:DAYLIGHT',
  'BEGIN:STANDARD', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'TZNAME:CET', 'DTSTART:19961027T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'END:STANDARD', 'END:VTIMEZONE'];

/** TEXT value escaping (RFC 5545 3.3.11). */
export function escapeText(s) {
  return String(s).replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n');
}

/** Folds a content line at 75 octets (3.1), never inside a UTF-8 sequence. */
export function fold(line) {
  const out = [];
  let cur = '', bytes = 0;
  for (const ch of line) {
    const n = enc.encode(ch).length;
    if (bytes + n > 75) { out.push(cur); cur = ' '; bytes = 1; }
    cur += ch; bytes += n;
  }
  out.push(cur);
  return out.join('\r\n');
}

const compactDate = (d) => d.replace(/-/g, '');
function nextDay(d) {
  const x = new Date(d + 'T00:00:00Z');
  x.setUTCDate(x.getUTCDate() + 1);
  return x.toISOString().slice(0, 10);
}

const wall = new Intl.DateTimeFormat('en-GB', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
/** An instant as local time in the school's zone: "20270312T133000". */
function localStamp(s) {
  const p = Object.fromEntries(wall.formatToParts(new Date(s)).map((x) => [x.type, x.value]));
  return `${p.year}${p.month}${p.day}T${p.hour}${p.minute}${p.second}`;
}
const utcStamp = (d) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

function vevent(item, audLabel, siteId, stamp) {
  const ev = item.event;
  const allDay = ev.all_day || isDateOnly(ev.start);
  const lines = ['BEGIN:VEVENT', `UID:${item.path}@${siteId}`, `DTSTAMP:${stamp}`];
  if (allDay) {
    const first = dayKey(ev.start), last = dayKey(ev.end || ev.start);
    lines.push(`DTSTART;VALUE=DATE:${compactDate(first)}`, `DTEND;VALUE=DATE:${compactDate(nextDay(last < first ? first : last))}`);
  } else {
    lines.push(`DTSTART;TZID=${TZ}:${localStamp(ev.start)}`);
    if (ev.end) lines.push(`DTEND;TZID=${TZ}:${localStamp(ev.end)}`);
  }
  lines.push(`SUMMARY:${escapeText(item.title)}`);
  if (ev.location) lines.push(`LOCATION:${escapeText(ev.location)}`);
  const desc = [item.summary, audLabel].filter(Boolean).join('\n');
  if (desc) lines.push(`DESCRIPTION:${escapeText(desc)}`);
  if (audLabel) lines.push(`CATEGORIES:${escapeText(audLabel)}`);
  lines.push('TRANSP:' + (allDay ? 'TRANSPARENT' : 'OPAQUE'), 'END:VEVENT');
  return lines;
}

/**
 * A VCALENDAR with the events [{item, label}] as a string with CRLF line ends.
 *
 *     calendarFile([{item, label: 'Groep 3'}], {siteId: 'f0f1...', name: 'OBS De Regenboog'})
 */
export function calendarFile(entries, { siteId, name, now = new Date() }) {
  const stamp = utcStamp(now);
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Ouderportaal//Agenda//NL', 'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH'];
  if (name) lines.push(`X-WR-CALNAME:${escapeText(name)}`);
  lines.push(`X-WR-TIMEZONE:${TZ}`);
  if (entries.some(({ item }) => !(item.event.all_day || isDateOnly(item.event.start)))) lines.push(...VTIMEZONE);
  for (const { item, label } of entries) lines.push(...vevent(item, label, siteId, stamp));
  lines.push('END:VCALENDAR');
  return lines.map(fold).join('\r\n') + '\r\n';
}
