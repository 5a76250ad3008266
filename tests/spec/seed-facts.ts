/**
 * Facts written down from the vendor pages in ../shared/seeds/ (and, for the framework
 * endpoints the issue lists, ../shared/reference/sps-api.md). The coverage test fails when the
 * spec lacks any of them. Element paths are dotted paths into the JSON body (`[]` = array item).
 */
export interface SeedFact {
  path: string;
  method: 'get' | 'put' | 'post' | 'delete';
  /** Status codes listed in the vendor's table (plus the success code the page shows). */
  statuses: number[];
  /** error.type values the table lists, per status. */
  errorTypes?: Record<number, string[]>;
  /** Elements of the success response body. */
  responseElements?: string[];
  /** Elements of the request body. */
  requestElements?: string[];
}

const AUTH_401 = { 401: ['Unauthenticated', 'AuthenticationFailure'] };
const META_SIBLINGS = ['meta.first', 'meta.href', 'meta.last', 'meta.next', 'meta.parent', 'meta.previous', 'meta.transaction'];

export const seedFacts: SeedFact[] = [
  // 000/003: Enable cluster management (two versions of the page: 401 x2 + 404, and 401 + 403 + 404).
  {
    path: '/api/configuration/local_services/cluster',
    method: 'get',
    statuses: [200, 401, 403, 404],
    errorTypes: { ...AUTH_401, 403: ['Unauthorized'], 404: ['NotFound'] },
    responseElements: [
      'body.enabled',
      'body.listen_address',
      'body.listen_address.key',
      'body.listen_address.meta.href',
      'key',
      ...META_SIBLINGS,
      'meta.remaining_seconds',
    ],
  },
  { path: '/api/configuration/local_services/cluster', method: 'put', statuses: [200, 401, 403, 404], requestElements: ['enabled', 'listen_address'] },
  // 000: Date and time directory.
  {
    path: '/api/configuration/datetime',
    method: 'get',
    statuses: [200, 401, 404],
    errorTypes: { ...AUTH_401, 404: ['NotFound'] },
    responseElements: ['items', 'items[].key', 'items[].meta.href', ...META_SIBLINGS],
  },
  // 000: NTP servers (GET, POST to add, PUT to modify; table 201, 400 InvalidQuery, 401 x2, 404).
  {
    path: '/api/configuration/datetime/ntp_servers',
    method: 'get',
    statuses: [200, 400, 401, 404],
    errorTypes: { 400: ['InvalidQuery'], ...AUTH_401, 404: ['NotFound'] },
    responseElements: ['body', 'body[].selection', 'body[].value', 'key', ...META_SIBLINGS],
  },
  {
    path: '/api/configuration/datetime/ntp_servers',
    method: 'post',
    statuses: [201, 400, 401, 404],
    errorTypes: { 400: ['InvalidQuery'], ...AUTH_401, 404: ['NotFound'] },
    requestElements: ['selection', 'value'],
  },
  {
    path: '/api/configuration/datetime/ntp_servers',
    method: 'put',
    statuses: [201, 400, 401, 404],
    errorTypes: { 400: ['InvalidQuery'], ...AUTH_401, 404: ['NotFound'] },
    requestElements: ['[].selection', '[].value'],
  },
  // Issue 2: timezone (sps-api.md section 6).
  { path: '/api/configuration/datetime/timezone', method: 'get', statuses: [200, 401, 403, 404], responseElements: ['body', 'key', ...META_SIBLINGS] },
  { path: '/api/configuration/datetime/timezone', method: 'put', statuses: [200, 401, 403, 404] },
  // 001/003: System backup.
  {
    path: '/api/configuration/management/system_backup',
    method: 'get',
    statuses: [200, 401, 403, 404],
    errorTypes: { 401: ['Unauthenticated'], 403: ['Unauthorized'], 404: ['NotFound'] },
    responseElements: ['body.backup_policy', 'key', ...META_SIBLINGS, 'meta.remaining_seconds'],
  },
  { path: '/api/configuration/management/system_backup', method: 'put', statuses: [200, 401, 403, 404], requestElements: ['backup_policy'] },
  // 001/003: Encrypting system backups.
  {
    path: '/api/configuration/management/exported_configuration_encryption',
    method: 'get',
    statuses: [200, 401, 403, 404],
    errorTypes: { 401: ['Unauthenticated'], 403: ['Unauthorized'], 404: ['NotFound'] },
    responseElements: [
      'body.encryption',
      'body.encryption.enabled',
      'body.encryption.gpg_public_key',
      'body.encryption.gpg_public_key.fingerprint',
      'body.encryption.gpg_public_key.public_key',
      'body.encryption.gpg_public_key.uids',
      'key',
      ...META_SIBLINGS,
      'meta.remaining_seconds',
    ],
  },
  {
    path: '/api/configuration/management/exported_configuration_encryption',
    method: 'put',
    statuses: [200, 401, 403, 404],
    requestElements: ['encryption.enabled', 'encryption.gpg_public_key.public_key'],
  },
  // 002/004: Cluster directory (its table lists 201 Created for a GET).
  {
    path: '/api/cluster',
    method: 'get',
    statuses: [200, 201, 401, 404],
    errorTypes: { ...AUTH_401, 404: ['NotFound'] },
    responseElements: [
      'items',
      'items[].key',
      'items[].meta.href',
      'meta.href',
      'meta.parent',
      'meta.join_request',
      'meta.nodes',
      'meta.promote',
      'meta.status',
      'meta.configuration_sync',
    ],
  },
  // 002/004: Promote.
  {
    path: '/api/cluster/promote',
    method: 'post',
    statuses: [201],
    responseElements: ['body.address', 'body.roles', 'meta.href', 'meta.parent', 'meta.remaining_seconds'],
  },
  // 002/004: Join request and join status.
  {
    path: '/api/cluster/join_request',
    method: 'post',
    statuses: [201],
    requestElements: ['central_management_address'],
    responseElements: ['body.address', 'body.node_id', 'body.psk', 'body.roles', 'meta.href', 'meta.parent', 'meta.remaining_seconds'],
  },
  {
    path: '/api/cluster/join_request',
    method: 'get',
    statuses: [200],
    responseElements: ['details', 'details.central_management_address', 'status', 'meta.href', 'meta.parent', 'meta.remaining_seconds'],
  },
  // 002/004: Admit the node on Central Management.
  {
    path: '/api/cluster/nodes',
    method: 'post',
    statuses: [201],
    requestElements: ['address', 'node_id', 'psk', 'roles'],
    responseElements: ['body.address', 'body.roles', 'key', 'meta.href', 'meta.parent', 'meta.remaining_seconds'],
  },
  // Issue 2, from sps-api.md section 5.
  { path: '/api/cluster/nodes', method: 'get', statuses: [200, 401, 403, 404] },
  {
    path: '/api/cluster/nodes/{nodeId}',
    method: 'get',
    statuses: [200, 401, 403, 404],
    responseElements: ['body.address', 'body.roles', 'key', 'meta.href', 'meta.parent', 'meta.status'],
  },
  { path: '/api/cluster/nodes/{nodeId}', method: 'put', statuses: [200, 401, 403, 404], requestElements: ['address', 'roles'] },
  {
    path: '/api/cluster/status',
    method: 'get',
    statuses: [200, 401, 403, 404],
    responseElements: [
      'items[].key',
      'items[].fqdn',
      'items[].last_seen',
      'items[].health_status',
      'items[].health_status.memory',
      'items[].health_status.disk',
      'items[].health_status.swap',
      'items[].health_status.load1',
      'items[].health_status.load5',
      'items[].health_status.load15',
      'items[].health_status.sessions',
      'items[].health_status.total_sessions',
      'items[].sync_status',
      'items[].configuration_sync.last_updated',
      'items[].configuration_sync.last_checked',
      'items[].configuration_sync.downloaded_xml_hash',
      'items[].configuration_sync.issues.warnings[].message',
      'items[].configuration_sync.issues.warnings[].paths',
      'items[].meta.href',
      'items[].meta.configuration',
      'meta.self',
    ],
  },
  { path: '/api/cluster/status/{nodeId}', method: 'get', statuses: [200, 401, 403, 404] },
  { path: '/api/cluster/configuration_sync', method: 'get', statuses: [200, 401, 403, 404] },
  // Framework (sps-api.md sections 1-4, decisions.md).
  { path: '/api/authentication', method: 'get', statuses: [200, 401], errorTypes: { 401: ['AuthenticationFailure'] }, responseElements: ['meta'] },
  { path: '/api/transaction', method: 'get', statuses: [200, 401] },
  { path: '/api/transaction', method: 'post', statuses: [200, 401, 411] },
  { path: '/api/transaction', method: 'put', statuses: [200, 401], requestElements: ['status', 'message'] },
  { path: '/api/transaction', method: 'delete', statuses: [200, 401] },
  {
    path: '/api/transaction/changes',
    method: 'get',
    statuses: [200, 401],
    responseElements: [
      'changes[].type',
      'changes[].path',
      'changes[].new_value',
      'changes[].old_value',
      'changes[].new_order',
      'changes[].old_order',
      'meta.href',
    ],
  },
  { path: '/api', method: 'get', statuses: [200, 401] },
  { path: '/api/configuration', method: 'get', statuses: [200, 401] },
  { path: '/api/configuration/local_services', method: 'get', statuses: [200, 401] },
  { path: '/api/configuration/management', method: 'get', statuses: [200, 401] },
  { path: '/api/configuration/policies/backup_policies', method: 'get', statuses: [200, 401] },
  { path: '/api/configuration/network/nics/{nicId}', method: 'get', statuses: [200, 401, 404] },
];

/** The join status values the seed lists. */
export const joinStatusValues = ['not configured', 'in progress', 'in cluster'];
/** The roles (sps-api.md section 5, decisions.md #13). */
export const clusterRoles = ['central-management', 'managed-host', 'search-master', 'search-minion', 'search-local'];

/**
 * Seed response samples, verbatim except for the substitutions in `placeholders` (documentation
 * addresses for `<IP-address-...>` placeholders, a fake pre-shared key). Each must appear as an
 * example of the operation and status given.
 */
export const placeholders: Record<string, string> = {
  '<IP-address-of-Central-Management-node>': '192.0.2.10',
  '<IP-address-of-node-joined-to-cluster>': '192.0.2.11',
  Ler7HZDFmZCxnLLgHNRfZYfORhlZS99l9vEVr5UKtJEb1d4WeaHcBmQJLs4VDWIn: 'EXAMPLE-PSK-NOT-A-SECRET-000000000000000000000000000000000000000',
};

export const seedSamples: { path: string; method: string; status: string; sample: string }[] = [
  {
    path: '/api/configuration/local_services/cluster',
    method: 'get',
    status: '200',
    sample: `{ "body": { "enabled": true, "listen_address": { "key": "nic1.interfaces.ff7574025754b3df1647001.addresses.2553887595ce3ca7f1eae4", "meta": { "href": "/api/configuration/network/nics/nic1#interfaces/ff7574025754b3df1647001/addresses/2553887595ce3ca7f1eae4" } } }, "key": "cluster", "meta": { "first": "/api/configuration/local_services/admin_web", "href": "/api/configuration/local_services/cluster", "last": "/api/configuration/local_services/user_web", "next": "/api/configuration/local_services/indexer", "parent": "/api/configuration/local_services", "previous": "/api/configuration/local_services/analytics", "remaining_seconds": 600, "transaction": "/api/transaction" } }`,
  },
  {
    path: '/api/configuration/datetime',
    method: 'get',
    status: '200',
    sample: `{ "items": [ { "key": "ntp_servers", "meta": { "href": "/api/configuration/datetime/ntp_servers" } }, { "key": "timezone", "meta": { "href": "/api/configuration/datetime/timezone" } } ], "meta": { "first": "/api/configuration/aaa", "href": "/api/configuration/datetime", "last": "/api/configuration/x509", "next": "/api/configuration/http", "parent": "/api/configuration", "previous": "/api/configuration/alerting", "transaction": "/api/transaction" } }`,
  },
  {
    path: '/api/configuration/datetime/ntp_servers',
    method: 'get',
    status: '200',
    sample: `{ "body": [ { "selection": "fqdn", "value": "pool.ntp.org" } ], "key": "ntp_servers", "meta": { "first": "/api/configuration/datetime/ntp_servers", "href": "/api/configuration/datetime/ntp_servers", "last": "/api/configuration/datetime/timezone", "next": "/api/configuration/datetime/timezone", "parent": "/api/configuration/datetime", "previous": null, "transaction": "/api/transaction" } }`,
  },
  {
    path: '/api/configuration/management/system_backup',
    method: 'get',
    status: '200',
    sample: `{ "body": { "backup_policy": "<key-to-a-backup-policy>" }, "key": "system_backup", "meta": { "first": "/api/configuration/management/certificates", "href": "/api/configuration/management/system_backup", "last": "/api/configuration/management/webinterface", "next": "/api/configuration/management/universal_siem_forwarder", "parent": "/api/configuration/management", "previous": "/api/configuration/management/syslog", "remaining_seconds": 600, "transaction": "/api/transaction" } }`,
  },
  {
    path: '/api/cluster',
    method: 'get',
    status: '200',
    sample: `{ "items": [ { "key": "configuration_sync", "meta": { "href": "/api/cluster/configuration_sync" } }, { "key": "join_request", "meta": { "href": "/api/cluster/join_request" } }, { "key": "nodes", "meta": { "href": "/api/cluster/nodes" } }, { "key": "promote", "meta": { "href": "/api/cluster/promote" } }, { "key": "status", "meta": { "href": "/api/cluster/status" } } ], "meta": { "href": "/api/cluster", "join_request": "/api/cluster/join_request", "nodes": "/api/cluster/nodes", "parent": "/api", "promote": "/api/cluster/promote", "status": "/api/cluster/status", "configuration_sync": "/api/cluster/configuration_sync" } }`,
  },
  {
    path: '/api/cluster/promote',
    method: 'post',
    status: '201',
    sample: `{ "body": { "address": "<IP-address-of-Central-Management-node>", "roles": [ "central-management" ] }, "meta": { "href": "/api/cluster/nodes/b35c54da-b556-4f91-ade5-d26283d68277", "parent": "/api/cluster/nodes", "remaining_seconds": 28800 } }`,
  },
  {
    path: '/api/cluster/join_request',
    method: 'post',
    status: '201',
    sample: `{ "body": { "address": "<IP-address-of-node-joined-to-cluster>", "node_id": "46f97a58-4028-467d-9a22-9cfe78ae3e1c", "psk": "Ler7HZDFmZCxnLLgHNRfZYfORhlZS99l9vEVr5UKtJEb1d4WeaHcBmQJLs4VDWIn", "roles": [] }, "meta": { "href": "/api/cluster/join_request", "parent": "/api/cluster", "remaining_seconds": 600 } }`,
  },
  {
    path: '/api/cluster/nodes',
    method: 'post',
    status: '201',
    sample: `{ "body": { "address": "<IP-address-of-node-joined-to-cluster>", "roles": [] }, "key": "46f97a58-4028-467d-9a22-9cfe78ae3e1c", "meta": { "href": "/api/cluster/nodes/46f97a58-4028-467d-9a22-9cfe78ae3e1c", "parent": "/api/cluster/nodes", "remaining_seconds": 28800 } }`,
  },
  {
    path: '/api/cluster/join_request',
    method: 'get',
    status: '200',
    // The seed sample lacks its opening brace; restored here.
    sample: `{ "details": { "central_management_address": "<IP-address-of-Central-Management-node>" }, "meta": { "href": "/api/cluster/join_request", "parent": "/api/cluster", "remaining_seconds": 600 }, "status": "in cluster" }`,
  },
];

/**
 * Facts from the vendor's own public SDKs (../shared/reference/real-clients.md, issue 13), not
 * from a documentation page. Each must be in the spec and marked `x-sps-source: { kind:
 * client-code }` (on the element itself or the nearest marked node above it).
 */
export interface ClientCodeFact {
  path: string;
  method: 'get' | 'put' | 'post' | 'delete';
  sdks: string[];
  shows: string;
  /** The operation itself is the fact (a new endpoint): it carries the mark. */
  operation?: boolean;
  statuses?: number[];
  /** `'none'`: `security: []`; `'optional'`: the requirements include `{}` and the session cookie. */
  security?: 'none' | 'optional';
  /** Types of security schemes that must be among the operation's alternatives. */
  securitySchemeTypes?: string[];
  /** Query parameters and values each must accept. */
  queryParams?: Record<string, string[]>;
  /** Response headers, per status. */
  responseHeaders?: Record<number, string[]>;
  /** The request body is optional and accepts these values. */
  optionalRequestBody?: unknown[];
  responseElements?: string[];
  /**
   * The strength the real-clients notes give it: `inference` for what a client's design only
   * implies ([inferred]); otherwise client code (a vendor page that also documents it is as strong).
   */
  strength?: 'inference';
}

export const clientCodeFacts: ClientCodeFact[] = [
  {
    path: '/api/transaction',
    method: 'post',
    sdks: ['SafeguardJava', 'safeguard-ps', 'SafeguardDotNet'],
    shows: 'Java opens a transaction with {}, the others with an empty body',
    optionalRequestBody: [{}],
  },
  {
    path: '/api/authentication',
    method: 'get',
    sdks: ['SafeguardJava'],
    shows: 'no preemptive credentials: SPS answers 401 with WWW-Authenticate: Basic',
    responseHeaders: { 401: ['WWW-Authenticate'] },
    strength: 'inference',
  },
  {
    path: '/api/authentication',
    method: 'get',
    sdks: ['safeguard-ps'],
    shows: 'certificate login: ?type=x509&login_method=<backend>, a client certificate, no Authorization header',
    queryParams: { type: ['x509'], login_method: ['local'] },
    securitySchemeTypes: ['http', 'mutualTLS'],
  },
  {
    path: '/api/authentication/login_methods',
    method: 'get',
    sdks: ['safeguard-ps'],
    shows: 'called without a session; login_methods is a list of objects',
    operation: true,
    statuses: [200],
    security: 'none',
    responseElements: ['login_methods', 'login_methods[]'],
  },
  {
    path: '/api/info',
    method: 'get',
    sdks: ['safeguard-ps', 'SafeguardDotNet', 'SafeguardJava'],
    shows: 'the SPS version is body.firmware_version; answers with and without a session',
    operation: true,
    statuses: [200],
    security: 'optional',
    responseElements: ['body.firmware_version'],
  },
  {
    path: '/api/transaction',
    method: 'get',
    sdks: ['safeguard-ps'],
    shows: 'reads meta.changes of the 7.x status and fetches the change log only when it is there',
    responseElements: ['meta.changes'],
  },
];
