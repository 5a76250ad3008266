/** @deprecated The check vocabulary moved to `check-api.ts` (issue 19); this re-export goes once every branch imports the floor. */
export * from './check-api.js';
