// Docker HEALTHCHECK: healthy while the client API answers on the container's port (MYELIN_PORT, else 8008).
const port = process.env.MYELIN_PORT ?? "8008";
try {
  const response = await fetch(`http://127.0.0.1:${port}/_matrix/client/versions`, { signal: AbortSignal.timeout(4000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
