// The import directions of docs/architecture.md, checked in `pnpm lint`.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-service-to-service',
      comment: 'Services are separate deployables: a service never imports another service.',
      severity: 'error',
      from: { path: '^services/([^/]+)/' },
      to: { path: '^services/([^/]+)/', pathNot: '^services/$1/' },
    },
    {
      name: 'no-package-to-service',
      comment: 'Dependencies point toward more general code: packages never import services.',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: '^services/' },
    },
    {
      name: 'kafka-knows-nothing-of-nudj',
      comment: 'packages/kafka is generic over a codec and a handler; it never imports contracts or the simulator.',
      severity: 'error',
      from: { path: '^packages/kafka/' },
      to: { path: '^packages/(contracts|nudj-sim)/' },
    },
    {
      name: 'contracts-stand-alone',
      comment: 'packages/contracts imports no other workspace package (its tests may use packages/testing).',
      severity: 'error',
      from: { path: '^packages/contracts/src/', pathNot: '\\.test\\.ts$' },
      to: { path: '^(packages|services)/', pathNot: '^packages/contracts/' },
    },
    {
      name: 'testing-is-dev-only',
      comment: 'Only tests, benchmarks and command-line tools may use packages/testing.',
      severity: 'error',
      from: { path: '^(services|packages)/[^/]+/src/', pathNot: ['\\.test\\.ts$', '^packages/testing/'] },
      to: { path: '^packages/testing/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    tsPreCompilationDeps: true,
    combinedDependencies: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'node', 'default'] },
  },
}
