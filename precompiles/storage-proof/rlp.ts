/**
 * Strict RLP reader (internal). Works on views into the input — nothing is copied — and accepts
 * only the canonical encoding: a single byte below 0x80 is its own encoding, the short form is
 * used whenever the length is ≤ 55, long-form lengths have no leading zero bytes, and every item
 * spans exactly its container (no trailing bytes, nothing running past the end).
 */

/** Raised by the reader; callers wrap it in a typed public error that names the node or header. */
export class RlpDecodeError extends Error {
  override name = 'RlpDecodeError'
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(`${reason} (at byte ${offset})`)
  }
}

/** One item: `[start, end)` is the whole encoding, `[payloadStart, end)` its payload. */
export type RlpItem = { list: boolean; start: number; payloadStart: number; end: number }

/** Reads the item starting at `pos`, which must end at or before `limit`. */
export function readItem(buf: Uint8Array, pos: number, limit: number): RlpItem {
  if (pos >= limit) throw new RlpDecodeError('unexpected end of input', pos)
  const b = buf[pos]!
  if (b < 0x80) return { list: false, start: pos, payloadStart: pos, end: pos + 1 }
  const list = b >= 0xc0
  const base = list ? 0xc0 : 0x80
  let length: number
  let payloadStart: number
  if (b - base <= 55) {
    length = b - base
    payloadStart = pos + 1
    if (!list && length === 1 && payloadStart < limit && buf[payloadStart]! < 0x80)
      throw new RlpDecodeError('non-canonical: a single byte below 0x80 must be encoded as itself', pos)
  } else {
    const lengthOfLength = b - base - 55
    payloadStart = pos + 1 + lengthOfLength
    if (payloadStart > limit) throw new RlpDecodeError('length prefix runs past the end of the input', pos)
    if (buf[pos + 1] === 0)
      throw new RlpDecodeError('non-canonical: leading zero byte in a length prefix', pos)
    if (lengthOfLength > 4)
      throw new RlpDecodeError(`length prefix of ${lengthOfLength} bytes is too large`, pos)
    length = 0
    for (let i = pos + 1; i < payloadStart; i++) length = length * 256 + buf[i]!
    if (length <= 55)
      throw new RlpDecodeError(`non-canonical: long form used for a length of ${length} (≤ 55)`, pos)
  }
  const end = payloadStart + length
  if (end > limit)
    throw new RlpDecodeError(
      `${list ? 'list' : 'string'} declares ${length} payload bytes but only ${Math.max(0, limit - payloadStart)} remain`,
      pos,
    )
  return { list, start: pos, payloadStart, end }
}

/** Reads the single item that must span all of `buf`. */
export function readWhole(buf: Uint8Array): RlpItem {
  const item = readItem(buf, 0, buf.length)
  if (item.end !== buf.length)
    throw new RlpDecodeError(`${buf.length - item.end} trailing byte(s) after the item`, item.end)
  return item
}

/** The items of a list item, which must exactly fill its payload. */
export function readListItems(buf: Uint8Array, list: RlpItem): RlpItem[] {
  if (!list.list) throw new RlpDecodeError('expected a list, found a string', list.start)
  const items: RlpItem[] = []
  let pos = list.payloadStart
  while (pos < list.end) {
    const item = readItem(buf, pos, list.end)
    items.push(item)
    pos = item.end
  }
  return items
}

/** A fully decoded RLP value: a byte string (a view into the input) or a list. */
export type RlpValue = Uint8Array | RlpValue[]

function toValue(buf: Uint8Array, item: RlpItem): RlpValue {
  if (!item.list) return buf.subarray(item.payloadStart, item.end)
  return readListItems(buf, item).map((child) => toValue(buf, child))
}

/** Strictly decodes `buf`, which must hold exactly one RLP item. */
export function decodeRlp(buf: Uint8Array): RlpValue {
  return toValue(buf, readWhole(buf))
}
