import { defineConfig } from 'tsdown'

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

export default defineConfig({
  // One build for every entry, so a module two entries use is in one shared chunk, never in two bundles.
  entry: {
    index: 'src/index.ts',
    core: 'src/core.ts',
    tabs: 'src/tabs.ts',
    server: 'src/server/index.ts',
    cloudflare: 'src/cloudflare/index.ts',
    testing: 'src/testing/index.ts',
  },
  outDir: 'dist',
  clean: ['dist'],
  format: 'esm',
  // package.json has "type": "module": emit .js/.d.ts, which is what "exports" points at.
  fixedExtension: false,
  dts: true,
  sourcemap: false,
  hash: false,
  treeshake: true,
  // Browsers, workerd and Node: the server entry's Node built-ins stay `node:` imports (see neverBundle).
  platform: 'neutral',
  target: 'es2022',
  // No dependency code may end up inside our bundles: fail the build instead of bundling it.
  deps: { neverBundle, onlyBundle: [] },
  outputOptions: {
    chunkFileNames: 'chunks/[name].js',
    // RSC frameworks need the directive on the very first line of the client entry, and nowhere else.
    banner: (chunk) => (chunk.isEntry && chunk.name === 'index' ? "'use client'" : ''),
  },
  // The size report is noise in CI logs; `ls -l dist` shows the same.
  report: false,
  checks: { pluginTimings: false },
})
