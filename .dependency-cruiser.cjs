/**
 * The import rules of issue 18, checked in CI (`npm run check:deps`). Type-only imports count
 * (`tsPreCompilationDeps`): a circle through types still ties two files together for a reader.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No file reaches itself through its imports: a circle means neither side can be read, tested or moved alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'repositories-import-no-service',
      severity: 'error',
      comment:
        'A repository (the adapter to ClickHouse, Kafka or the bot) imports only other repositories, common and config: ' +
        'types that a repository and a service both need live in libs/contracts or beside the repository.',
      from: { path: '^apps/api/src/repositories/' },
      to: { path: '^apps/api/src/', pathNot: '^apps/api/src/(repositories|common|config)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // apps/web's tsconfig maps @warroom/contracts to the same file as the root one, so one run resolves every folder.
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.cjs', '.mjs', '.json'] },
  },
};
