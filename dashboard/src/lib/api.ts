// The one place the dashboard talks HTTP: JSON in and out, the session cookie, the CSRF header on
// state-changing requests, and the API's error shape turned into a message a person can read.
import type { ApiError, User } from '../../../api/contract.ts';

export const BASE = '/api/v1';

let csrf: string | null = null;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    /** validation errors: which field, what is wrong with it */
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/** The API names the token `csrf` (older drafts: `csrfToken` / `csrf_token`); accept any of them. */
export function pickCsrf(body: unknown): string | null {
  if (!body || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  for (const k of ['csrf', 'csrfToken', 'csrf_token']) if (typeof b[k] === 'string') return b[k] as string;
  return null;
}

export function setCsrf(token: string | null): void {
  csrf = token;
  try {
    if (token) sessionStorage.setItem('diemcau.csrf', token);
    else sessionStorage.removeItem('diemcau.csrf');
  } catch {
    /* ignore */
  }
}

function currentCsrf(): string | null {
  if (csrf) return csrf;
  try {
    csrf = sessionStorage.getItem('diemcau.csrf');
  } catch {
    /* ignore */
  }
  return csrf;
}

let onUnauthorized: () => void = () => {};
export function whenUnauthorized(cb: () => void): void {
  onUnauthorized = cb;
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const token = currentCsrf();
  if (method !== 'GET' && token) headers['x-csrf-token'] = token;
  const res = await fetch(BASE + path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = (data as ApiError | null)?.error;
    if (res.status === 401 && !path.startsWith('/auth/')) onUnauthorized();
    throw new HttpError(
      res.status,
      err?.message ?? `${res.status} ${res.statusText}`,
      err?.code ?? 'http',
      err?.issues ?? [],
    );
  }
  return data as T;
}

export const get = <T>(path: string) => request<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {});
export const del = <T>(path: string) => request<T>('DELETE', path);
export const patch = <T>(path: string, body: unknown) => request<T>('PATCH', path, body);

/** An error for a person: the API's message and, for validation errors, every field's problem. */
export function errorLines(err: unknown): string[] {
  if (err instanceof HttpError && err.issues.length > 0) return err.issues.map((i) => i.message);
  return [(err as Error).message];
}

/** `/auth/me` and `/auth/login` may wrap the user (`{ user, csrf }`) or return it bare. */
export function pickUser(body: unknown): User | null {
  if (!body || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  const u = (b['user'] ?? b) as Record<string, unknown>;
  if (typeof u['name'] === 'string' || typeof u['username'] === 'string') {
    return {
      name: (u['name'] ?? u['username']) as string,
      role: (u['role'] ?? 'viewer') as User['role'],
      ...(Array.isArray(u['sites']) ? { sites: u['sites'] as string[] } : {}),
      ...(typeof u['org'] === 'string' ? { org: u['org'] } : {}),
    };
  }
  return null;
}

/** Lists may come bare (`[...]`) or wrapped (`{ sites: [...] }`, `{ items: [...] }`). */
export function pickList<T>(body: unknown, key: string): T[] {
  if (Array.isArray(body)) return body as T[];
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    if (Array.isArray(b[key])) return b[key] as T[];
    if (Array.isArray(b['items'])) return b['items'] as T[];
    if (Array.isArray(b['data'])) return b['data'] as T[];
  }
  return [];
}
