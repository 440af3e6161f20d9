// ICMP probe: one `fping` process per round for every site (cheap: ~0.2 CPU-s for 500 targets),
// the npm `ping` package (one `ping` process per target, ~60× the CPU) only where fping is absent.
import { spawn } from 'node:child_process';

export type IcmpTool = 'fping' | 'ping';

export interface IcmpResult {
  sent: number;
  received: number;
  lossPct: number;
  rttMs: number | null;
}

function run(
  cmd: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string; error?: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      resolve({ code: null, stdout, stderr, error: error as NodeJS.ErrnoException });
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr, error });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Which tool can send echoes here. Checked once at start against 127.0.0.1: a missing binary,
 * or one without raw-socket permission (no cap_net_raw, not root), makes the probe unavailable.
 */
export async function detectIcmp(
  prefer: IcmpTool[] = ['fping', 'ping'],
): Promise<{ tool: IcmpTool | null; reasons: string[] }> {
  const reasons: string[] = [];
  for (const tool of prefer) {
    if (tool === 'fping') {
      const r = await run('fping', ['-c1', '-q', '-t', '500', '127.0.0.1'], 5000);
      if (r.error) reasons.push(`fping: ${r.error.code === 'ENOENT' ? 'not installed' : r.error.message}`);
      else if (r.code === 0) return { tool, reasons };
      else reasons.push(`fping: ${r.stderr.trim().split('\n')[0] || `exit ${r.code}`}`);
    } else {
      try {
        const ping = (await import('ping')).default;
        const res = await ping.promise.probe('127.0.0.1', { timeout: 2, min_reply: 1 });
        if (res.alive) return { tool, reasons };
        reasons.push(`ping: ${res.output.trim().split('\n')[0] || 'no reply from 127.0.0.1'}`);
      } catch (err) {
        reasons.push(`ping: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
  return { tool: null, reasons };
}

/** `fping -C count -q`: per host on stderr, "host : 0.05 0.04 - 0.06" ("-" = no answer). */
export function parseFping(text: string, count: number): Map<string, IcmpResult> {
  const out = new Map<string, IcmpResult>();
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+:\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    const parts = m[2]!.trim().split(/\s+/);
    if (!parts.every((p) => p === '-' || /^\d+(\.\d+)?$/.test(p))) continue;
    const times = parts.filter((p) => p !== '-').map(Number);
    const sent = Math.max(count, parts.length);
    out.set(m[1]!, {
      sent,
      received: times.length,
      lossPct: Math.round(((sent - times.length) / sent) * 10000) / 100,
      rttMs:
        times.length > 0 ? Math.round((times.reduce((a, b) => a + b, 0) / times.length) * 1000) / 1000 : null,
    });
  }
  return out;
}

export async function icmpRound(
  tool: IcmpTool,
  hosts: string[],
  count: number,
  timeoutMs = 1000,
): Promise<Map<string, IcmpResult>> {
  if (hosts.length === 0) return new Map();
  if (tool === 'fping') {
    const args = [
      '-C',
      String(count),
      '-q',
      '-p',
      '20',
      '-i',
      '1',
      '-t',
      String(timeoutMs),
      '-B1',
      '-r0',
      ...hosts,
    ];
    const r = await run('fping', args, 30_000 + hosts.length * 10);
    const res = parseFping(r.stderr, count);
    // hosts fping could not even resolve are lost entirely
    for (const h of hosts)
      if (!res.has(h)) res.set(h, { sent: count, received: 0, lossPct: 100, rttMs: null });
    return res;
  }
  const ping = (await import('ping')).default;
  const out = new Map<string, IcmpResult>();
  const queue = [...hosts];
  const worker = async () => {
    for (let h = queue.shift(); h !== undefined; h = queue.shift()) {
      try {
        const r = await ping.promise.probe(h, { min_reply: count, timeout: Math.ceil(timeoutMs / 1000) });
        const loss = Number(r.packetLoss);
        out.set(h, {
          sent: count,
          received: Math.round(count * (1 - (Number.isFinite(loss) ? loss : 100) / 100)),
          lossPct: Number.isFinite(loss) ? loss : 100,
          rttMs: r.alive && Number.isFinite(Number(r.avg)) ? Number(r.avg) : null,
        });
      } catch {
        out.set(h, { sent: count, received: 0, lossPct: 100, rttMs: null });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, hosts.length) }, worker));
  return out;
}
