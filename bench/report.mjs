// Writes BENCHMARKS.md from the scenario results (JSON, one file per scenario) of one `npm run bench`.
// Every number in it comes from those files or from this machine; nothing is typed by hand.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const PEER_NOTES = [
  '- **ours**: `useDurableEventIterator` under one `DurableIteratorProvider` (tokens in the TanStack Query cache, one ' +
    'shared socket per stream, in-band `updateToken` before expiry, resume from the last event id). Package ' +
    'defaults, except where a scenario says otherwise (scenario 5: `lingerMs: 0`).',
  '- **naive**: per component, `useQuery` for the token and `useWebSocket` from `partysocket/react` with an async URL ' +
    "provider that reads the token through the query (`fetchQuery`, `staleTime` = token lifetime − 1 s); oRPC's " +
    'websocket `RPCLink` with `ClientRetryPlugin` over it, `subscribe` with `retry: Infinity` (resumes by last event ' +
    'id). partysocket and oRPC defaults otherwise. No in-band refresh: the server closes the socket at expiry. Its ' +
    "first `subscribe` often runs before partysocket has a socket and waits for the retry plugin's delay.",
  '- **react-use-websocket**: `useWebSocket(asyncUrl, { share: true, shouldReconnect: () => true })`, the URL ' +
    "function fetching the token through the query cache (5 s default reconnect interval). It cannot speak oRPC's " +
    'RPC framing: the peer sends one hand-written `subscribe` frame per socket on open (with the last event id seen) ' +
    'and each component reads event frames in `onMessage`. It has no token refresh on a live socket, no resume of ' +
    'its own, no de-duplication, and gives up after 20 failed reconnects by default.',
  "- **upstream-style**: what oRPC's `DurableIteratorLinkPlugin` does for each iterator, written out (its client " +
    "parses its own token format, not this hub's JWTs): per component, its own token call (no shared cache), its own " +
    'partysocket (default options), `RPCLink` + `ClientRetryPlugin`, and one refresh timer that calls the token ' +
    'procedure again before expiry and sends `updateToken` on the live socket (a failed refresh is retried after 2 s).',
  '- **… (tuned)**: the same peer configured as a competent user would (`bench/support/peers/tuned.ts`): partysocket ' +
    '`minReconnectionDelay: 250`, `maxReconnectionDelay: 2000`, `minUptime: 1000` (defaults 3,000 / 10,000 / ' +
    "5,000 ms); the retry plugin's `retryDelay: 250` (default 2,000 ms), and upstream-style's refresh retry 250 ms; " +
    'react-use-websocket `reconnectInterval: 250`, `reconnectAttempts: Infinity` (defaults 5,000 ms, 20). Scenarios ' +
    '1–5 run every peer, default and tuned, and every comparison in them names them all; scenario 6 bundles each ' +
    'library once (options change no bytes); scenario 7 measures servers, not clients.',
  '- Where a peer refreshes tokens, it does so 1 s before expiry, as ours is configured here ' +
    "(`refreshBeforeExpirySeconds: 1`; the default of 30 s is capped at half a token's lifetime).",
]

function format(value, digits = 0) {
  if (value === null || value === undefined || Number.isNaN(value)) return 'n/a'
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

function ratio(value, baseline, metric) {
  if (
    metric.better === 'none' ||
    value === null ||
    baseline === null ||
    value === undefined ||
    baseline === undefined
  ) {
    return ''
  }
  if (value === baseline) return ' (=)'
  if (metric.compare === 'difference') {
    const difference = value - baseline
    return ` (${difference > 0 ? '+' : '−'}${format(Math.abs(difference), metric.digits ?? 0)})`
  }
  if (baseline === 0) return ' (ours 0)'
  const times = value / baseline
  return ` (×${format(times, times >= 100 ? 0 : times >= 10 ? 1 : 2)})`
}

function renderTable(table) {
  const baseline = table.baseline ?? 'ours'
  const grouped = table.rows.some((row) => row.group !== '')
  const header = [...(grouped ? [''] : []), '', ...table.metrics.map((metric) => metric.label)]
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`]
  for (const row of table.rows) {
    const base = table.rows.find((candidate) => candidate.group === row.group && candidate.peer === baseline)
    const cells = table.metrics.map((metric) => {
      const value = row.medians[metric.key]
      const shown = format(value, metric.digits ?? 0)
      return row.peer === baseline || !base ? shown : `${shown}${ratio(value, base.medians[metric.key], metric)}`
    })
    const name = row.peer === baseline ? `**${row.peer}**` : row.peer
    lines.push(`| ${[...(grouped ? [row.group] : []), name, ...cells].join(' | ')} |`)
  }
  return lines.join('\n')
}

function renderScenario(result) {
  const parts = [`## ${result.id.slice(1)}. ${result.title}`, '', result.method, '']
  parts.push(
    `Medians of ${result.runs} run${result.runs === 1 ? '' : 's'}; in brackets, each value against ours in the same ` +
      'group: a ratio (×), or a difference (+/−) for the heap, "=" when equal, "ours 0" when ours is 0. ' +
      `The scenario took ${format(result.durationSeconds)} s.`,
    '',
  )
  for (const note of result.scaledDown) parts.push(`Scaled down: ${note}`, '')
  for (const table of result.tables) {
    parts.push(`**${table.caption}**`, '', renderTable(table), '')
    const higher = table.metrics.filter((metric) => metric.better === 'higher').map((metric) => metric.label)
    const lower = table.metrics.some((metric) => metric.better === 'lower')
    if (higher.length > 0)
      parts.push(`Higher is better for: ${higher.join('; ')}.${lower ? ' Lower for the rest.' : ''}`, '')
    else if (lower) parts.push('Lower is better.', '')
  }
  parts.push('What it means:', '', ...result.meaning.map((line) => `- ${line}`), '')
  if (result.losses.length === 0) parts.push('Where ours loses: nowhere in this scenario.', '')
  else parts.push('Where ours loses:', '', ...result.losses.map((line) => `- ${line}`), '')
  return parts.join('\n')
}

/** Which commit holds the scripts and the code that ran, and whether the tree differed from it. */
function renderSource(source) {
  if (!source) return []
  const where = source.paths.map((path) => `\`${path}\``).join(', ')
  const lines = [
    `Scripts and code under test: commit \`${source.commit}\`, the last commit that changed what a run measures with ` +
      `(${where}); HEAD was \`${source.head}\`.`,
    '',
  ]
  if (source.uncommitted.length > 0) {
    const shown = source.uncommitted.slice(0, 8).map((path) => `\`${path}\``)
    const more = source.uncommitted.length > shown.length ? ` and ${source.uncommitted.length - shown.length} more` : ''
    lines.push(
      `**Uncommitted changes**: the tree differed from that commit in ${source.uncommitted.length} ` +
        `file${source.uncommitted.length === 1 ? '' : 's'} (${shown.join(', ')}${more}), so no commit holds exactly ` +
        'what ran. Commit, then rerun before quoting these figures.',
      '',
    )
  }
  return lines
}

/** Reads every `<id>.json` in `resultsDir` and returns BENCHMARKS.md. */
export function renderReport({ resultsDir, quick, machine, versions, source, loads, failed, startedAt, totalSeconds }) {
  const results = readdirSync(resultsDir)
    .filter((file) => /^s\d+\.json$/.test(file))
    .sort((a, b) => Number(a.slice(1, -5)) - Number(b.slice(1, -5)))
    .map((file) => JSON.parse(readFileSync(join(resultsDir, file), 'utf8')))
  const lines = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench${quick ? ' -- --quick' : ''}\` (\`bench/run.mjs\`) on ${startedAt}, in ` +
      `${format(totalSeconds)} s. Every number below comes from that run; rerun it to regenerate this file. ` +
      'The scripts are in `bench/`; the scenarios are Vitest files run with `bench/bench.config.ts`, under jsdom ' +
      'for the React ones, each against its own reference server (`startReferenceServer`) on 127.0.0.1.',
    '',
  ]
  lines.push(...renderSource(source))
  if (quick) lines.push('**Quick mode**: one run of each scenario, made smaller; a smoke test, not a measurement.', '')
  if (failed.length > 0) lines.push(`**Failed scenarios** (no results below): ${failed.join(', ')}.`, '')

  lines.push('## Machine', '', '| | |', '| --- | --- |')
  for (const [key, value] of Object.entries(machine)) lines.push(`| ${key} | ${value} |`)
  lines.push(
    `| load average (1/5/15 min) before | ${loads.before.map((load) => format(load, 2)).join(' / ')} |`,
    `| load average (1/5/15 min) after | ${loads.after.map((load) => format(load, 2)).join(' / ')} |`,
    `| highest 1-min load seen between scenarios | ${format(loads.highest, 2)} |`,
    '',
    'Other processes may have been running on this machine (it is shared); the load averages above say how busy it ' +
      'was. Timings move with load; counts (tokens, sockets, reconnects, events) barely do.',
    '',
    '## Versions',
    '',
    '| package | version |',
    '| --- | --- |',
  )
  for (const [name, version] of Object.entries(versions)) lines.push(`| ${name} | ${version} |`)
  lines.push('', '## The peers', '', ...PEER_NOTES, '')

  const headline = results.flatMap((result) => result.headline ?? [])
  if (headline.length > 0) lines.push('## Headline', '', ...headline.map((line) => `- ${line}`), '')
  // Differences within a measure's noise stay in their scenario's section, marked as such.
  const noise = results.flatMap((result) => result.losses.filter((loss) => loss.includes('within the noise')))
  const losses = results.flatMap((result) =>
    result.losses
      .filter((loss) => !loss.includes('within the noise'))
      .map((loss) => `${result.id.slice(1)}. ${result.title}: ${loss}`),
  )
  lines.push('## Where ours loses', '')
  if (losses.length === 0) lines.push('Nowhere in this run.', '')
  else lines.push(...losses.map((loss) => `- ${loss}`), '')
  if (noise.length > 0) {
    lines.push(
      `Not counted here: ${noise.length} difference${noise.length === 1 ? '' : 's'} in ours' disfavour smaller than ` +
        "the measure's noise, listed under their scenario.",
      '',
    )
  }

  for (const result of results) lines.push(renderScenario(result))
  return `${lines.join('\n').trimEnd()}\n`
}
