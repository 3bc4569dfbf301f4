/**
 * Whether the phone has a network, from `dumpsys connectivity`: `Active default network: 100`
 * names the network apps use, `Active default network: none` means there is none. Older
 * dumps without that line list `NetworkAgentInfo` entries with their state instead.
 * Undefined when the output says neither.
 */
export function parseNetworkUp(dumpsysConnectivity: string): boolean | undefined {
  const active = /^\s*Active default network: (\S+)/m.exec(dumpsysConnectivity)?.[1];
  if (active !== undefined) return active !== 'none';
  if (!/NetworkAgentInfo/.test(dumpsysConnectivity)) return undefined;
  return /NetworkAgentInfo.*\bCONNECTED\b/.test(dumpsysConnectivity);
}
