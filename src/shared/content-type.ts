/** Media type helpers: the one home of "strip a content type to its base". */

/** `application/json; charset=utf-8` -> `application/json` (lower case, trimmed; '' when absent). */
export function mediaTypeBase(contentType: string | undefined | null): string {
  return (contentType ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

/** Whether a media type is JSON (`application/json`, `application/problem+json`, `...+json`). */
export function isJsonMediaType(contentType: string | undefined | null): boolean {
  const base = mediaTypeBase(contentType);
  return base === 'application/json' || base.endsWith('+json');
}
