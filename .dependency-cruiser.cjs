/**
 * The import rules of src/ (issue 19), checked by `npm run depcheck` (part of `npm test`):
 * no cycles anywhere, and the checks stand on one narrow floor.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'A module graph without cycles: each module can be read, tested and moved on its own.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'checks-stand-on-the-floor',
      severity: 'error',
      comment:
        'A check imports only the check floor (check-api.ts), its helpers (checks/, the write helpers, the roles matcher, curl quoting, redaction) and the operation model (src/model/, src/shared/): never the runner, the plans, the reports or the node session.',
      // The test beside a check (checks/<file>.test.ts) may use test helpers, the runner and the stand-ins.
      from: { path: '^src/conformance/checks/', pathNot: '[.]test[.]ts$' },
      to: {
        pathNot: [
          '^src/conformance/check-api[.]ts$',
          '^src/conformance/checks/',
          '^src/conformance/(write-safety|different-value|collection-writes|roles|curl|cannot-run)[.]ts$',
          '^src/model/',
          '^src/shared/',
          '^src/redact[.]ts$',
          '^node_modules/',
        ],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'the-floor-imports-no-machinery',
      severity: 'error',
      comment: 'The check floor and the check helpers import nothing of the machinery (runner, plans, reports, options, node session, baseline, selection, Prism).',
      from: { path: '^src/conformance/(check-api|write-safety|different-value|collection-writes|roles|curl)[.]ts$' },
      to: {
        path: ['^src/conformance/(plan|report|mock)/', '^src/conformance/(runner|options|cli|node-session|baseline|selection|prism|limit|transaction-ledger)[.]ts$', '^src/conformance/checks/index[.]ts$'],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
