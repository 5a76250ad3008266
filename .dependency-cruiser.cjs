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
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
