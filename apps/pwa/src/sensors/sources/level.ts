import { silenceDbfs } from '../constants'

/**
 * The loudness of a block of samples (-1..1) as 0..1: the RMS in dBFS, with
 * `silenceDbfs` and below as 0 and full scale as 1. "dBFS-ish": no weighting.
 */
export function levelOf(block: ArrayLike<number>): number {
  if (block.length === 0) return 0
  let sum = 0
  for (let i = 0; i < block.length; i += 1) {
    const v = block[i] ?? 0
    sum += v * v
  }
  const rms = Math.sqrt(sum / block.length)
  if (rms <= 0) return 0
  const dbfs = 20 * Math.log10(rms)
  return Math.min(1, Math.max(0, 1 - dbfs / silenceDbfs))
}
