/** Small helpers shared by the client, the conformance runner, the spec model and the simulator. */
export * from './json.js';
export * from './content-type.js';
export * from './cookies.js';
export * from './path-pattern.js';
export * from './http-methods.js';
