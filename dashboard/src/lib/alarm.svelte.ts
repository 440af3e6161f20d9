// Issue 15, the NOC view: a sound and a browser notification when a critical fault episode begins.
// Opt-in per screen (localStorage), muted by the same header button; the browser's permission for
// notifications is asked only when someone presses it. Which episodes ring: lib/notify.ts.
import type { Episode } from '../../../api/contract.ts';
import { causeLabel, i18n, t } from './i18n.svelte.ts';
import { inv } from './inventory.svelte.ts';
import { live } from './live.svelte.ts';
import { NewCriticalWatch, notificationText } from './notify.ts';
import { go } from './router.svelte.ts';

const KEY = 'diemcau.alarm';

function saved(): boolean {
  try {
    return localStorage.getItem(KEY) === 'on';
  } catch {
    return false;
  }
}

const supported = typeof window !== 'undefined' && 'Notification' in window;

export const alarm = $state({
  /** this screen rings (opted in and not muted) */
  on: saved(),
  /** the browser's answer for notifications: granted, denied, default, or unsupported */
  permission: (supported ? Notification.permission : 'unsupported') as NotificationPermission | 'unsupported',
  /** how many times it rang since the page loaded */
  rung: 0,
});

/** The header button: opt in (asks the browser's permission, within the click) or mute. */
export async function toggleAlarm(): Promise<void> {
  alarm.on = !alarm.on;
  try {
    localStorage.setItem(KEY, alarm.on ? 'on' : 'off');
  } catch {
    /* storage blocked: on for this page only */
  }
  if (!alarm.on) return;
  audio(); // a click lets the page make sound from now on
  if (supported && Notification.permission === 'default')
    alarm.permission = await Notification.requestPermission();
  else if (supported) alarm.permission = Notification.permission;
}

let ctx: AudioContext | null = null;
function audio(): AudioContext | null {
  try {
    ctx ??= new AudioContext();
    if (ctx.state === 'suspended') void ctx.resume();
    return ctx;
  } catch {
    return null;
  }
}

/** Three short square-wave pulses, high-low-high (0.75 s): unlike any system sound, audible across a room. */
export function chime(): void {
  const a = audio();
  if (!a) return;
  const start = a.currentTime + 0.02;
  [988, 740, 988].forEach((hz, i) => {
    const osc = a.createOscillator();
    const gain = a.createGain();
    osc.type = 'square';
    osc.frequency.value = hz;
    const t0 = start + i * 0.25;
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(0.25, t0 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.2);
    osc.connect(gain).connect(a.destination);
    osc.start(t0);
    osc.stop(t0 + 0.22);
  });
}

function ownerName(e: Episode): string | null {
  const org = e.owner_org ? (inv.orgs.get(e.owner_org)?.name ?? e.owner_org) : null;
  const person = e.owner_person ? (inv.people.get(e.owner_person)?.name ?? null) : null;
  return [org, person].filter(Boolean).join(' · ') || null;
}

function ring(e: Episode): void {
  alarm.rung++;
  chime();
  if (!supported || Notification.permission !== 'granted') return;
  const first = e.sites[0];
  const text = notificationText(
    e,
    {
      site: (first && live.site(first)?.name) || first || e.title,
      cause: causeLabel(e.cause),
      owner: ownerName(e),
      more: Math.max(0, e.sites.length - 1),
    },
    { title: t('alarm_title'), cause: t('cause'), owner: t('owner'), more: t('alarm_more') },
  );
  const n = new Notification(text.title, {
    body: text.body,
    tag: text.tag,
    lang: i18n.lang,
    requireInteraction: true,
  });
  n.onclick = () => {
    window.focus();
    go(`/alerts?episode=${encodeURIComponent(e.id)}`);
    n.close();
  };
}

/**
 * Listen to the live stream for the page's life. Episodes are judged whether or not the alarm is on,
 * so that turning it on later does not ring for what already happened.
 */
export function installAlarm(): () => void {
  const watch = new NewCriticalWatch();
  // a screen reloaded with the alarm on may make sound only after a first gesture (autoplay policy)
  const unlock = () => {
    if (alarm.on) audio();
  };
  window.addEventListener('pointerdown', unlock, { once: true });
  window.addEventListener('keydown', unlock, { once: true });
  const stop = live.watchEpisodes({
    snapshot: (eps) => watch.snapshot(eps),
    event: (e) => {
      if (watch.event(e) && alarm.on) ring(e);
    },
  });
  return () => {
    stop();
    window.removeEventListener('pointerdown', unlock);
    window.removeEventListener('keydown', unlock);
  };
}
