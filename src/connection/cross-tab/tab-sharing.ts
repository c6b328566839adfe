import type { TokenSource } from '../../token/token-source.js'
import type { ResolvedSettings } from '../connection-settings.js'
import type { DurableConnection } from '../durable-connection.js'
import type { SocketConnection } from '../socket-connection.js'
import { CrossTabConnection } from './cross-tab-connection.js'
import { canShareAcrossTabs } from './support.js'

/** A stream about to be opened, as a `TabSharing` receives it. */
export interface TabSharedStream<TEvent> {
  /** The same in every tab that asks for the same token at the same endpoint. */
  streamId: string
  settings: ResolvedSettings
  tokens: TokenSource
  maxEvents: number
  /** A connection that owns its socket in this tab. */
  createOwn(): SocketConnection<TEvent>
}

/**
 * How a provider's streams are shared among the tabs of a browser: pass `acrossTabs` (from
 * `react-durable-iterator/tabs`) as `shareAcrossTabs`. Its own entry, so that apps that do not share pay nothing
 * for it.
 */
export interface TabSharing {
  /** Makes a stream's connection: shared where the browser can (BroadcastChannel, Web Locks), else its own. */
  connect<TEvent>(stream: TabSharedStream<TEvent>): DurableConnection<TEvent>
}

/** One socket per stream per browser: the tab holding the stream's Web Lock leads, the others follow. */
export const acrossTabs: TabSharing = {
  connect: (stream) => (canShareAcrossTabs() ? new CrossTabConnection(stream) : stream.createOwn()),
}
