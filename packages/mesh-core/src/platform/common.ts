import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'

export function newKey(): Promise<PrivateKey> {
  return generateKeyPair('Ed25519')
}

const ADJECTIVES = [
  'amber',
  'brisk',
  'calm',
  'deft',
  'eager',
  'fleet',
  'glad',
  'keen',
  'lucid',
  'nimble',
  'quiet',
  'swift'
]
const NOUNS = [
  'otter',
  'heron',
  'lynx',
  'finch',
  'ibex',
  'koi',
  'marten',
  'owl',
  'puffin',
  'stoat',
  'tern',
  'wren'
]

/** A short, friendly, random name such as `keen-heron`. */
export function randomName(): string {
  const pick = (xs: string[]): string => xs[Math.floor(Math.random() * xs.length)] ?? 'peer'
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}`
}
