/** The library entries the not-checked tests use (one import place). */
export { runConformance } from '../../src/conformance/runner.js';
export { validateOptions as validateOptionsForTest } from '../../src/conformance/options.js';
