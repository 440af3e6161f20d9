// The observed-calls recorder as a running service: fed by the bus, and the NOC told once when the
// MCU carries a call nobody registered or a site joins a meeting it was not registered for (Điều 8.2.c).
import type { Outbox } from '../alerts/outbox.ts';
import { parseDuration } from '../config/config.ts';
import { callRecordOf } from '../core/call-records.ts';
import { isActive, type Runtime, type Service } from '../core/runtime.ts';
import { enqueueForPeople } from './notify.ts';
import { type CallEvent, ObservedCalls } from './observed.ts';
import type { DbMeetings } from './store.ts';
import { viDateTime } from './time.ts';

export function callMessage(
  e: CallEvent,
  siteName: string,
): { subject: string; body: string; short: string } {
  const at = viDateTime(e.at);
  if (e.kind === 'call_started') {
    return {
      subject: `[diemcau] Cuộc gọi chưa đăng ký trên MCU: ${siteName} từ ${at}`,
      body: [
        `MCU đang có cuộc gọi không khớp với cuộc họp nào đã đăng ký: ${siteName} kết nối lúc ${at}.`,
        'Đề nghị NOC xác định: gắn vào cuộc họp đã đăng ký, hoặc ghi nhận là hội nghị do Trung ương hoặc cấp huyện chủ trì (Điều 3.1, 6.3, 8.2.c).',
        '',
        '---',
        `The MCU carries a call that matches no registered meeting: ${siteName} connected at ${at}. Attach it to a registration or classify it (central, district-hosted).`,
      ].join('\n'),
      short: `MCU: cuoc goi chua dang ky, ${siteName} ${at}`.slice(0, 160),
    };
  }
  return {
    subject: `[diemcau] Điểm cầu không có trong danh sách đăng ký tham gia cuộc họp: ${siteName}`,
    body: [
      `${siteName} kết nối lúc ${at} vào cuộc họp đang diễn ra nhưng không có trong danh sách điểm cầu đã đăng ký (Điều 8.2.c).`,
      '',
      '---',
      `${siteName} joined the meeting under way at ${at} without being registered for it.`,
    ].join('\n'),
    short: `Diem cau ngoai danh sach: ${siteName} ${at}`.slice(0, 160),
  };
}

export interface CallsService extends Service {
  calls: ObservedCalls;
}

export function startObservedCalls(
  rt: Runtime,
  deps: { meetings: DbMeetings; outbox?: Outbox },
): CallsService {
  const calls = new ObservedCalls(rt.state, rt.inventory, deps.meetings, {
    intervalMs: parseDuration(rt.config.collector.interval),
  });
  // two servers: the active one records the calls, the standby receives its rows (core/runtime.ts);
  // one that takes over continues the legs the other left open, as after a restart
  let wasActive = true;
  const active = () => {
    const now = isActive(rt);
    if (now && !wasActive) calls.resume();
    wasActive = now;
    return now;
  };
  const off = rt.bus.onSamples((b) => {
    if (active()) calls.observe(b);
  });
  // the MCU's own call records (its history / CDR log, collector/drivers/call-history.ts)
  const offRecords = rt.bus.onEvent((e) => {
    const r = callRecordOf(e);
    if (r && active()) calls.record(r);
  });
  const offEvents = calls.onEvent((e) => {
    rt.log.warn({ call: e.call.id, site: e.site, event: e.kind }, 'call not matching a registration');
    if (!deps.outbox) return;
    const noc = rt.inventory.organisations.get(rt.inventory.inventory.network.noc)?.contacts ?? [];
    const msg = callMessage(e, rt.inventory.sites.get(e.site)?.name ?? e.site);
    enqueueForPeople(deps.outbox, rt.inventory, noc, `call/${e.call.id}/${e.kind}/${e.site}`, {
      ...msg,
      payload: { call: e.call.id, site: e.site, event: e.kind, at: e.at },
    });
  });
  return {
    name: 'observed-calls',
    calls,
    async stop() {
      off();
      offRecords();
      offEvents();
    },
  };
}
