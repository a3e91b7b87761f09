/** The middle value (the upper one of an even count); robust to one stalled round on a busy machine. */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
