import react from '@vitejs/plugin-react'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  plugins: [react()],
  test: {
    include: ['tests/**/*.test.{ts,tsx}'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests bind real sockets and count them through the server's stats: one file at a time per worker.
    fileParallelism: true,
    pool: 'forks',
  },
})
