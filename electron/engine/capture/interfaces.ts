/** The interfaces libpcap can capture on (pcap_findalldevs through cap), for the interface picker and the CLI. */
import { loadCap, type CapLoader } from './cap-binding';
import { CaptureError, errorText } from './capture-errors';
import { isPermissionFailure, permissionError } from './capture-permission';

export interface InterfaceAddress {
  /** IPv4 or IPv6 address as text. */
  address: string;
  netmask?: string;
  broadcast?: string;
  /** Peer address of a point-to-point link. */
  destination?: string;
}

export interface CaptureInterfaceInfo {
  /** What openCapture() takes ('any' on Linux captures every interface). */
  name: string;
  /** libpcap's description: usually absent on Linux/macOS, the adapter's name on Windows (where `name` is a GUID). */
  description?: string;
  addresses: InterfaceAddress[];
  loopback: boolean;
}

export function listInterfaces(load: CapLoader = loadCap, platform: string = process.platform): CaptureInterfaceInfo[] {
  const cap = load();
  let devices;
  try {
    devices = cap.Cap.deviceList();
  } catch (error) {
    if (isPermissionFailure(error)) throw permissionError('any interface', error, platform);
    throw new CaptureError('open', `Cannot list capture interfaces: ${errorText(error)}`, '', { cause: error });
  }
  return devices.map((d) => ({
    name: d.name,
    ...(d.description ? { description: d.description } : {}),
    addresses: d.addresses.flatMap((a) =>
      a.addr === undefined
        ? []
        : [{
          address: a.addr,
          ...(a.netmask !== undefined ? { netmask: a.netmask } : {}),
          ...(a.broadaddr !== undefined ? { broadcast: a.broadaddr } : {}),
          ...(a.dstaddr !== undefined ? { destination: a.dstaddr } : {}),
        }],
    ),
    loopback: d.flags === 'PCAP_IF_LOOPBACK',
  }));
}
