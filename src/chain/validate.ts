/**
 * Validation of a run of consecutive headers with Bitcoin Core's header rules (CheckProofOfWork,
 * ContextualCheckBlockHeader, GetNextWorkRequired): proof of work, prev-hash links, bits constant
 * inside an epoch, retargets recomputed, time above the median of the previous 11, version floors.
 *
 * Context the run lacks (the previous header, the epoch's first header, the previous 11 times) comes
 * from a HeaderContext (normally the embedded mainnet data). A rule that cannot be decided for lack of
 * context is listed under `unchecked` with the heights and the reason; it is never counted as passed.
 */
import { InvalidArgumentError } from '../units/errors.js';
import { invalidField } from '../units/checks.js';
import { HEADER_BYTES, reverseHex } from './header.js';
import { HASH_BYTES, hashHeaders } from './hash-all.js';
import { medianTimePastAt, mtpSpan, mtpWindowCounts, timeAboveMedianTimePast } from './median-time-past.js';
import { EPOCH_INTERVAL, MAINNET, retargetBits, type ChainParams } from './params.js';
import { bitsToTarget, workOfBits } from './target.js';

/** What is known about headers outside the run being verified. Any answer may be undefined (unknown). */
export interface HeaderContext {
  hash(height: number): string | undefined;
  bits(height: number): number | undefined;
  time(height: number): number | undefined;
  /** Cumulative chainwork through height, if known. */
  chainwork?(height: number): bigint | undefined;
}

export type Rule = 'pow' | 'link' | 'bits' | 'retarget' | 'mtp' | 'version';

export const RULE_NAMES: Record<Rule | 'time-too-new', string> = {
  pow: 'proof of work',
  link: 'prev-hash link',
  bits: 'bits unchanged inside epoch',
  retarget: 'retarget',
  mtp: 'time above median of previous 11',
  version: 'version',
  'time-too-new': 'time not more than 2 hours ahead of the clock',
};

export interface UncheckedRule {
  rule: Rule | 'time-too-new';
  count: number;
  firstHeight: number;
  lastHeight: number;
  reason: string;
}

export interface VerificationFailure {
  height: number;
  rule: Rule;
  message: string;
  expected?: string;
  actual?: string;
}

export interface VerificationReport {
  valid: boolean;
  network: string;
  startHeight: number;
  endHeight: number;
  headers: number;
  firstHash: string;
  lastHash: string;
  /** Headers that passed every checked rule (all of them when valid; those before the failure otherwise). */
  verified: number;
  checked: Record<Rule, number>;
  unchecked: UncheckedRule[];
  /** Work of the verified headers; chainworkAtEnd when the context knows the chainwork before the run. */
  chainworkAdded: bigint;
  chainworkAtEnd?: bigint;
  failure?: VerificationFailure;
}

export interface VerifyOptions {
  params?: ChainParams;
  context?: HeaderContext;
  /** Precomputed block hashes (hashHeaders/hashHeadersParallel), 32 bytes per header. */
  hashes?: Uint8Array;
}

const NO_CONTEXT: HeaderContext = { hash: () => undefined, bits: () => undefined, time: () => undefined };

interface TargetInfo {
  /** Big-endian target, so the little-endian hash can be compared byte by byte without bigint. */
  be: Uint8Array;
  target: bigint;
  invalid?: string;
}

function targetInfo(bits: number, params: ChainParams): TargetInfo {
  const { target, negative, overflow } = bitsToTarget(bits);
  const be = new Uint8Array(Buffer.from(target.toString(16).padStart(64, '0'), 'hex'));
  let invalid: string | undefined;
  if (negative) invalid = `bits ${hex8(bits)} encode a negative target`;
  else if (overflow) invalid = `bits ${hex8(bits)} overflow 256 bits`;
  else if (target === 0n) invalid = `bits ${hex8(bits)} encode a zero target`;
  else if (target > params.powLimit) invalid = `target ${hex64(target)} > pow limit ${hex64(params.powLimit)}`;
  return { be, target, invalid };
}

/** hashes[off..off+32] (internal little-endian bytes) <= target (big-endian bytes), without bigint. */
export function hashAtMostTarget(hashes: Uint8Array, off: number, be: Uint8Array): boolean {
  for (let j = 0; j < 32; j++) {
    const h = hashes[off + 31 - j];
    const t = be[j];
    if (h !== t) return h < t;
  }
  return true;
}

export const hex8 = (n: number): string => n.toString(16).padStart(8, '0');
export const hex64 = (n: bigint): string => n.toString(16).padStart(64, '0');

/** Core's CalculateNextWorkRequired: the bits of the first block of a new epoch. */
export function nextEpochBits(prevBits: number, firstTime: number, lastTime: number, params: ChainParams = MAINNET): number {
  if (!params.retargeting) return prevBits;
  return retargetBits(prevBits, lastTime - firstTime, params.powLimit);
}

class Unchecked {
  private readonly byRule = new Map<string, UncheckedRule>();
  add(rule: UncheckedRule['rule'], height: number, reason: string): void {
    const u = this.byRule.get(rule);
    if (!u) this.byRule.set(rule, { rule, count: 1, firstHeight: height, lastHeight: height, reason });
    else {
      u.count++;
      u.lastHeight = height;
    }
  }
  list(): UncheckedRule[] {
    return [...this.byRule.values()];
  }
}

/**
 * Verifies `headers` (consecutive 80-byte headers, the first at `startHeight`). Pure apart from the
 * context lookups; stops at the first failing header, as a node would.
 */
export function verifyHeaders(headers: Uint8Array, startHeight: number, opts: VerifyOptions = {}): VerificationReport {
  const params = opts.params ?? MAINNET;
  const ctx = opts.context ?? NO_CONTEXT;
  if (!Number.isSafeInteger(startHeight) || startHeight < 0) throw invalidField('startHeight', 'a non-negative integer', startHeight);
  if (headers.length === 0) throw new InvalidArgumentError('headers', 'no headers');
  if (headers.length % HEADER_BYTES !== 0)
    throw new InvalidArgumentError('headers', `${headers.length} bytes is not a whole number of ${HEADER_BYTES}-byte headers (${headers.length % HEADER_BYTES} bytes left over)`);
  const n = headers.length / HEADER_BYTES;
  const hashes = opts.hashes ?? hashHeaders(headers);
  if (hashes.length < n * HASH_BYTES) throw new InvalidArgumentError('hashes', `expected ${n * HASH_BYTES} bytes, got ${hashes.length}`);
  const buf = Buffer.from(headers.buffer, headers.byteOffset, headers.byteLength);

  const checked: Record<Rule, number> = { pow: 0, link: 0, bits: 0, retarget: 0, mtp: 0, version: 0 };
  const unchecked = new Unchecked();
  const targets = new Map<number, TargetInfo>();
  let chainworkAdded = 0n;
  let runBits = 0;
  let runCount = 0;
  const hashAt = (i: number): string => reverseHex(hashes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES));
  // Times and bits read once into typed arrays: the MTP window reads each time 11 times.
  const times = new Uint32Array(n);
  const bitsAll = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    times[i] = buf.readUInt32LE(i * HEADER_BYTES + 68);
    bitsAll[i] = buf.readUInt32LE(i * HEADER_BYTES + 72);
  }
  const timeOf = (h: number): number | undefined => (h >= startHeight && h < startHeight + n ? times[h - startHeight] : ctx.time(h));
  const mtpTimes = { timeOf, run: times, runFirst: startHeight };
  const bitsOf = (h: number): number | undefined => (h >= startHeight && h < startHeight + n ? bitsAll[h - startHeight] : ctx.bits(h));

  let failure: VerificationFailure | undefined;
  const fail = (height: number, rule: Rule, detail: string, expected?: string, actual?: string): void => {
    failure = { height, rule, message: `height ${height}: ${RULE_NAMES[rule]}: ${detail}`, expected, actual };
  };

  let verified = 0;
  for (let i = 0; i < n && !failure; i++) {
    const h = startHeight + i;
    const off = i * HEADER_BYTES;
    const version = buf.readInt32LE(off);
    const time = times[i];
    const bits = bitsAll[i];

    // Proof of work: target well formed and <= powLimit, hash <= target.
    let t = targets.get(bits);
    if (!t) targets.set(bits, (t = targetInfo(bits, params)));
    if (t.invalid) {
      fail(h, 'pow', t.invalid, hex64(params.powLimit), hex64(t.target));
      break;
    }
    if (!hashAtMostTarget(hashes, i * HASH_BYTES, t.be)) {
      fail(h, 'pow', `hash ${hashAt(i)} > target ${hex64(t.target)}`, hex64(t.target), hashAt(i));
      break;
    }
    checked.pow++;

    // Link to the previous header (genesis: the known genesis hash).
    if (h === 0) {
      const got = hashAt(0);
      if (got !== params.genesisHash) {
        fail(h, 'link', `genesis hash ${got} != ${params.genesisHash}`, params.genesisHash, got);
        break;
      }
      checked.link++;
    } else if (i > 0) {
      const pOff = (i - 1) * HASH_BYTES;
      let same = true;
      for (let j = 0; j < 32; j++)
        if (buf[off + 4 + j] !== hashes[pOff + j]) {
          same = false;
          break;
        }
      if (!same) {
        const got = reverseHex(buf.subarray(off + 4, off + 36));
        fail(h, 'link', `prev hash ${got} != hash of height ${h - 1} ${hashAt(i - 1)}`, hashAt(i - 1), got);
        break;
      }
      checked.link++;
    } else {
      const want = ctx.hash(h - 1);
      const got = reverseHex(buf.subarray(off + 4, off + 36));
      if (want === undefined) unchecked.add('link', h, `hash of height ${h - 1} unknown (not in the file or the embedded data)`);
      else if (want !== got) {
        fail(h, 'link', `prev hash ${got} != hash of height ${h - 1} ${want}`, want, got);
        break;
      } else checked.link++;
    }

    // Bits: unchanged inside an epoch; recomputed at a retarget.
    if (h > 0) {
      const prevBits = i > 0 ? bitsAll[i - 1] : bitsOf(h - 1);
      if (h % EPOCH_INTERVAL !== 0) {
        if (prevBits === undefined) unchecked.add('bits', h, `bits of height ${h - 1} unknown`);
        else if (bits !== prevBits) {
          fail(h, 'bits', `bits ${hex8(bits)} != ${hex8(prevBits)} of height ${h - 1} inside epoch ${Math.floor(h / EPOCH_INTERVAL)}`, hex8(prevBits), hex8(bits));
          break;
        } else checked.bits++;
      } else {
        const first = timeOf(h - EPOCH_INTERVAL);
        const last = timeOf(h - 1);
        if (prevBits === undefined || (params.retargeting && (first === undefined || last === undefined))) {
          const missing = prevBits === undefined ? `bits of height ${h - 1}` : `time of height ${first === undefined ? h - EPOCH_INTERVAL : h - 1}`;
          unchecked.add('retarget', h, `${missing} unknown`);
        } else {
          const want = nextEpochBits(prevBits, first ?? 0, last ?? 0, params);
          if (bits !== want) {
            const span = params.retargeting ? ` (timespan ${(last ?? 0) - (first ?? 0)} s, previous bits ${hex8(prevBits)})` : '';
            fail(h, 'retarget', `bits ${hex8(bits)} != recomputed ${hex8(want)}${span}`, hex8(want), hex8(bits));
            break;
          }
          checked.retarget++;
        }
      }
    }

    // Median time past of the previous min(11, h) blocks (median-time-past.ts).
    if (h > 0) {
      const verdict = timeAboveMedianTimePast(time, h, mtpTimes);
      if (verdict === true) checked.mtp++;
      else if (verdict === false) {
        const { span, below, unknown, need } = mtpWindowCounts(time, h, timeOf);
        const detail =
          unknown === 0
            ? `time ${time} <= median ${medianTimePastAt(h - 1, timeOf)} of the previous ${span}`
            : `time ${time}: at most ${below + unknown} of the previous ${span} times are below it, ${need} needed`;
        fail(h, 'mtp', detail, undefined, String(time));
        break;
      } else unchecked.add('mtp', h, `times of some of the previous ${mtpSpan(h - 1)} headers unknown (not in the file or the embedded data)`);
    }

    // Version floors (BIP34/66/65), as ContextualCheckBlockHeader.
    const minVersion = h >= params.bip65Height ? 4 : h >= params.bip66Height ? 3 : h >= params.bip34Height ? 2 : 1;
    if (version < minVersion) {
      fail(h, 'version', `version ${version} < ${minVersion}`, String(minVersion), String(version));
      break;
    }
    checked.version++;

    if (bits !== runBits) {
      if (runCount > 0) chainworkAdded += BigInt(runCount) * workOfBits(runBits);
      runBits = bits;
      runCount = 0;
    }
    runCount++;
    verified++;
  }
  if (runCount > 0) chainworkAdded += BigInt(runCount) * workOfBits(runBits);
  const uncheckedList = unchecked.list();
  if (verified > 0)
    uncheckedList.push({
      rule: 'time-too-new',
      count: verified,
      firstHeight: startHeight,
      lastHeight: startHeight + verified - 1,
      reason: 'needs the wall clock at the time the header was received; the verifier is deterministic',
    });
  const before = startHeight === 0 ? 0n : ctx.chainwork?.(startHeight - 1);
  return {
    valid: failure === undefined,
    network: params.name,
    startHeight,
    endHeight: startHeight + n - 1,
    headers: n,
    firstHash: hashAt(0),
    lastHash: hashAt(n - 1),
    verified,
    checked,
    unchecked: uncheckedList,
    chainworkAdded,
    chainworkAtEnd: before === undefined ? undefined : before + chainworkAdded,
    failure,
  };
}
