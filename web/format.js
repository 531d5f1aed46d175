// format.js - times with their zone, durations, counts, and schedules in
// words.

const LOCAL = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
  timeZoneName: 'short',
});
const UTC = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: 'UTC', timeZoneName: 'short',
});
const UTC_DAY = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
  timeZone: 'UTC', timeZoneName: 'short',
});

// "30 Nov 2026, 01:09:00 GMT" - local time with its zone; '—' for none.
export function localTime(iso) {
  return iso ? LOCAL.format(new Date(iso)) : '—';
}

// The same instant in UTC: time only when the local day is the UTC day.
export function utcTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const sameDay = d.getUTCDate() === d.getDate() && d.getUTCMonth() === d.getMonth();
  return (sameDay ? UTC : UTC_DAY).format(d);
}

// Local and UTC together, for one line (once when the local zone is UTC).
export function bothTimes(iso) {
  if (!iso) return '—';
  const sameAsUtc = new Date(iso).getTimezoneOffset() === 0;
  return sameAsUtc ? localTime(iso) : `${localTime(iso)} (${utcTime(iso)})`;
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60), s = Math.round(seconds % 60);
  if (m < 60) return s ? `${m} min ${s} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

export function count(n) {
  return n === null || n === undefined ? '—' : n.toLocaleString();
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MACROS = {
  '@yearly': 'once a year, on 1 January at 00:00', '@annually': 'once a year, on 1 January at 00:00',
  '@monthly': 'on the 1st of every month at 00:00', '@weekly': 'every Sunday at 00:00',
  '@daily': 'every day at 00:00', '@midnight': 'every day at 00:00', '@hourly': 'every hour, on the hour',
};

const pad = (n) => String(n).padStart(2, '0');
const isNumber = (f) => /^\d+$/.test(f);
const every = (f) => { const m = /^(?:\*|0)\/(\d+)$/.exec(f); return m ? Number(m[1]) : null; };

// A cron expression (seconds first, or five fields) in words, or null
// when it is not one of the common shapes (the expression is shown anyway).
export function scheduleWords(cron) {
  const text = (cron || '').trim();
  if (text === '-') return 'never (disabled)';
  if (MACROS[text]) return MACROS[text];
  let fields = text.split(/\s+/);
  if (fields.length === 5) fields = ['0', ...fields];
  if (fields.length !== 6) return null;
  const [sec, min, hour, dom, mon, dow] = fields;
  const anyDay = (dom === '*' || dom === '?') && mon === '*';
  if (!anyDay) return null;
  let days = 'every day';
  if (dow !== '*' && dow !== '?') {
    if (!/^[0-7](,[0-7])*$/.test(dow)) return null;
    days = 'every ' + dow.split(',').map((d) => DAYS[Number(d) % 7]).join(', ');
  }
  if (isNumber(sec) && isNumber(min) && isNumber(hour)) {
    return `${days} at ${pad(hour)}:${pad(min)}${Number(sec) ? ':' + pad(sec) : ''}`;
  }
  if (days !== 'every day') return null;
  if (every(sec) && min === '*' && hour === '*') return `every ${every(sec)} seconds`;
  if (isNumber(sec) && every(min) && hour === '*') return `every ${every(min)} minutes`;
  if (isNumber(sec) && isNumber(min) && hour === '*') return `every hour at minute ${Number(min)}`;
  return null;
}

// Seconds left at the rate so far, or null.
export function eta(rowsDone, rowsExpected, startedAt) {
  if (!rowsDone || !rowsExpected || !startedAt) return null;
  const elapsed = (Date.now() - new Date(startedAt).getTime()) / 1000;
  return elapsed > 0 ? Math.max(0, elapsed * (rowsExpected - rowsDone) / rowsDone) : null;
}
