// Helpers shared by the route files: a sub-app whose validation failures become ApiError 400s,
// and the request/response pieces every route repeats. The OpenAPI document comes from these.
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { ZodType } from 'zod';
import type { AppEnv } from './context.ts';
import { ApiError, type Role } from './contract.ts';
import { validationFailure } from './errors.ts';

export function subApp(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationFailure(result.error, result.target);
    },
  });
}

export function jsonBody<T extends ZodType>(schema: T, description?: string) {
  return { required: true, ...(description && { description }), content: { 'application/json': { schema } } };
}

const err = (description: string) => ({ description, content: { 'application/json': { schema: ApiError } } });

export const ERRORS = {
  400: err('Dữ liệu không hợp lệ: trường nào, sai gì / invalid input: which field, what is wrong'),
  401: err('Cần đăng nhập / authentication required'),
  403: err(
    'Vai trò không cho phép, hoặc thiếu X-CSRF-Token / role does not allow this, or CSRF token missing',
  ),
} as const;

export const NOT_FOUND = { 404: err('Không tìm thấy / not found') } as const;

export function ok<T extends ZodType>(schema: T, description: string) {
  return { 200: { description, content: { 'application/json': { schema } } }, ...ERRORS } as const;
}

/** 201 with `schema`, and the usual errors */
export function created<T extends ZodType>(schema: T, description: string) {
  return { 201: { description, content: { 'application/json': { schema } } }, ...ERRORS };
}

/** ok(), plus a documented 404 */
export function okOr404<T extends ZodType>(schema: T, description: string) {
  return {
    200: { description, content: { 'application/json': { schema } } },
    ...ERRORS,
    ...NOT_FOUND,
  } as const;
}

export const SECURITY: Record<string, string[]>[] = [{ cookie: [] }, { bearer: [] }];

/**
 * The roles that may call an operation, published in the OpenAPI document as `x-roles` (a technician
 * only for their own sites, a host for their own organisation). The handler still calls `allow(c, …)`
 * with the same roles; api/role-matrix.test.ts calls every operation as every role and checks both agree.
 */
export function roles(...allowed: readonly Role[]): { 'x-roles': Role[] } {
  return { 'x-roles': [...allowed] };
}

/** The `limit` and `offset` fields of a list's query: at most `max` items a page, `fallback` when not given. */
export function pageQuery(max: number, fallback: number) {
  // bounds first and the whole-number check only within them: "1e308" is told the real bound,
  // not zod's safe-integer one
  const whole = (lo: number, hi: number) =>
    z.coerce
      .number()
      .min(lo, `ít nhất ${lo} / at least ${lo}`)
      .max(hi, `tối đa ${hi} / at most ${hi}`)
      .refine((v) => v < lo || v > hi || Number.isInteger(v), 'số nguyên / a whole number');
  return {
    limit: whole(1, max).default(fallback),
    offset: whole(0, 10_000_000).default(0),
  };
}

/** One page of a list held in memory, as list routes answer: the items, the total, limit and offset. */
export function page<T>(all: readonly T[], q: { limit: number; offset: number }) {
  return {
    items: all.slice(q.offset, q.offset + q.limit),
    total: all.length,
    limit: q.limit,
    offset: q.offset,
  };
}
