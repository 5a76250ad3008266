/**
 * The one home of the HTTP method list: the operation keys of an OpenAPI path item, in the order
 * the OpenAPI specification lists them. Lower case, as they are written in the document; upper
 * case them for a request.
 */
export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Whether a path-item key is an operation (not `parameters`, `summary`, an `x-` extension...). */
export function isHttpMethod(key: string): key is HttpMethod {
  return (HTTP_METHODS as readonly string[]).includes(key);
}
