/**
 * Seeded randomness for the engines. The same seed parts always give the same sequence, so a
 * decision is reproducible from its inputs (channel, contact and message ids).
 */

/** cyrb128: a fast 128-bit string hash, used only to seed the generator (not for security). */
function hashSeed(seed: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < seed.length; i++) {
    const k = seed.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max]. */
  uniform(min: number, max: number): number;
  /** Integer uniform in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** Normal(mean, sd) by Box–Muller. */
  gaussian(mean: number, sd: number): number;
  /** Gaussian centred on the middle of [min, max] with sd = range/6, clamped into the range. */
  truncatedGaussian(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
}

/** sfc32 generator seeded from the joined parts. */
export function createRng(...seedParts: readonly (string | number | undefined)[]): Rng {
  // The parts joined by U+001F, without the intermediate array (two or three rngs per decision).
  let joined = '';
  for (let i = 0; i < seedParts.length; i++) {
    const part = seedParts[i];
    joined += `${i === 0 ? '' : '\u001f'}${part === undefined ? '' : String(part)}`;
  }
  let [a, b, c, d] = hashSeed(joined);
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // Warm the state up so that similar seeds diverge.
  for (let i = 0; i < 12; i++) next();

  const gaussian = (mean: number, sd: number): number => {
    const u1 = Math.max(next(), Number.EPSILON);
    const u2 = next();
    return mean + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  };

  return {
    next,
    uniform: (min, max) => min + (max - min) * next(),
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    gaussian,
    truncatedGaussian: (min, max) => {
      const unit = Math.min(1, Math.max(0, (gaussian(0, 1) + 3) / 6));
      return min + (max - min) * unit;
    },
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error('pick() needs at least one item');
      return items[Math.floor(next() * items.length)] as T;
    },
  };
}
