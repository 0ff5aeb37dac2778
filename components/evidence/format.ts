/** Groups of four hex digits, so a person can compare a fingerprint read aloud or side by side. */
export function formatFingerprint(hex: string): string {
  return hex.match(/.{1,4}/g)?.join(" ") ?? hex;
}
