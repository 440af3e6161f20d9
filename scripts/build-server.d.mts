// Types of scripts/build-server.mjs, for the TypeScript that imports it (the benchmark, the dist test).
export declare const SHEBANG: string;
export declare const NODE_FLAGS: string[];
export declare function buildServer(opts?: {
  outdir?: string;
  entryPoints?: Record<string, string>;
}): Promise<string>;
