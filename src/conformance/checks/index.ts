import type { ExchangeCheck } from '../types.js';
import { authFailure } from './auth_failure.js';
import { authRequired } from './auth_required.js';
import { contentTypeConformance } from './content_type.js';
import { drift } from './drift.js';
import { errorBodyConformance } from './error_body.js';
import { metaConformance } from './meta.js';
import { notFound } from './not_found.js';
import { responseSchemaConformance } from './response_schema.js';
import { statusCodeConformance } from './status_code.js';

export { authFailure, authRequired, contentTypeConformance, drift, errorBodyConformance, metaConformance, notFound, responseSchemaConformance, statusCodeConformance };
export { findUndocumented } from './drift.js';
export { setsCookie } from './auth_failure.js';

/** Every check that looks at a recorded exchange, in report order. */
export const EXCHANGE_CHECKS: readonly ExchangeCheck[] = [
  statusCodeConformance,
  contentTypeConformance,
  responseSchemaConformance,
  metaConformance,
  errorBodyConformance,
  authRequired,
  authFailure,
  notFound,
  drift,
];
