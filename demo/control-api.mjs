// Fault drills for the demo page: drop every socket, stop the server for a while, read its counters.
// Mounted on the page's Vite server so it answers while the reference server is down.
// With `cloudflare` (the Durable Object engine, demo/cloudflare.mjs) the sockets live in the Worker: drop and the
// socket count go there, the token count still comes from the reference server, and stop answers 501.

/**
 * @param {import('../dist/server/index.js').ReferenceServer} server
 * @param {{ dropConnections(): Promise<number>, openSockets(): Promise<number> }} [cloudflare]
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
      const { tokensIssued } = server.stats()
      return reply(200, { openSockets: await engine.openSockets(), tokensIssued, serverUp: true })
    }
    if (request.method === 'POST' && url.pathname === '/drop') {
      return reply(200, { dropped: await engine.dropConnections() })
    }
    if (request.method === 'POST' && url.pathname === '/stop') {
      return reply(501, { error: 'stopping the server is not available on the Cloudflare engine' })
    }
    reply(404, { error: UNKNOWN_CONTROL })
  }
}

const UNKNOWN_CONTROL = 'unknown demo control; try GET /demo/api/stats, POST /demo/api/drop or /demo/api/stop?seconds=5'
