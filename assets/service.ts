// Keeps the equipment register current from the bus: each 'identity' event the collector publishes
// updates the device's identity (a firmware/software change or a swapped unit is stored and logged);
// garbage identity answers mark the device until it answers well.
import type { DeviceEvent } from '../core/bus.ts';
import { IDENTITY_CHANGE_NAMES, IDENTITY_NAMES, type Identity, isIdentityField } from '../core/identity.ts';
import { isActive, type Runtime, type Service } from '../core/runtime.ts';
import { AssetStore, type IdentityChange } from './store.ts';

export interface AssetsService extends Service {
  store: AssetStore;
  /** called with the changes each identity read found (tests, live views) */
  onChange(cb: (changes: IdentityChange[]) => void): () => void;
}

export function identityOfEvent(e: DeviceEvent): Identity {
  const out: Identity = {};
  for (const [k, v] of Object.entries(e.data ?? {}))
    if (isIdentityField(k) && typeof v === 'string' && v !== '') out[k] = v;
  return out;
}

export function startAssets(rt: Pick<Runtime, 'bus' | 'state' | 'log' | 'active'>): AssetsService {
  const store = new AssetStore(rt.state);
  let listeners: ((c: IdentityChange[]) => void)[] = [];
  const off = rt.bus.onEvent((e) => {
    // two servers: the active one keeps the register, the standby receives its rows
    if (!isActive(rt)) return;
    if (e.kind === 'identity') {
      const changes = store.recordIdentity(e.device, identityOfEvent(e), e.time);
      // the read's bad_response came just before; a clean read clears the mark
      if (e.data?.garbage !== true) store.recordProblem(e.device, null, e.time);
      for (const c of changes)
        rt.log.info(
          { device: c.device, field: c.field, kind: c.kind, before: c.before, after: c.after },
          `${IDENTITY_CHANGE_NAMES[c.kind].en}: ${IDENTITY_NAMES[c.field].en} ${c.before} → ${c.after}`,
        );
      if (changes.length > 0) for (const l of listeners) l(changes);
    } else if (e.kind === 'bad_response' && e.name === 'identity_garbage') {
      store.recordProblem(e.device, e.detail, e.time);
      rt.log.warn({ device: e.device, problem: e.detail }, 'identity objects answered garbage');
    }
  });
  return {
    name: 'assets',
    store,
    onChange(cb) {
      listeners.push(cb);
      return () => {
        listeners = listeners.filter((x) => x !== cb);
      };
    },
    async stop() {
      off();
    },
  };
}
