import { defineConfig } from 'vitest/config';
import SummaryLineReporter from './tests/reporters/summary-line.js';

export default defineConfig({
  test: {
    // A check's test sits beside it (src/conformance/checks/<file>.test.ts); the rest live in tests/.
    include: ['tests/**/*.test.ts', 'src/**/*.test.ts'],
    // Type-level tests of the public client API (tests/**/*.test-d.ts), checked by tsc.
    typecheck: { enabled: true, include: ['tests/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Prism, simulators and Chromium are real processes: keep parallelism modest on 2 cores.
    maxWorkers: 2,
    reporters: ['default', new SummaryLineReporter()],
  },
});
