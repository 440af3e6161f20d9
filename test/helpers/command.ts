// A command run as an operator runs it: its exit code and both outputs, whether it succeeds or not.
import { type ExecFileOptions, execFile } from 'node:child_process';
import { promisify } from 'node:util';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCommand(
  file: string,
  args: string[],
  opts: ExecFileOptions = {},
): Promise<CommandResult> {
  try {
    const r = await promisify(execFile)(file, args, { ...opts, encoding: 'utf8' });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
