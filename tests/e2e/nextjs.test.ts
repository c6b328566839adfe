import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type * as ServerEntry from '../../src/server'
import { type Browser, launchChromium } from './browser'
import {
  clientBundleFiles,
  EXAMPLE_DIR,
  installLayout,
  type NextServer,
  nextBuild,
  nextStart,
  REPO_ROOT,
  syncInstalledPackage,
} from './nextjs-process'

const SCREENSHOTS = 'artifacts/e2e'
const ROOM = 'lobby'
const STATUS_IN_HTML = /data-testid="status"[^>]*>idle</
/** A file's text, or every .js file's below a folder (the package's dist: entries and their shared chunks). */
function textOf(path: string): string {
  if (!statSync(path).isDirectory()) return readFileSync(path, 'utf8')
  return readdirSync(path, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .map((file) => readFileSync(join(path, file), 'utf8'))
    .join('\n')
}

// What a server entry would drag into the browser (the token signer, the socket server, the hub), found by string
// literals a minifier keeps, each with the file it comes from (checked below, so every needle is real).
const SERVER_ONLY = [
  { needle: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', source: 'node_modules/jose/dist/webapi/util/errors.js' },
  { needle: 'Invalid Sec-WebSocket-Protocol header', source: 'node_modules/ws/lib/websocket-server.js' },
  { needle: 'subscriber too slow: resume from the last event id', source: 'dist' },
  { needle: 'needs an object or array payload', source: 'dist' },
]
// React's hydration complaints: in words in development builds, as minified errors in production ones.
const HYDRATION = /hydrat|react\.dev\/errors\/(418|419|421|422|423|425)\b|error #(418|419|421|422|423|425)\b/i

let server: ServerEntry.ReferenceServer
let built = false

beforeAll(async () => {
  console.log(syncInstalledPackage())
  // The package's built server entry, as the example sees the built client entry. Tokens live 5 minutes, so no
  // refresh can happen during the test and every token the hub issues is one this test caused.
  const entry: typeof ServerEntry = await import(pathToFileURL(join(REPO_ROOT, 'dist/server.js')).href)
  server = await entry.startReferenceServer({ tokenTtlSeconds: 300 })
})

afterAll(async () => {
  await server?.close()
})

describe('examples/nextjs (App Router)', () => {
  it('builds with `next build`', async () => {
    rmSync(join(EXAMPLE_DIR, '.next'), { recursive: true, force: true })
    const result = await nextBuild()
    console.log(`next build: exit ${result.code} in ${(result.durationMs / 1000).toFixed(1)} s`)
    expect(result.code, result.output).toBe(0)
    // The page reads its URLs and prefetches a token per request: it must not be prerendered at build time.
    expect(result.output).toMatch(/ƒ \/\s/)
    built = true
  })

  it('resolves one copy of React, React Query and the oRPC client, and of the package, not a symlink', () => {
    const { packageIsSymlink, copies } = installLayout()
    expect(packageIsSymlink).toBe(false)
    for (const [name, dirs] of Object.entries(copies)) expect(dirs, name).toEqual([`node_modules/${name}`])
  })

  it('keeps the server entry out of the browser bundle', () => {
    const files = clientBundleFiles()
    // The client entry is in there (its error message), once.
    expect(files.filter(({ text }) => text.includes('needs a <DurableIteratorProvider'))).toHaveLength(1)
    for (const { needle, source } of SERVER_ONLY) {
      expect(textOf(join(REPO_ROOT, source)), `${source} still says "${needle}"`).toContain(needle)
    }
    const leaks = files.flatMap(({ file, text }) =>
      SERVER_ONLY.filter(({ needle }) => text.includes(needle)).map(({ needle }) => `${file}: ${needle}`),
    )
    expect(leaks).toEqual([])
    // What Next consumed: the client entry starts with the directive, the server entry has none.
    const installed = join(EXAMPLE_DIR, 'node_modules', 'react-durable-iterator', 'dist')
    expect(readFileSync(join(installed, 'index.js'), 'utf8').split('\n', 1)[0]).toMatch(/^(['"])use client\1;?$/)
    for (const entry of ['core.js', 'server.js']) {
      expect(readFileSync(join(installed, entry), 'utf8')).not.toMatch(/(['"])use client\1/)
    }
  })

  describe('served by `next start`', () => {
    let next: NextServer
    let browser: Browser
    let page: Page

    beforeAll(async () => {
      if (!built) throw new Error('next build failed; nothing to start')
      mkdirSync(SCREENSHOTS, { recursive: true })
      // The same build against any reference server: the server component reads these per request.
      next = await nextStart({ DURABLE_RPC_URL: server.rpcUrl, DURABLE_WS_URL: server.durableUrl })
      browser = await launchChromium()
      page = await browser.context.newPage()
    })

    afterAll(async () => {
      await browser?.close()
      await next?.stop()
    })

    it('renders on the server with status idle, prefetching one token', async () => {
      const tokensBefore = server.stats().tokensIssued
      const response = await fetch(next.url)
      const html = await response.text()
      expect(response.status, next.output()).toBe(200)
      expect(html).toMatch(STATUS_IN_HTML)
      expect(server.stats().tokensIssued).toBe(tokensBefore + 1)
      expect(server.stats().upgradesAccepted).toBe(0)
    })

    it('hydrates without warnings and opens the socket with the server-prefetched token', async () => {
      const complaints: string[] = []
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') {
          complaints.push(`${message.type()}: ${message.text()}`)
        }
      })
      page.on('pageerror', (error) => complaints.push(`pageerror: ${error.message}`))
      const tokenCalls: string[] = []
      page.on('request', (request) => {
        if (request.url().startsWith(server.rpcUrl)) tokenCalls.push(request.url())
      })

      const socketUrls: string[] = []
      page.on('websocket', (socket) => socketUrls.push(socket.url()))

      const before = server.stats()
      const response = await page.goto(next.url)
      const html = (await response?.text()) ?? ''
      await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 30_000 }).toBe('open')
      await expect.poll(() => server.stats().upgradesAccepted).toBe(before.upgradesAccepted + 1)

      // One token for this page view, issued to its server render; the browser never called the token procedure
      // and opened its socket with the token that came dehydrated in the HTML.
      expect(server.stats().tokensIssued).toBe(before.tokensIssued + 1)
      expect(tokenCalls).toEqual([])
      expect(socketUrls).toHaveLength(1)
      const socketToken = new URL(socketUrls[0] ?? '').searchParams.get('token')
      expect(socketToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
      expect(html).toContain(socketToken)
      expect(complaints.filter((complaint) => HYDRATION.test(complaint))).toEqual([])
      // Nor anything else: no page error, no failed request, no React warning.
      expect(complaints).toEqual([])
    })

    it('shows events published by the server and sent from the page', async () => {
      server.publish(`chat:${ROOM}`, { text: 'published by the server', from: 'test', sentAtMs: Date.now() })
      await expect.poll(() => page.getByTestId('messages').textContent()).toContain('published by the server')

      await page.getByLabel('Message').fill('sent from Chromium')
      await page.getByRole('button', { name: 'Send' }).click()
      await expect.poll(() => page.getByTestId('messages').textContent()).toContain('sent from Chromium')
      expect(await page.getByTestId('status').textContent()).toBe('open')
      await page.screenshot({ path: `${SCREENSHOTS}/nextjs.png` })
    })
  })
})
