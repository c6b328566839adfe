import { execFileSync } from 'node:child_process'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(fileURLToPath(new URL('..', import.meta.url)))

/**
 * Packs the package as it would be published into `destination`, and says what went in. `--ignore-scripts`: pack
 * what the build made, without running any prepack hook a later change might add.
 */
export function packInto(destination) {
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', destination], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  )[0]
  return { ...packed, tarball: join(destination, packed.filename) }
}
