// Who is logged in, and what they may do.
import type { Role, User } from '../../../api/contract.ts';
import { get, pickCsrf, pickUser, post, setCsrf } from './api.ts';

export const session = $state<{ user: User | null; checked: boolean }>({ user: null, checked: false });

export async function checkSession(): Promise<void> {
  try {
    const me = await get<unknown>('/auth/me');
    session.user = pickUser(me);
    const token = pickCsrf(me);
    if (token) setCsrf(token);
  } catch {
    session.user = null;
  }
  session.checked = true;
}

/** Signs in; `totp`: the authenticator code, for an account with a second factor. */
export async function login(username: string, password: string, totp?: string): Promise<void> {
  const res = await post<unknown>('/auth/login', { name: username, password, ...(totp && { totp }) });
  setCsrf(pickCsrf(res));
  session.user = pickUser(res) ?? { name: username, role: 'viewer' };
  if (!pickUser(res)) await checkSession();
}

export async function logout(): Promise<void> {
  try {
    await post('/auth/logout');
  } finally {
    setCsrf(null);
    session.user = null;
  }
}

const OPERATORS: readonly Role[] = ['admin', 'noc'];

/** May acknowledge alerts and manage silences. */
export function canOperate(user: User | null): boolean {
  return !!user && (OPERATORS.includes(user.role) || user.role === 'technician');
}

/** Technicians may silence their own sites (the API checks which). */
export function canSilence(user: User | null): boolean {
  return canOperate(user);
}
