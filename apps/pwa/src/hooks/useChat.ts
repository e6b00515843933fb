import { useSyncExternalStore } from 'react'
import type { ChatEntry, ChatLog } from '../chat/chat-log'

const none: readonly ChatEntry[] = []
const noop = (): (() => void) => () => {}

/** The entries of the chat log, re-rendering on every append. */
export function useChat(chat: ChatLog | undefined): readonly ChatEntry[] {
  return useSyncExternalStore(chat?.subscribe ?? noop, chat?.entries ?? (() => none))
}
