import { parseVersionName } from './package-version.js';
import type { Phone } from './phone.js';

/** The Android and WhatsApp versions the fleet is told about; empty when unknown. */
export async function readVersions(
  phone: Phone,
  whatsappPackage: string,
): Promise<{ androidVersion: string; whatsappVersion: string }> {
  const [android, whatsapp] = await Promise.all([
    phone.shell(['getprop', 'ro.build.version.release']),
    phone.shell(['dumpsys', 'package', whatsappPackage]),
  ]);
  return { androidVersion: android.trim(), whatsappVersion: parseVersionName(whatsapp) ?? '' };
}
