import type { NextConfig } from 'next'

const config: NextConfig = {
  // The app is self-contained (the package is installed as a copy): keep Next from picking the repository root,
  // whose lock file it would otherwise find first.
  turbopack: { root: import.meta.dirname },
  outputFileTracingRoot: import.meta.dirname,
}

export default config
