// Failures of the meetings module with a message a person can act on (Vietnamese / English) and,
// for bad input, which field; the HTTP routes turn them into ApiError responses.
import type { ZodError } from 'zod';

export interface FieldIssue {
  path: string;
  message: string;
}

export class MeetingsError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    readonly code: string,
    message: string,
    readonly issues?: FieldIssue[],
  ) {
    super(message);
  }
}

export function invalid(issues: FieldIssue[]): MeetingsError {
  const first = issues[0];
  return new MeetingsError(
    400,
    'invalid_request',
    `Dữ liệu không hợp lệ / Invalid request${first ? `: ${first.path}: ${first.message}` : ''}`,
    issues,
  );
}

export function fromZod(err: ZodError, root = 'body'): MeetingsError {
  return invalid(
    err.issues.map((i) => ({
      path: [root, ...i.path.map(String)].join('.'),
      message:
        i.code === 'unrecognized_keys'
          ? `trường không được phép / unknown field(s): ${i.keys.join(', ')}`
          : i.message,
    })),
  );
}

export const notFound = (what: string) =>
  new MeetingsError(404, 'not_found', `Không tìm thấy ${what} / Not found: ${what}`);
