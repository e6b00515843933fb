import { createMesh } from 'mesh-core'
import type { Mesh } from 'mesh-core'
import { createChatLog } from './chat/chat-log'
import type { ChatLog } from './chat/chat-log'
import { defineChat } from './chat/chat-post'
import type { StartOptions } from './config/start-options'
import { defineMusic } from './music/music'
import { defineDemoTasks } from './tasks/demo-tasks'

/** A running console: the mesh peer and the chat it takes part in. */
export interface Started {
  mesh: Mesh
  chat: ChatLog
}

/**
 * Starts this tab's peer, with the demo tasks (`demo.echo`, `demo.slow`) when asked. No bootstrap is given: in a browser, mesh-core fetches
 * `${location.origin}/bootstrap.json` from the relay that served the page.
 */
export async function startMesh(options: StartOptions, o: { demoTasks?: boolean } = {}): Promise<Started> {
  const mesh = await createMesh({
    ...(options.name !== undefined && { name: options.name }),
    ...(options.capabilities !== undefined && { capabilities: options.capabilities }),
    ...(options.evacuate !== undefined && { evacuate: options.evacuate })
  })
  const chat = createChatLog()
  defineChat(mesh, chat)
  defineMusic(mesh)
  if (o.demoTasks === true) defineDemoTasks(mesh)
  return { mesh, chat }
}
