import { hash } from 'node:crypto';

/** SHA-256 of a UTF-8 string, hex-encoded (one-shot: no Hash object per call; Node 20.12+). */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}
