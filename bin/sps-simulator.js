#!/usr/bin/env node
// The `sps-simulator` command: the local SPS sandbox (docs/simulator.md). In a clone (after
// `npm ci`, no build step) it runs the TypeScript source through tsx; in the installed npm
// package, which ships only `dist/`, it runs the compiled CLI. The CLI module starts itself.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = new URL('../src/simulator/cli.ts', import.meta.url);
const built = new URL('../dist/simulator/cli.js', import.meta.url);

let tsx;
if (existsSync(fileURLToPath(source))) {
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    tsx = undefined; // no dev dependencies: fall back to the build
  }
}
if (tsx) {
  tsx.register();
  await import(source.href);
} else if (existsSync(fileURLToPath(built))) {
  await import(built.href);
} else {
  process.stderr.write('sps-simulator: neither the TypeScript source with tsx nor a build (dist/) is here: run `npm ci` (or `npm run build`)\n');
  process.exit(2);
}
