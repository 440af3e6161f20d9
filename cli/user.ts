// diemcau user: local accounts. No default password exists anywhere: `user add` sets a random one
// and prints it once (or reads one from stdin with --password-stdin). Every change is audited.
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  AccountError,
  audit,
  createApiToken,
  createUser,
  getUser,
  listTokens,
  listUsers,
  revokeApiToken,
  setPassword,
  updateUser,
} from '../api/accounts.ts';
import { ROLES, type Role } from '../api/contract.ts';
import { unlockUser } from '../api/login-guard.ts';
import { resetTotp } from '../api/totp.ts';
import { loadConfig } from '../config/config.ts';
import { loadInventory } from '../inventory/load.ts';
import { openStateDb } from '../storage/state-db.ts';

const USAGE = `diemcau user — tài khoản người dùng / local users

  diemcau user add NAME --role ROLE [--sites a,b] [--org ORG] [--password-stdin]
  diemcau user list
  diemcau user passwd NAME [--password-stdin] [--keep-tokens]
  diemcau user unlock NAME        lift sign-in lockouts after wrong passwords
  diemcau user totp-reset NAME    turn the user's TOTP second factor off (lost phone)
  diemcau user set NAME [--role ROLE] [--sites a,b] [--org ORG]
  diemcau user disable NAME | enable NAME
  diemcau user token create NAME [--label TEXT] [--expires-days N]
  diemcau user token list [NAME]
  diemcau user token revoke ID

Roles / vai trò: ${ROLES.join(', ')}  (technician needs --sites, host needs --org)
Options: -c, --config FILE   diemcau.yaml (default ./diemcau.yaml or DIEMCAU_CONFIG)
A generated password or token is printed once; it is not stored, only its hash.
A new password ends the user's sessions and revokes their API tokens (unless --keep-tokens).
`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export async function run(args: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (e) {
    process.stderr.write(`diemcau user: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [cmd, ...rest] = positionals;
  if (!cmd || values.help) {
    process.stdout.write(USAGE);
    return cmd || values.help ? 0 : 2;
  }
  const config = loadConfig(values.config);
  const state = openStateDb(join(config.data_dir, 'state.db'));
  const actor = `cli:${safeUser()}`;
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const fail = (s: string) => {
    process.stderr.write(`diemcau user: ${s}\n`);
    return 1;
  };
  try {
    const inventoryCheck = (sites: string[] | undefined, org: string | undefined) => {
      if (!sites?.length && !org) return;
      const inv = loadInventory(config.inventory);
      for (const s of sites ?? [])
        if (!inv.sites.has(s))
          throw new AccountError(
            'sites',
            `điểm cầu "${s}" không có trong ${config.inventory} / unknown site "${s}"`,
          );
      if (org && !inv.organisations.has(org))
        throw new AccountError(
          'org',
          `cơ quan "${org}" không có trong ${config.inventory} / unknown organisation "${org}"`,
        );
    };
    const sites = values.sites
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    switch (cmd) {
      case 'add': {
        const name = need(rest[0], 'NAME');
        const role = values.role as Role | undefined;
        if (!role) return fail(`--role is required (${ROLES.join(', ')})`);
        inventoryCheck(sites, values.org);
        const password = values['password-stdin'] ? await readStdin() : undefined;
        const r = await createUser(
          state,
          {
            name,
            role,
            ...(password !== undefined && { password }),
            ...(sites && { sites }),
            ...(values.org && { org: values.org }),
          },
          { actor },
        );
        out(`Đã tạo người dùng / created user ${name} (${role})`);
        if (password === undefined) {
          out(`Mật khẩu (chỉ hiện một lần) / password (shown once): ${r.password}`);
        }
        return 0;
      }
      case 'list': {
        for (const u of listUsers(state)) {
          const extra =
            u.role === 'technician' ? ` sites=${u.sites.join(',')}` : u.org ? ` org=${u.org}` : '';
          out(`${u.name.padEnd(20)} ${u.role.padEnd(10)}${u.disabled ? ' (disabled)' : ''}${extra}`);
        }
        return 0;
      }
      case 'passwd': {
        const name = need(rest[0], 'NAME');
        const password = values['password-stdin'] ? await readStdin() : undefined;
        const keepTokens = values['keep-tokens'] === true;
        const pw = await setPassword(state, name, password, { actor, keepTokens });
        out(
          keepTokens
            ? `Đã đổi mật khẩu, mọi phiên của ${name} đã kết thúc / password changed, sessions ended`
            : `Đã đổi mật khẩu, mọi phiên và mã API của ${name} đã kết thúc / password changed, sessions ended, API tokens revoked`,
        );
        if (password === undefined) out(`Mật khẩu mới (chỉ hiện một lần) / new password (shown once): ${pw}`);
        return 0;
      }
      case 'unlock': {
        const name = need(rest[0], 'NAME');
        if (!getUser(state, name)) return fail(`no user "${name}"`);
        const cleared = unlockUser(state, name);
        audit(state, { actor, action: 'user.unlock', target: name, detail: { cleared } });
        out(`${name}: đã mở khóa đăng nhập / sign-in lockouts lifted (${cleared})`);
        return 0;
      }
      case 'totp-reset': {
        const name = need(rest[0], 'NAME');
        if (!getUser(state, name)) return fail(`no user "${name}"`);
        const wasOn = resetTotp(state, name);
        audit(state, { actor, action: 'totp.reset', target: name, detail: { was_on: wasOn } });
        out(
          wasOn
            ? `${name}: đã tắt xác thực hai lớp / TOTP turned off`
            : `${name}: chưa bật xác thực hai lớp / had no TOTP`,
        );
        return 0;
      }
      case 'set': {
        const name = need(rest[0], 'NAME');
        inventoryCheck(sites, values.org);
        const role = values.role as Role | undefined;
        if (role && !ROLES.includes(role)) return fail(`unknown role "${role}" (${ROLES.join(', ')})`);
        const u = updateUser(
          state,
          name,
          { ...(role && { role }), ...(sites && { sites }), ...(values.org && { org: values.org }) },
          { actor },
        );
        out(
          `${u.name}: ${u.role}${u.sites.length ? ` sites=${u.sites.join(',')}` : ''}${u.org ? ` org=${u.org}` : ''}`,
        );
        return 0;
      }
      case 'disable':
      case 'enable': {
        const name = need(rest[0], 'NAME');
        updateUser(state, name, { disabled: cmd === 'disable' }, { actor });
        out(`${name}: ${cmd === 'disable' ? 'đã khóa / disabled' : 'đã mở / enabled'}`);
        return 0;
      }
      case 'token': {
        const [sub, arg] = rest;
        if (sub === 'create') {
          const name = need(arg, 'NAME');
          const days = values['expires-days'] ? Number(values['expires-days']) : undefined;
          if (days !== undefined && !(Number.isInteger(days) && days > 0))
            return fail('--expires-days must be a positive whole number');
          const { token, info } = createApiToken(state, name, values.label ?? 'cli', {
            ...(days && { expiresInDays: days }),
            actor,
          });
          out(`Mã truy cập API ${info.id} cho ${name} (chỉ hiện một lần) / API token (shown once):`);
          out(token);
          out('Dùng / use: Authorization: Bearer <token>');
          return 0;
        }
        if (sub === 'list') {
          if (arg && !getUser(state, arg)) return fail(`no user "${arg}"`);
          for (const t of listTokens(state, arg)) {
            const st = t.revoked_at
              ? 'revoked'
              : t.expires_at && t.expires_at < Date.now()
                ? 'expired'
                : 'active';
            out(
              `${t.id}  ${t.user.padEnd(16)} ${st.padEnd(8)} ${t.label}  created ${new Date(t.created_at).toISOString()}`,
            );
          }
          return 0;
        }
        if (sub === 'revoke') {
          const id = need(arg, 'ID');
          if (!revokeApiToken(state, id)) return fail(`no active token "${id}"`);
          out(`Đã thu hồi / revoked ${id}`);
          return 0;
        }
        return fail(`unknown token command "${sub ?? ''}" (create, list, revoke)`);
      }
      default:
        process.stderr.write(`diemcau user: unknown command "${cmd}"\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof AccountError) return fail(e.message);
    throw e;
  } finally {
    state.close();
  }
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      role: { type: 'string' },
      sites: { type: 'string' },
      org: { type: 'string' },
      label: { type: 'string' },
      'expires-days': { type: 'string' },
      'password-stdin': { type: 'boolean' },
      'keep-tokens': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function need(v: string | undefined, what: string): string {
  if (!v) throw new AccountError(what.toLowerCase(), `missing ${what}`);
  return v;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
