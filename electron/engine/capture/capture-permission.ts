/**
 * Recognising "not allowed to capture" and naming the fix for the platform. `cap` throws plain Errors whose text is
 * libpcap's error buffer, so detection is by text (plus `code`, should a caller hand us a Node system error). The
 * platform is a parameter so the message selection is testable without a real failure.
 *
 * Texts seen in the wild, by platform:
 *   Linux, libpcap >= 1.10: "Attempt to create packet socket failed - CAP_NET_RAW may be required"
 *   Linux, older:           "socket: Operation not permitted", "You don't have permission to capture on that device"
 *   macOS/BSD:              "(cannot open BPF device) /dev/bpf0: Permission denied",
 *                           "Attempt to open /dev/bpf0 failed - root privileges may be required"
 *   Windows, Npcap in admin-only mode: "Error opening adapter: Access is denied.  (5)"
 */
import { CapturePermissionError } from './capture-errors';

const PERMISSION_TEXT = /permission|not permitted|access is denied|CAP_NET_RAW|root privileges|\bEPERM\b|\bEACCES\b/i;

export function isPermissionFailure(error: unknown): boolean {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (code === 'EPERM' || code === 'EACCES') return true;
  }
  const text = error instanceof Error ? error.message : String(error);
  return PERMISSION_TEXT.test(text);
}

/** What to do so that this user may capture, on `platform` (a `process.platform` value). */
export function permissionFix(platform: string): string {
  switch (platform) {
    case 'linux':
      return 'grant Node the capture capabilities once with `sudo setcap cap_net_raw,cap_net_admin=eip $(readlink -f $(which node))` '
        + "(for the desktop app, the same on the app's executable), or run Framescope as root";
    case 'darwin':
      return "give your user read access to the BPF devices: install ChmodBPF (Wireshark's macOS installer includes it), "
        + 'or for this boot only run `sudo chmod o+r /dev/bpf*`';
    case 'win32':
      return "install Npcap (Wireshark's installer includes it) without \"Restrict Npcap driver's access to Administrators only\", "
        + 'or run Framescope as Administrator';
    default:
      return 'run Framescope as root, or give your user read access to the capture devices (/dev/bpf*)';
  }
}

export function permissionError(device: string, error: unknown, platform: string): CapturePermissionError {
  const reason = error instanceof Error ? error.message : String(error);
  return new CapturePermissionError(`Not permitted to capture on "${device}" (${reason})`, permissionFix(platform), { cause: error });
}
