// What the directory accepts: people, technician replacements, trainings, per-site technicians and
// roster entries, with Vietnamese / English messages (checked again against the inventory in directory.ts).
import { z } from 'zod';
import { fromLocalInput, toDateInput } from '../core/time.ts';
import { PHONE_PATTERN } from '../inventory/schema.ts';

const slug = z
  .string()
  .min(2)
  .max(100)
  .regex(
    /^[a-z0-9][a-z0-9-]*$/,
    'cần mã viết thường không dấu, ví dụ "ky-thuat-bang-thanh-2" / a lowercase slug such as "ky-thuat-bang-thanh-2"',
  );

const ref = z.string().min(1).max(100);

/** A Bắc Kạn calendar day written yyyy-mm-dd that exists (no 2026-02-30). */
export const DateText = z
  .string()
  .refine(
    (v) =>
      /^\d{4}-\d{2}-\d{2}$/.test(v) &&
      (fromLocalInput(v) ?? Number.NaN) > 0 &&
      toDateInput(fromLocalInput(v)!) === v,
    {
      message:
        'cần ngày có thật dạng yyyy-mm-dd, ví dụ 2026-03-10 / a real date as yyyy-mm-dd, e.g. 2026-03-10',
    },
  );

const email = z.email('cần địa chỉ thư điện tử / must be an e-mail address').max(200);
const phone = z
  .string()
  .trim()
  .regex(PHONE_PATTERN, 'cần số điện thoại, ví dụ +84 912 345 678 / a phone number such as +84 912 345 678');

export const NewPerson = z
  .object({
    id: slug,
    name: z.string().trim().min(1, 'cần họ tên / a name is required').max(200),
    title: z.string().trim().max(200).optional(),
    /** the organisation of the inventory the person works for */
    org: ref.optional(),
    email: email.optional(),
    phone: phone.optional(),
  })
  .strict();
export type NewPerson = z.infer<typeof NewPerson>;

export const PersonPatch = z
  .object({
    name: NewPerson.shape.name.optional(),
    title: z.string().trim().max(200).nullable().optional(),
    org: ref.nullable().optional(),
    email: email.nullable().optional(),
    phone: phone.nullable().optional(),
  })
  .strict();
export type PersonPatch = z.infer<typeof PersonPatch>;

export const Replacement = z
  .object({
    /** the new technician (a person of the directory) */
    person: ref,
    reason: z
      .string()
      .trim()
      .min(3, 'cần lý do thay (ít nhất 3 ký tự) / a reason is required (3 characters or more)')
      .max(1000),
    /** from when (ms or "2026-03-10T08:00", Bắc Kạn time); default now, never in the future */
    from: z.union([z.number(), z.string()]).optional(),
  })
  .strict();
export type Replacement = z.infer<typeof Replacement>;

export const NewTraining = z
  .object({
    course: z.string().trim().min(1, 'cần tên khóa tập huấn / a course is required').max(300),
    date: DateText,
    provider: z.string().trim().max(300).optional(),
    notes: z.string().trim().max(2000).optional(),
  })
  .strict();
export type NewTraining = z.infer<typeof NewTraining>;

export const OrgTechnicianInput = z.object({ person: ref }).strict();

export const RosterInput = z
  .object({
    org: ref,
    date: DateText,
    person: ref,
    /** the sites this person covers; absent: all the organisation's sites */
    sites: z
      .array(ref)
      .min(1, 'bỏ trống nếu trực mọi điểm cầu / leave out for all sites')
      .max(500)
      .optional(),
  })
  .strict();
export type RosterInput = z.infer<typeof RosterInput>;
