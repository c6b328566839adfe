import { defineConfig, type UserConfig } from 'tsdown'

// Everything the package depends on stays an import: react and TanStack Query must be the app's own copies, and
// the server's ws/jose come from the user's node_modules. tsdown externalizes dependencies and peerDependencies on
// its own; this list also covers deep imports (react/jsx-runtime, @orpc/client/websocket) and Node built-ins.
const neverBundle = [
  /^react(\/|$)/,
  /^react-dom(\/|$)/,
  /^@tanstack\//,
  /^@orpc\//,
  /^partysocket(\/|$)/,
  /^jose(\/|$)/,
  /^ws(\/|$)/,
  /^msw(\/|$)/,
  /^node:/,
]

const shared = {
  format: 'esm',
  // package.json has "type": "module": emit .js/.d.ts, which is what "exports" points at.
  fixedExtension: false,
  dts: true,
  sourcemap: false,
  hash: false,
  treeshake: true,
  // No dependency code may end up inside our bundles: fail the build instead of bundling it.
  deps: { neverBundle, onlyBundle: [] },
  // The size report is noise in CI logs; `ls -l dist` shows the same.
  report: false,
  // Type declarations come from the TypeScript compiler (no isolatedDeclarations): slower than the JS, and expected.
  checks: { pluginTimings: false },
} satisfies UserConfig

export default defineConfig([
  {
    ...shared,
    name: 'client',
    entry: { index: 'src/index.ts' },
    outDir: 'dist',
    // React hooks for browsers and SSR: no Node built-ins allowed.
    platform: 'neutral',
    target: 'es2022',
    // RSC frameworks need the directive on the very first line of the module.
    banner: { js: "'use client'" },
    // tsdown cleans once for all configs, before either build writes anything.
    clean: ['dist'],
  },
  {
    ...shared,
    name: 'token',
    // Token query options without 'use client': a server component may prefetch the token with them.
    entry: { index: 'src/token/index.ts' },
    outDir: 'dist/token',
    platform: 'neutral',
    target: 'es2022',
    clean: false,
  },
  {
    ...shared,
    name: 'cloudflare',
    // The hub as a Durable Object: runs in workerd, so no Node built-ins (jose and oRPC stay imports; the app's
    // wrangler build bundles them).
    entry: { index: 'src/cloudflare/index.ts' },
    outDir: 'dist/cloudflare',
    platform: 'neutral',
    target: 'es2022',
    clean: false,
  },
  {
    ...shared,
    name: 'testing',
    // The mock hub for users' tests and stories: runs under msw in Node (jsdom included) and in browsers, so no
    // Node built-ins; msw is the app's own (an optional peer).
    entry: { index: 'src/testing/index.ts' },
    outDir: 'dist/testing',
    platform: 'neutral',
    target: 'es2022',
    clean: false,
  },
  {
    ...shared,
    name: 'server',
    entry: { index: 'src/server/index.ts' },
    outDir: 'dist/server',
    platform: 'node',
    target: 'node20.19',
    // The client config already cleaned dist (including dist/server).
    clean: false,
  },
])
