// The floor under `framescope read` on the read bench's capture: the least a single pass can do and still count
// `flyer.jobBeanId == "<name>"`. It walks the pcapng blocks, takes Ethernet/IPv4/TCP apart, and compares the job name
// bytes of the one flyer PDU each data segment carries. It leaves out what a real reader needs: reassembly (order,
// retransmissions, gaps, PDUs across segments), detection, an index, pairing, other link types and protocols.
// Usage: node bench/reference/read-floor.mjs <file.pcapng> <job name>   → prints the count.
import { readFileSync } from 'node:fs';

const [file, jobName] = process.argv.slice(2);
const bytes = readFileSync(file);
const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const wanted = Buffer.from(jobName, 'utf8');
const ENHANCED_PACKET = 6;
const ETHERNET = 14;
const FLYER_HEADER = 20;
// The messages whose body starts with jobBeanId in their real layout (PROTOCOLS.md §1): 1006…1011 (ExecuteJob,
// ExecuteJobResponse, ReportJobResult, ReportJobResultResponse, CancelJob, CancelJobResponse).
const FIRST_WITH_JOB = 1006;
const LAST_WITH_JOB = 1011;

let count = 0;
for (let at = 0; at + 12 <= bytes.length;) {
  const type = view.getUint32(at, true);
  const blockLength = view.getUint32(at + 4, true);
  if (type === ENHANCED_PACKET) {
    const packet = at + 28;
    const end = packet + view.getUint32(at + 20, true);
    const ip = packet + ETHERNET;
    const tcp = ip + (bytes[ip] & 15) * 4;
    let pdu = tcp + (bytes[tcp + 12] >> 4) * 4;
    while (pdu + FLYER_HEADER <= end) {
      const id = view.getUint32(pdu + 6, true);
      if (id >= FIRST_WITH_JOB && id <= LAST_WITH_JOB) {
        const length = bytes[pdu + FLYER_HEADER] | (bytes[pdu + FLYER_HEADER + 1] << 8);
        const start = pdu + FLYER_HEADER + 2;
        if (length === wanted.length && bytes.compare(wanted, 0, wanted.length, start, start + length) === 0) count++;
      }
      pdu += FLYER_HEADER + view.getUint32(pdu + 2, true);
    }
  }
  at += blockLength;
}
console.log(count);
