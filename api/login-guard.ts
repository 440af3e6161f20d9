// Sign-in limits (rate-limiter-flexible on the state database, so they hold across restarts and the
// CLI can lift them). Every attempt is reserved *before* the password is hashed: a burst of parallel
// guesses counts each one, and only the allowed number ever reach scrypt.
//
// - per (user name, address): 5 tries; then that pair waits 1 min, and each further lockout within a
//   day doubles the wait (2, 4 … at most 60 min). A right password resets the pair.
// - per address (any user names): 20 failed tries in 15 min; then 15 min, doubling up to 24 h.
// - nothing is keyed on the user name alone: a lockout never keeps the right password out from
//   another address, so nobody can lock the admin out. A name attacked from many addresses
//   (50 failures in an hour) is logged and audited (`auth.attack`).
// An admin lifts a user's lockouts (`POST /api/v1/users/{name}/unlock`, `diemcau user unlock NAME`).
import { RateLimiterRes, RateLimiterSQLite } from 'rate-limiter-flexible';
import type { StateDb } from '../storage/state-db.ts';

export interface LoginLimits {
  perPair: number;
  perAddress: number;
  /** the window tries are counted in */
  windowS: number;
  pairLockoutS: number;
  pairLockoutMaxS: number;
  addressLockoutS: number;
  addressLockoutMaxS: number;
  /** failures for one name from all addresses in an hour that are reported as an attack */
  attackThreshold: number;
}

export const LOGIN_LIMITS: LoginLimits = {
  perPair: 5,
  perAddress: 20,
  windowS: 15 * 60,
  pairLockoutS: 60,
  pairLockoutMaxS: 3600,
  addressLockoutS: 15 * 60,
  addressLockoutMaxS: 24 * 3600,
  attackThreshold: 50,
};

const TABLE = 'login_limits';

export type Reservation =
  | { ok: true; finish(success: boolean): Promise<{ attack: boolean }> }
  | { ok: false; retryMs: number; scope: 'address' | 'user_address' };

function limiter(state: StateDb, keyPrefix: string, points: number, duration: number) {
  return new RateLimiterSQLite({
    storeClient: state,
    storeType: 'better-sqlite3',
    tableName: TABLE,
    tableCreated: true,
    keyPrefix,
    points,
    duration,
  });
}

const userKey = (name: string) => name.slice(0, 64).toLowerCase();

export class LoginGuard {
  private readonly address: RateLimiterSQLite;
  private readonly pair: RateLimiterSQLite;
  private readonly lockouts: RateLimiterSQLite;
  private readonly names: RateLimiterSQLite;

  constructor(
    state: StateDb,
    readonly limits: LoginLimits = LOGIN_LIMITS,
  ) {
    this.address = limiter(state, 'address', limits.perAddress, limits.windowS);
    this.pair = limiter(state, 'pair', limits.perPair, limits.windowS);
    // how many times a key was locked out in the last day: the exponent of its next wait
    this.lockouts = limiter(state, 'lockouts', 1_000_000, 24 * 3600);
    this.names = limiter(state, 'name', limits.attackThreshold, 3600);
  }

  /** Takes one attempt from the address's and the pair's allowance, or says how long to wait. */
  async reserve(name: string, ip: string): Promise<Reservation> {
    const addressKey = ip;
    const pairKey = `${userKey(name)}|${ip}`;
    try {
      await this.address.consume(addressKey);
    } catch (e) {
      return { ok: false, scope: 'address', retryMs: await this.refused(e, this.address, addressKey, 'a') };
    }
    try {
      await this.pair.consume(pairKey);
    } catch (e) {
      await this.address.reward(addressKey, 1); // not tried: does not count against the address
      return { ok: false, scope: 'user_address', retryMs: await this.refused(e, this.pair, pairKey, 'p') };
    }
    return {
      ok: true,
      finish: async (success) => {
        if (success) {
          await this.pair.delete(pairKey);
          await this.address.reward(addressKey, 1);
          return { attack: false };
        }
        try {
          await this.names.consume(userKey(name));
          return { attack: false };
        } catch (e) {
          // reported once, when the threshold is crossed
          return {
            attack: e instanceof RateLimiterRes && e.consumedPoints === this.limits.attackThreshold + 1,
          };
        }
      },
    };
  }

  /** The first refusal past the allowance locks the key out for an exponentially longer time. */
  private async refused(e: unknown, rl: RateLimiterSQLite, key: string, kind: 'a' | 'p'): Promise<number> {
    if (!(e instanceof RateLimiterRes)) throw e;
    if (e.consumedPoints !== rl.points + 1) return Math.max(e.msBeforeNext, 1000);
    const n = (await this.lockouts.consume(`${kind}|${key}`)).consumedPoints;
    const [first, max] =
      kind === 'a'
        ? [this.limits.addressLockoutS, this.limits.addressLockoutMaxS]
        : [this.limits.pairLockoutS, this.limits.pairLockoutMaxS];
    const seconds = Math.min(first * 2 ** (n - 1), max);
    await rl.block(key, seconds);
    return seconds * 1000;
  }
}

/** Lifts every lockout of a user name (all addresses) and forgets its lockout history. */
export function unlockUser(state: StateDb, name: string): number {
  const k = `${userKey(name)}|`;
  const del = state.prepare(`DELETE FROM ${TABLE} WHERE substr(key, 1, ?) = ? OR key = ?`);
  return [`pair:${k}`, `lockouts:p|${k}`].reduce(
    (n, prefix) => n + del.run(prefix.length, prefix, `name:${userKey(name)}`).changes,
    0,
  );
}
