#!/usr/bin/env -S node --max-semi-space-size=2 --max-old-space-size=1024
// Entry point from a checkout: registers the TypeScript loader, then hands over to the CLI.
// Production runs the same CLI compiled (`npm run build` → dist/diemcau.js, same first line).
// The heap flags above: V8's defaults size the heap for a large machine (16 MB semi-spaces, an old
// generation allowed to grow 4× between collections); a poller with a small live heap keeps ~35 MB
// less resident with these (docs/collector.md). Another limit: node --max-old-space-size=N bin/diemcau.js
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
