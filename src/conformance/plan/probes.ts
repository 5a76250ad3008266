/** @deprecated The built-in probes moved to `check-api.ts` (issue 19); this re-export goes once every branch imports the floor. */
export { NORMAL, NO_SESSION, MADE_UP_SESSION, WRONG_PASSWORD, NOT_FOUND, WRITE } from '../check-api.js';
