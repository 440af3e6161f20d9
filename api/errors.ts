// One error format for every failure (ApiError in contract.ts): a code, a message a person can act
// on (Vietnamese / English), and for validation errors the field and what is wrong with it.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import type { ApiError } from './contract.ts';

export interface Issue {
  path: string;
  message: string;
}

/** Thrown anywhere in a handler; the app's error handler turns it into an ApiError response. */
export class ApiFailure extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly issues?: Issue[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  /** already written to the audit log where it was refused (the error handler audits the rest) */
  audited = false;

  markAudited(): this {
    this.audited = true;
    return this;
  }
}

export const unauthenticated = () =>
  new ApiFailure(401, 'unauthenticated', 'Cần đăng nhập / Authentication required');
export const forbidden = (what = 'thao tác này') =>
  new ApiFailure(403, 'forbidden', `Tài khoản không có quyền ${what} / Your role does not allow this`);
export const notFound = (what: string) =>
  new ApiFailure(404, 'not_found', `Không tìm thấy ${what} / Not found: ${what}`);

export function errorBody(code: string, message: string, issues?: Issue[]): ApiError {
  return { error: { code, message, ...(issues && { issues }) } };
}

const TARGET_LABEL: Record<string, string> = {
  json: 'body',
  query: 'query',
  param: 'path',
  header: 'header',
  cookie: 'cookie',
  form: 'body',
};

/** zod issues → [{path, message}], the path rooted at the part of the request it came from. */
export function zodIssues(err: ZodError, target = 'json'): Issue[] {
  const root = TARGET_LABEL[target] ?? target;
  return err.issues.flatMap((i) => {
    const base = [root, ...i.path.map(String)].join('.');
    if (i.code === 'unrecognized_keys') {
      return i.keys.map((k) => ({
        path: `${base}.${k}`,
        message: `trường không được phép / unknown field "${k}"`,
      }));
    }
    return [{ path: base, message: i.message }];
  });
}

export function validationFailure(err: ZodError, target: string): ApiFailure {
  const issues = zodIssues(err, target);
  const first = issues[0];
  return new ApiFailure(
    400,
    'invalid_request',
    `Dữ liệu không hợp lệ / Invalid request${first ? `: ${first.path}: ${first.message}` : ''}`,
    issues,
  );
}

export function errorResponse(err: unknown, c: Context, onUnexpected: (err: unknown) => void): Response {
  if (err instanceof ApiFailure) {
    if (err.headers) for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
    return c.json(errorBody(err.code, err.message, err.issues), err.status);
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    const text = err.message || '';
    if (/malformed json/i.test(text)) {
      return c.json(
        errorBody('malformed_json', 'Nội dung JSON không đọc được / Malformed JSON in request body', [
          { path: 'body', message: 'không phải JSON hợp lệ / not valid JSON' },
        ]),
        400,
      );
    }
    if (status === 413) return c.json(payloadTooLarge(), 413);
    const code =
      status === 415 ? 'unsupported_media_type' : status === 401 ? 'unauthenticated' : 'bad_request';
    const msg =
      status === 415
        ? 'Cần gửi JSON (Content-Type: application/json) / Send JSON (Content-Type: application/json)'
        : text || 'Yêu cầu không hợp lệ / Bad request';
    return c.json(errorBody(code, msg), status as ContentfulStatusCode);
  }
  onUnexpected(err);
  return c.json(errorBody('internal', 'Lỗi máy chủ, đã ghi nhật ký / Internal server error (logged)'), 500);
}

export function payloadTooLarge(limitKb?: number): ApiError {
  return errorBody(
    'payload_too_large',
    `Nội dung yêu cầu quá lớn${limitKb ? ` (tối đa ${limitKb} KB)` : ''} / Request body too large${limitKb ? ` (max ${limitKb} KB)` : ''}`,
    [{ path: 'body', message: 'quá lớn / too large' }],
  );
}
