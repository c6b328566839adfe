import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Plugin } from 'vite'

const WORKER_FILE = 'mockServiceWorker.js'

/**
 * Serves msw's service worker at the site root (where its scope covers the stories) straight from the
 * installed msw, in `storybook dev`, in Vitest and in `build-storybook`, so no generated copy is committed.
 */
export function mswWorkerPlugin(): Plugin {
  const source = () => readFileSync(createRequire(import.meta.url).resolve(`msw/${WORKER_FILE}`), 'utf8')
  return {
    name: 'react-durable-iterator:msw-worker',
    configureServer(server) {
      server.middlewares.use(`/${WORKER_FILE}`, (_request, response) => {
        response.setHeader('Content-Type', 'text/javascript')
        response.end(source())
      })
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: WORKER_FILE, source: source() })
    },
  }
}
