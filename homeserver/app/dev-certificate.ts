import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { isIP } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface DevCertificateOptions {
  /** Names the certificate is valid for: hostnames and IP addresses (without ports). */
  names: string[];
  certificatePath: string;
  privateKeyPath: string;
  days?: number;
}

/**
 * FOR DEVELOPMENT AND TESTS: a self-signed certificate for a federation listener (`listeners[].tls`). Peers only
 * accept it with `federation.verify_tls: false`; production needs a certificate from a CA. node:crypto cannot
 * create X.509 certificates, so this runs the `openssl` command (OpenSSL 1.1.1 or later, for -addext).
 */
export async function generateDevCertificate(options: DevCertificateOptions): Promise<void> {
  if (options.names.length === 0) throw new Error("a certificate needs at least one name");
  const altNames = options.names.map((name) => (isIP(name) ? `IP:${name}` : `DNS:${name}`)).join(",");
  await mkdir(dirname(options.certificatePath), { recursive: true });
  await mkdir(dirname(options.privateKeyPath), { recursive: true });
  await run("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", options.privateKeyPath, "-out", options.certificatePath,
    "-days", String(options.days ?? 365),
    "-subj", `/CN=${options.names[0]}`,
    "-addext", `subjectAltName=${altNames}`,
  ]);
}

// `npx tsx homeserver/app/dev-certificate.ts <dir> <name>...` writes <dir>/tls.crt and <dir>/tls.key.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [dir = "./data", ...names] = process.argv.slice(2);
  const certificatePath = join(dir, "tls.crt");
  const privateKeyPath = join(dir, "tls.key");
  generateDevCertificate({ names: names.length > 0 ? names : ["localhost", "127.0.0.1"], certificatePath, privateKeyPath }).then(
    () => console.log(`wrote ${certificatePath} and ${privateKeyPath} (self-signed, for development only)`),
    (error: Error) => {
      console.error(error.message);
      process.exit(1);
    },
  );
}
