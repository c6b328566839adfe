import { fileURLToPath } from 'node:url'
import { storybookTest } from '@storybook/addon-vitest/vitest-plugin'
import react from '@vitejs/plugin-react'
import { playwright } from '@vitest/browser-playwright'
import { defineConfig } from 'vitest/config'
import { findChromium } from './tests/support/chromium'

// Debian's Chromium when it is installed, else one from the npm registry (tests/support/chromium.ts), driven by
// playwright-core: nothing downloads a browser.
const browser = await findChromium()
const chromium = playwright({
  launchOptions: { executablePath: browser.executablePath, args: browser.args },
  // React Query Devtools needs a locale the headless builds do not always set.
  contextOptions: { locale: 'en-US' },
})

export default defineConfig({
  plugins: [react()],
  // The package's own entry names, as users import them (the README's examples run verbatim in the tests).
  resolve: {
    alias: [
      { find: /^react-durable-iterator$/, replacement: fileURLToPath(new URL('src/index.ts', import.meta.url)) },
      ...['core', 'tabs'].map((entry) => ({
        find: new RegExp(`^react-durable-iterator/${entry}$`),
        replacement: fileURLToPath(new URL(`src/${entry}.ts`, import.meta.url)),
      })),
      ...['server', 'cloudflare', 'testing'].map((entry) => ({
        find: new RegExp(`^react-durable-iterator/${entry}$`),
        replacement: fileURLToPath(new URL(`src/${entry}/index.ts`, import.meta.url)),
      })),
    ],
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'package',
          // Node by default; files that render React opt into jsdom with a `@vitest-environment` comment.
          include: ['tests/{unit,core,server,client,faults,security,cloudflare,protocol,testing}/**/*.test.{ts,tsx}'],
          environment: 'node',
          pool: 'forks',
          // Type assertions (`*.test-d.ts`) run through tsc: a wrong inferred type fails as a test.
          typecheck: { enabled: true, include: ['tests/types/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          // The demo in Debian's Chromium, started by the README's own command.
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        // Every story in stories/ becomes a test: rendered in Chromium, msw mocking the server, `play` asserting.
        plugins: [storybookTest({ configDir: fileURLToPath(new URL('.storybook', import.meta.url)) })],
        test: {
          name: 'storybook',
          browser: { enabled: true, headless: true, provider: chromium, instances: [{ browser: 'chromium' }] },
        },
      },
    ],
  },
})
