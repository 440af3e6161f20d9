// Password policy (OWASP ASVS 4.0 §2.1): at least 12 characters (Unicode, spaces allowed, no
// composition rules), at most 1024; refused when a strength estimator (zxcvbn-ts with its common and
// English dictionaries plus a Vietnamese list kept here) scores it below 3 of 4, when it contains the
// user name or the site's name (diemcau, Bắc Kạn, the network's title), and when it is the current one.
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;
/** zxcvbn score 0-4; 3 = "safely unguessable" (≥ 10^8 guesses), what ASVS 2.1.8 asks a meter for */
export const MIN_PASSWORD_SCORE = 3;

/**
 * Words Vietnamese users reach for, written without diacritics as they are typed into a password
 * field: "mật khẩu", "anh yêu em", names of the province and its districts, common family names.
 */
export const VIETNAMESE_WORDS = [
  'matkhau',
  'mat-khau',
  'anhyeuem',
  'emyeuanh',
  'yeuem',
  'yeuanh',
  'iloveyou',
  'vietnam',
  'hanoi',
  'saigon',
  'backan',
  'bac-kan',
  'bacgiang',
  'thainguyen',
  'chodon',
  'chomoi',
  'babe',
  'nganson',
  'nari',
  'pacnam',
  'bangthanh',
  'hoinghi',
  'truyenhinh',
  'diemcau',
  'ubnd',
  'sotttt',
  'viettel',
  'vnpt',
  'mobifone',
  'vinaphone',
  'dienluc',
  'nguyen',
  'tran',
  'pham',
  'hoang',
  'huynh',
  'vu',
  'dang',
  'bui',
  'do',
  'ho',
  'ngo',
  'duong',
  'ly',
  'quantri',
  'admin',
  'kythuat',
  'kithuat',
  'xinchao',
  'conyeu',
  'giadinh',
  'hanhphuc',
  'thanhcong',
  'minhanh',
  'ngoclan',
  'thuhuong',
].map((w) => w.toLowerCase());

/** The names of this site every password is checked against (ASVS 2.1.7 context words). */
export const SITE_WORDS = ['diemcau', 'điểm cầu', 'bắc kạn', 'backan', 'bac kan'];

let estimator: ZxcvbnFactory | null = null;
function zxcvbn(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({
    translations: en.translations,
    graphs: common.adjacencyGraphs,
    dictionary: { ...common.dictionary, ...en.dictionary, vietnamese: VIETNAMESE_WORDS },
  });
  return estimator;
}

/** Lower case, diacritics and "đ" folded, separators removed: how a name hides inside a password. */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

export interface PasswordContext {
  /** the account's name */
  user: string;
  /** more names of this site: the network's title, organisation names … */
  siteWords?: readonly string[];
}

/** Why a password is refused (Vietnamese / English), or null when it passes. */
export function passwordProblem(password: string, ctx: PasswordContext): string | null {
  const chars = [...password.normalize('NFC')].length;
  if (chars < MIN_PASSWORD_LENGTH)
    return `mật khẩu cần ít nhất ${MIN_PASSWORD_LENGTH} ký tự / a password needs at least ${MIN_PASSWORD_LENGTH} characters`;
  if (chars > MAX_PASSWORD_LENGTH)
    return `mật khẩu dài tối đa ${MAX_PASSWORD_LENGTH} ký tự / a password has at most ${MAX_PASSWORD_LENGTH} characters`;
  const folded = fold(password);
  const user = fold(ctx.user);
  if (user.length >= 3 && folded.includes(user))
    return 'mật khẩu không được chứa tên đăng nhập / a password must not contain the user name';
  const words = [...SITE_WORDS, ...(ctx.siteWords ?? [])].map(fold).filter((w) => w.length >= 4);
  const site = words.find((w) => folded.includes(w));
  if (site)
    return `mật khẩu không được chứa tên hệ thống hoặc tên đơn vị ("${site}") / a password must not contain the name of this site ("${site}")`;
  const r = zxcvbn().check(password, [ctx.user, ...SITE_WORDS, ...(ctx.siteWords ?? [])]);
  if (r.score < MIN_PASSWORD_SCORE) {
    const hint = r.feedback.warning ? ` (${r.feedback.warning})` : '';
    return `mật khẩu quá dễ đoán (độ mạnh ${r.score}/4, cần ${MIN_PASSWORD_SCORE}): dùng một câu dài vài từ không liên quan / password too easy to guess (strength ${r.score}/4, ${MIN_PASSWORD_SCORE} needed)${hint}: use a passphrase of several unrelated words`;
  }
  return null;
}
