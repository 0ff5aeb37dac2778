/** `GET /api/evidence/public-key`: the key evidence packs are signed with (readable signed out). */
export type EvidencePublicKeyDto = {
  algorithm: "ed25519";
  /** SPKI PEM. */
  publicKeyPem: string;
  /** SHA-256 (hex) of the raw 32-byte public key. */
  fingerprint: string;
  createdAt: string;
};
