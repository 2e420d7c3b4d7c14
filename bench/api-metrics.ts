import { readFileSync } from 'node:fs';

/** The API's /metrics as name{labels} → value (the token is the process's METRICS_TOKEN). */
export async function metricsOf(port: number, token: string): Promise<Map<string, number>> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
  const text = await res.text();
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    m.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return m;
}

/** utime + stime (clock ticks) and minor faults of one process (Linux). */
export function procStat(pid: number): { ticks: number; minorFaults: number } {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { ticks: Number(f[11]) + Number(f[12]), minorFaults: Number(f[7]) };
}

/** A client-credentials token from the API at `port`. */
export async function clientToken(port: number, client: { clientId: string; secret: string }): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.secret }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}
