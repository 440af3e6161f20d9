// The `diemcau` command: each subcommand lives in its own file and is loaded on demand.
import { ListenError } from '../core/listen-error.ts';
import { SourceErrors } from '../inventory/source.ts';

type Command = { summary: string; load: () => Promise<{ run(args: string[]): Promise<number> }> };

const COMMANDS: Record<string, Command> = {
  serve: {
    summary: 'run the NOC: collector, storage, alerts, API and dashboard',
    load: () => import('./serve.ts'),
  },
  demo: {
    summary: 'serve the simulated Bắc Kạn network on http://127.0.0.1:8080',
    load: () => import('./demo.ts'),
  },
  inventory: { summary: 'check, generate or export an inventory file', load: () => import('./inventory.ts') },
  simulate: {
    summary: 'serve every device of an inventory as SNMP agents on loopback',
    load: () => import('./simulate.ts'),
  },
  collect: { summary: 'run the collector alone (optionally one shard)', load: () => import('./collect.ts') },
  reflector: { summary: 'answer RTP/UDP jitter probes at a site', load: () => import('./reflector.ts') },
  user: { summary: 'manage local users', load: () => import('./user.ts') },
  report: {
    summary: 'six-month, yearly, period and meeting reports',
    load: () => import('../reports/cli.ts'),
  },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `diemcau — NOC hệ thống hội nghị truyền hình tỉnh Bắc Kạn\n\nusage: diemcau <command> [options]\n\n${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`diemcau: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await (await cmd.load()).run(rest);
  } catch (err) {
    // a flag the command does not know, or a bad flag value: one line and the way to the help
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('ERR_PARSE_ARGS_')) {
      const what = /'([^']+)'/.exec((err as Error).message)?.[1];
      const text =
        code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
          ? `tùy chọn không có / unknown option ${what}`
          : code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL'
            ? `đối số thừa / unexpected argument "${what}"`
            : `tùy chọn sai / bad option: ${(err as Error).message.split('.')[0]}`;
      process.stderr.write(`diemcau ${name}: ${text}; xem / see: diemcau ${name} --help\n`);
      return 2;
    }
    throw err;
  }
}

try {
  const code = await main(process.argv.slice(2));
  if (code !== 0) process.exitCode = code;
} catch (err) {
  if (err instanceof SourceErrors) {
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
  } else if (err instanceof ListenError || /cannot listen/.test((err as Error)?.message ?? '')) {
    // a socket that cannot be bound: one line naming the setting and the fix
    process.stderr.write(`diemcau: ${(err as Error).message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`diemcau: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  }
}
