#!/usr/bin/env node
// `nemo-bot` / `npx nemo-bot`: the compiled CLI (dist/, in the published package and the image), or in a
// source checkout the TypeScript source through tsx, so it works right after `npm ci` with no build.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli.ts', import.meta.url);
let tsx;
if (existsSync(source)) tsx = await import('tsx/esm/api').catch(() => undefined);
if (tsx) {
  tsx.register();
  await import(source.href);
} else {
  await import(new URL('../dist/src/cli.js', import.meta.url).href);
}
