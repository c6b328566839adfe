import react from '@vitejs/plugin-react'
import { defineConfig } from 'vitest/config'

// The benchmarks are scripts, not tests: `npm run bench` (bench/run.mjs) runs each scenario file on its own with
// this config and writes BENCHMARKS.md from their results. `npm test` never picks these files up.
export default defineConfig({
  plugins: [react()],
  test: {
    include: ['bench/scenarios/*.bench-run.{ts,tsx}'],
    // Files that render React opt into jsdom with a `@vitest-environment` comment.
    environment: 'node',
    setupFiles: ['bench/support/setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    // Heap deltas are measured after explicit collections.
    execArgv: ['--expose-gc'],
    testTimeout: 3_600_000,
    hookTimeout: 120_000,
  },
})
