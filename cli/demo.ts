// diemcau demo: the simulated Bắc Kạn network and the NOC in one process.
import { run as serve } from './serve.ts';

export async function run(args: string[]): Promise<number> {
  return serve(args);
}
