// The one time zone of the system: Bắc Kạn is Asia/Ho_Chi_Minh (UTC+7, no daylight saving).
// Everything a person reads — messages, reports, the meeting register — is written in it.
export const TZ = 'Asia/Ho_Chi_Minh';

const FORMAT = new Intl.DateTimeFormat('en-GB', {
  timeZone: TZ,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** The local calendar fields of a time, zero-padded: { y: '2026', mo: '03', d: '10', h: '08', mi: '00', s: '05' }. */
export function localParts(t: number): {
  y: string;
  mo: string;
  d: string;
  h: string;
  mi: string;
  s: string;
} {
  const f = FORMAT.formatToParts(new Date(t));
  const get = (k: string) => f.find((p) => p.type === k)?.value ?? '';
  return {
    y: get('year'),
    mo: get('month'),
    d: get('day'),
    h: get('hour'),
    mi: get('minute'),
    s: get('second'),
  };
}
