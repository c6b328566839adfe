// Fault drills for the demo page: drop every socket, stop the server for a while, publish a burst, read counters.
// Mounted on the page's Vite server so it answers while the reference server is down.
// With `cloudflare` (the Durable Object engine, demo/cloudflare.mjs) there is no reference server: the Worker holds
// the sockets and signs the tokens, so drop and the counters go there, and stop answers 501.

/**
 * @param {import('../dist/server.js').ReferenceServer | undefined} server
 * @param {{ dropConnections(): Promise<number>, stats(): Promise<{ openSockets: number, tokensIssued: number }>, publish(channel: string, payload: object): Promise<void> }} [cloudflare]
 */
export function controlApi(server, cloudflare) {
  let outage
  return {
    name: 'react-durable-iterator-demo-control',
    configureServer(vite) {
      vite.middlewares.use('/demo/api', (request, response, next) => {
        if (cloudflare) return cloudflareControl(cloudflare, request, response).catch(next)
        const url = new URL(request.url ?? '/', 'http://demo.invalid')
        const reply = (status, body) => {
          response.statusCode = status
          response.setHeader('content-type', 'application/json')
          response.end(JSON.stringify(body))
        }
        if (request.method === 'GET' && url.pathname === '/stats') {
          return reply(200, { ...server.stats(), serverUp: outage === undefined })
        }
        if (request.method === 'POST' && url.pathname === '/drop') {
          return reply(200, { dropped: server.hub.dropConnections() })
        }
        if (request.method === 'POST' && url.pathname === '/publish') {
          return reply(
            202,
            publishBurst(url, (channel, payload) => server.publish(channel, payload)),
          )
        }
        if (request.method === 'POST' && url.pathname === '/stop') {
          const seconds = Math.min(Math.max(Number(url.searchParams.get('seconds') ?? 5), 1), 60)
          if (!outage) {
            outage = server.interrupt(seconds * 1000).finally(() => {
              outage = undefined
            })
          }
          return reply(202, { downForSeconds: seconds })
        }
        reply(404, { error: UNKNOWN_CONTROL })
      })
    },
  }

  async function cloudflareControl(engine, request, response) {
    const url = new URL(request.url ?? '/', 'http://demo.invalid')
    const reply = (status, body) => {
      response.statusCode = status
      response.setHeader('content-type', 'application/json')
      response.end(JSON.stringify(body))
    }
    if (request.method === 'GET' && url.pathname === '/stats') {
      return reply(200, { ...(await engine.stats()), serverUp: true })
    }
    if (request.method === 'POST' && url.pathname === '/drop') {
      return reply(200, { dropped: await engine.dropConnections() })
    }
    if (request.method === 'POST' && url.pathname === '/publish') {
      return reply(
        202,
        publishBurst(url, (channel, payload) => engine.publish(channel, payload)),
      )
    }
    if (request.method === 'POST' && url.pathname === '/stop') {
      return reply(501, { error: 'stopping the server is not available on the Cloudflare engine' })
    }
    reply(404, { error: UNKNOWN_CONTROL })
  }
}

/**
 * Publishes `count` numbered chat messages to `channel` (default chat:lobby), `perSecond` a second, in the
 * background; answers at once with what it will do.
 */
function publishBurst(url, publish) {
  const channel = url.searchParams.get('channel') ?? 'chat:lobby'
  const count = Math.min(Math.max(Number(url.searchParams.get('count') ?? 100), 1), 100_000)
  const perSecond = Math.min(Math.max(Number(url.searchParams.get('perSecond') ?? 50), 1), 1000)
  const startedAtMs = Date.now()
  void (async () => {
    // One at a time, in order, each at its due time.
    for (let sent = 0; sent < count; sent++) {
      const dueAtMs = startedAtMs + (sent * 1000) / perSecond
      if (dueAtMs > Date.now()) await new Promise((resolve) => setTimeout(resolve, dueAtMs - Date.now()))
      await publish(channel, { text: `burst ${sent}`, from: 'demo', sentAtMs: Date.now() })
    }
  })().catch((error) => console.error(`publish burst: ${error.message}`))
  return { channel, count, perSecond }
}

const UNKNOWN_CONTROL =
  'unknown demo control; try GET /demo/api/stats, POST /demo/api/drop, /demo/api/stop?seconds=5 or /demo/api/publish?count=100&perSecond=50'
