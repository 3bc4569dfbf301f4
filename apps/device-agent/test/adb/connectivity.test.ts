import { describe, expect, test } from 'vitest';
import { parseNetworkUp } from '../../src/drivers/adb/connectivity.js';
import { fixture } from '../support/fixtures.js';

describe('parseNetworkUp', () => {
  test('up while there is an active default network', () => {
    expect(parseNetworkUp(fixture('dumpsys-connectivity.txt'))).toBe(true);
  });

  test('down when the active default network is none', () => {
    const offline = fixture('dumpsys-connectivity.txt').replace(
      'Active default network: 100',
      'Active default network: none',
    );
    expect(parseNetworkUp(offline)).toBe(false);
  });

  test('falls back to the state of the listed networks on older dumps', () => {
    expect(
      parseNetworkUp('  NetworkAgentInfo [WIFI () - 100] ni{[type: WIFI[], state: CONNECTED/CONNECTED]}\n'),
    ).toBe(true);
    expect(
      parseNetworkUp(
        '  NetworkAgentInfo [WIFI () - 100] ni{[type: WIFI[], state: DISCONNECTED/DISCONNECTED]}\n',
      ),
    ).toBe(false);
    expect(parseNetworkUp('Permission Denial\n')).toBeUndefined();
  });
});
