import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface CertificateFiles {
  certificatePath: string;
  privateKeyPath: string;
}

/**
 * A self-signed certificate for 127.0.0.1 (peers accept it only with TLS verification off). Made with the
 * openssl command as homeserver/app/dev-certificate.ts does; the suite does not import the server's code.
 */
export async function selfSignedCertificate(dir: string): Promise<CertificateFiles> {
  const files = { certificatePath: join(dir, "tls.crt"), privateKeyPath: join(dir, "tls.key") };
  await run("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", files.privateKeyPath, "-out", files.certificatePath, "-days", "7",
    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
  ]);
  return files;
}
