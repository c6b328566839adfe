import type { ReactRenderer } from '@storybook/react-vite'
import type { ArgsStoryFn, BeforeEach, LoaderFunction } from 'storybook/internal/types'
import type { ReconnectOptions } from '../src'
import { ChatScenario } from './app/ChatScenario'
import { storyHandlers } from './mocks/msw-handlers'
import { StoryServer, type StoryServerOptions } from './mocks/story-server'

/** A story's set-up: how the server behaves, and how the app uses the stream. */
export interface ScenarioArgs {
  mock?: StoryServerOptions
  consumers?: number
  enabled?: boolean
  reconnect?: ReconnectOptions
  refreshBeforeExpirySeconds?: number
}

/** The story's server, made by the loader below (one per story run). */
function storyServerOf({ loaded }: { loaded: Record<string, unknown> }): StoryServer {
  const server = loaded.storyServer
  if (!(server instanceof StoryServer)) throw new Error('No story server: spread `scenario` into the meta.')
  return server
}

const createStoryServer: LoaderFunction<ReactRenderer, ScenarioArgs> = ({ args }) => ({
  storyServer: new StoryServer(args.mock),
})

const routeToStoryServer: BeforeEach<ReactRenderer, ScenarioArgs> = (context) => {
  const server = storyServerOf(context)
  context.msw.use(...storyHandlers(server))
  return () => server.stop()
}

const renderChat: ArgsStoryFn<ReactRenderer, ScenarioArgs> = ({ mock: _mock, ...args }, context) => (
  <ChatScenario {...args} server={storyServerOf(context)} />
)

/**
 * Meta annotations for stories of the chat app against a fresh story server (the package's testing mock, plus the
 * app's token procedure): the loader creates it from the story's `mock` arg, `beforeEach` puts its msw handlers in
 * front of the network (msw-storybook-addon resets them after the story), and the render shows the app beside the
 * server's counters.
 */
export const scenario = {
  argTypes: { mock: { control: false } as const },
  loaders: createStoryServer,
  beforeEach: routeToStoryServer,
  render: renderChat,
}
