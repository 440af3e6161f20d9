// diemcau reflector — filled in by its issue; until then it says so.
export async function run(_args: string[]): Promise<number> {
  process.stderr.write('diemcau reflector: not built yet\n');
  return 1;
}
