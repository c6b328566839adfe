import { type ChildProcess, fork } from 'node:child_process'
import { resolve } from 'node:path'

type Reply = Record<string, unknown> & { type: string }

/** The child's next reply of `type` (or its error). */
function reply(child: ChildProcess, type: string): Promise<Reply> {
  return new Promise((resolveReply, reject) => {
    const onMessage = (message: Reply) => {
      if (message.type === 'error') reject(new Error(String(message.message)))
      else if (message.type === type) resolveReply(message)
      else return
      child.off('message', onMessage)
    }
    child.on('message', onMessage)
  })
}

function ask(child: ChildProcess, command: object, replyType: string): Promise<Reply> {
  const answer = reply(child, replyType)
  child.send(command)
  return answer
}

export interface Connected {
  openMs: number[]
  subscribedMs: number[]
  /** From the first connect to the last subscribed socket, over every process. */
  totalMs: number
}

export interface Collected {
  expected: number
  deliveries: number
  /** Publish-to-arrival time of every delivery, in every process. */
  latenciesMs: Float64Array
  /** Wall clock of the last arrival in any process. */
  lastMs: number
}

/**
 * WebSocket subscribers spread over `processes` child processes (bench/fanout-clients.mjs), driven together: what
 * scenario 7 needs to hold 10,000 sockets apart from the server under test.
 */
export class FanoutClientGroup {
  private constructor(private readonly children: ChildProcess[]) {}

  static start(processes: number): FanoutClientGroup {
    const script = resolve(process.cwd(), 'bench/fanout-clients.mjs')
    return new FanoutClientGroup(
      Array.from({ length: processes }, () =>
        fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' }),
      ),
    )
  }

  /** Opens `count` subscribed sockets, split evenly, at most `concurrency` upgrades in flight over all processes. */
  async connect(options: { urlTemplate: string; count: number; concurrency: number; subscribeFrame: unknown }) {
    const perProcess = Math.ceil(options.count / this.children.length)
    const concurrency = Math.max(1, Math.floor(options.concurrency / this.children.length))
    const replies = await Promise.all(
      this.children.map((child, index) =>
        ask(
          child,
          {
            type: 'connect',
            urlTemplate: options.urlTemplate,
            count: Math.max(0, Math.min(perProcess, options.count - index * perProcess)),
            concurrency,
            subscribeFrame: options.subscribeFrame,
          },
          'connected',
        ),
      ),
    )
    return {
      openMs: replies.flatMap((answer) => answer.openMs as number[]),
      subscribedMs: replies.flatMap((answer) => answer.subscribedMs as number[]),
      totalMs: Math.max(...replies.map((answer) => answer.totalMs as number)),
    } satisfies Connected
  }

  /** Starts counting `events` deliveries per socket; the promise resolves when all arrived or `timeoutMs` passed. */
  async collect(events: number, timeoutMs: number): Promise<() => Promise<Collected>> {
    const done = this.children.map((child) => reply(child, 'collected'))
    // Awaited below; a failure before then must not count as unhandled.
    for (const answer of done) answer.catch(() => {})
    await Promise.all(this.children.map((child) => ask(child, { type: 'collect', events, timeoutMs }, 'collecting')))
    return async () => {
      const replies = await Promise.all(done)
      const latencies = replies.map((answer) => answer.latenciesMs as Float64Array)
      const all = new Float64Array(latencies.reduce((length, part) => length + part.length, 0))
      let offset = 0
      for (const part of latencies) {
        all.set(part, offset)
        offset += part.length
      }
      return {
        expected: replies.reduce((sum, answer) => sum + (answer.expected as number), 0),
        deliveries: all.length,
        latenciesMs: all,
        lastMs: Math.max(...replies.map((answer) => (answer.lastMs as number | undefined) ?? Number.NEGATIVE_INFINITY)),
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      this.children.map((child) => {
        if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
        const exited = new Promise((done) => child.once('exit', done))
        child.send({ type: 'close' })
        return exited
      }),
    )
  }
}
