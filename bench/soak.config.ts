import react from '@vitejs/plugin-react'
import { defineConfig } from 'vitest/config'

// The soak run is a script, not a test: `npm run soak` (SOAK_SECONDS=600 by default). Not run in CI.
export default defineConfig({
  plugins: [react()],
  test: {
    include: ['bench/soak.test.tsx'],
    environment: 'jsdom',
    testTimeout: 3_600_000,
    pool: 'forks',
  },
})
