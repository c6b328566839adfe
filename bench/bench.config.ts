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
    // oRPC's websocket client (in the naive and upstream-style peers) leaves unhandled rejections ("Cannot send
    // message, WebSocket is not open") when a subscription is aborted while its socket is closed. They are the
    // peers' behaviour, printed in the log, not a failure of the measurement. (Ours passes no signal to the link, and
    // its own tests fail on any unhandled rejection.)
    dangerouslyIgnoreUnhandledErrors: true,
    testTimeout: 3_600_000,
    hookTimeout: 120_000,
  },
})
