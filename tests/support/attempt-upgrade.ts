import { request as httpRequest } from 'node:http'

/** What a refused upgrade looks like to a client that can read it: an HTTP answer, or a close after opening. */
export type Refusal = { status: number; body: string } | { code: number; reason: string }

/** Sends an upgrade request and reports the HTTP answer, or, if it upgraded, the close that followed. */
export function attemptUpgrade(url: string): Promise<Refusal> {
  return new Promise((resolve, reject) => {
    const target = new URL(url)
    const request = httpRequest({
      host: target.hostname,
      port: target.port,
      path: `${target.pathname}${target.search}`,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': Buffer.from('0123456789abcdef').toString('base64'),
      },
    })
    request.on('response', (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk) => {
        body += chunk
      })
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: body.trim() }))
    })
    request.on('upgrade', (_response, socket, head) => {
      // It upgraded: read the server's close frame (unmasked, short: 0x88, length, code, reason).
      let bytes = head
      const onData = (chunk: Buffer) => {
        bytes = Buffer.concat([bytes, chunk])
        if (bytes.length < 2 || bytes.length < 2 + (bytes[1] as number)) return
        socket.off('data', onData)
        socket.destroy()
        if (bytes[0] !== 0x88) reject(new Error(`expected a close frame, got opcode ${bytes[0]}`))
        else resolve({ code: bytes.readUInt16BE(2), reason: bytes.subarray(4, 2 + (bytes[1] as number)).toString() })
      }
      socket.on('data', onData)
      onData(Buffer.alloc(0))
    })
    request.on('error', reject)
    request.end()
  })
}
