import { readFileSync } from "node:fs";
import { formatEvidenceReport, verifyEvidencePack } from "@/lib/server/services/compliance";

/**
 * `npm run evidence:verify <pack.zip> [-- --public-key key.pem | --fingerprint <hex>]`: checks an
 * evidence pack offline (no database, no network; docs/evidence.md). Exit 0 when it verifies, 1
 * when it does not (each problem named by file), 2 when it cannot be run (bad arguments, no file).
 */

const USAGE =
  "Usage: npm run evidence:verify <pack.zip> [-- --public-key <key.pem> | --fingerprint <sha256 hex>]";

function parse(argv: string[]): { file: string; publicKey?: string; fingerprint?: string } {
  let file: string | undefined;
  let publicKey: string | undefined;
  let fingerprint: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--public-key" || arg === "--fingerprint") {
      const value = argv[++i];
      if (!value) throw new Error(`${arg} needs a value. ${USAGE}`);
      if (arg === "--public-key") publicKey = value;
      else if (/^[0-9a-fA-F]{64}$/.test(value)) fingerprint = value;
      else throw new Error("--fingerprint is the key's SHA-256: 64 hexadecimal digits.");
    } else if (arg.startsWith("--")) {
      throw new Error(`Unknown option ${arg}. ${USAGE}`);
    } else if (file) {
      throw new Error(`One pack at a time. ${USAGE}`);
    } else {
      file = arg;
    }
  }
  if (!file) throw new Error(USAGE);
  return { file, publicKey, fingerprint };
}

function main() {
  const args = parse(process.argv.slice(2));
  const archive = readFileSync(args.file);
  const result = verifyEvidencePack(new Uint8Array(archive), {
    ...(args.publicKey ? { publicKeyPem: readFileSync(args.publicKey, "utf8") } : {}),
    ...(args.fingerprint ? { fingerprint: args.fingerprint } : {}),
  });
  const report = formatEvidenceReport(result);
  if (result.ok) console.log(report);
  else {
    console.error(report);
    process.exitCode = 1;
  }
}

try {
  main();
} catch (error: unknown) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
}
