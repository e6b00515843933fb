/** Which way a chat message went, seen from this peer. */
export type Direction = 'in' | 'out'

interface EntryBase {
  id: number
  /** The other peer of the conversation. */
  peer: string
  /** Its name when the entry was made; the peer may have left since. */
  peerName: string
  text: string
  /** Milliseconds since the epoch, by this peer's clock. */
  at: number
}

export interface ChatMessage extends EntryBase {
  kind: 'message'
  direction: Direction
  /** The sender: the other peer for `in`, this peer for `out`. */
  from: string
}

/** A message that could not be sent; `text` says why. */
export interface ChatFailure extends EntryBase {
  kind: 'error'
}

export type ChatEntry = ChatMessage | ChatFailure

/** `Omit` applied to each member of a union, so each variant keeps its own fields. */
type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** An entry before the log numbers it. */
export type NewChatEntry = OmitEach<ChatEntry, 'id'>

/** Members are plain functions, not methods, so they can be passed around unbound. */
export interface ChatLog {
  /** The entries, oldest first. A new array after every change (for useSyncExternalStore). */
  entries: () => readonly ChatEntry[]
  append: (entry: NewChatEntry) => void
  subscribe: (listener: () => void) => () => void
}

/** How many entries the log keeps; older ones are dropped so a chatty peer cannot grow it without end. */
export const defaultChatLogLimit = 500

export function createChatLog(limit = defaultChatLogLimit): ChatLog {
  let entries: readonly ChatEntry[] = []
  let nextId = 1
  const listeners = new Set<() => void>()
  return {
    entries: () => entries,
    append(entry) {
      entries = [...entries, { ...entry, id: nextId++ }].slice(-limit)
      for (const listener of listeners) listener()
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    }
  }
}
