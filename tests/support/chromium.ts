import { existsSync } from 'node:fs'

/** Where Debian's Chromium is (`apt-get install chromium`); used when it is there. */
const DEBIAN_CHROMIUM = '/usr/bin/chromium'

// Without the background-networking flags Chromium keeps trying hosts a closed network cannot reach.
const DEBIAN_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export interface ChromiumToLaunch {
  executablePath: string
  args: string[]
  /** Where it comes from, for logs. */
  source: string
}

/**
 * The Chromium the browser tests drive with playwright-core (which never downloads one): `CHROMIUM_PATH`, else
 * Debian's when it is installed, else the headless Chromium that `@sparticuz/chromium` (a devDependency) extracts
 * from the npm registry's package into the temp dir, so `npm ci && npm test` works on a machine without one.
 */
export async function findChromium(): Promise<ChromiumToLaunch> {
  const fromEnv = process.env.CHROMIUM_PATH
  if (fromEnv) return { executablePath: fromEnv, args: DEBIAN_ARGS, source: `CHROMIUM_PATH (${fromEnv})` }
  if (existsSync(DEBIAN_CHROMIUM)) return { executablePath: DEBIAN_CHROMIUM, args: DEBIAN_ARGS, source: "Debian's" }
  const { default: chromium } = await import('@sparticuz/chromium')
  return {
    executablePath: await chromium.executablePath(),
    // Its own flags (headless shell, no zygote, software GL…), but with a process per page: in one process, a
    // page paused in the debugger would pause every other page with it. Plus the quiet-network ones.
    args: [
      ...chromium.args.filter((arg) => arg !== '--single-process'),
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    source: '@sparticuz/chromium 147 (npm registry)',
  }
}
