/**
 * The capture dialog's problem box renders the engine's own capture errors (electron/engine/capture): the problem
 * apart from the fix, the fix's commands as code, for each platform's permission fix, a missing module and a bad filter.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { CaptureFilterError, CaptureUnavailableError } from '../../../../electron/engine/capture/capture-errors';
import { permissionError, permissionFix } from '../../../../electron/engine/capture/capture-permission';
import { CaptureProblem, splitCaptureError } from '../../../../renderer/src/features/capture/capture-problem';

const render = (message: string): string => renderToStaticMarkup(createElement(CaptureProblem, { message }));
const codes = (html: string): string[] => [...html.matchAll(/<code class="cap-code">([^<]*)<\/code>/g)].map((m) => m[1].replace(/&#x27;/g, "'").replace(/&quot;/g, '"'));

describe('capture problem message', () => {
  it.each(['linux', 'darwin', 'win32', 'freebsd'])('shows a permission failure on %s with that platform\'s fix', (platform) => {
    const message = permissionError('lo', new Error('socket: Operation not permitted'), platform).message;
    const split = splitCaptureError(message);
    expect(split.kind).toBe('permission');
    expect(split.problem).toBe('Not permitted to capture on "lo" (socket: Operation not permitted)');
    expect(split.fix).toBe(permissionFix(platform));

    const html = render(message);
    expect(html).toContain('data-kind="permission"');
    expect(html).toContain('Not permitted to capture</div>');
    expect(html).toContain('How to fix it');
    // The fix is not repeated inside the problem text.
    expect(html.split('How to fix it')[0]).not.toContain('Fix:');
    const commands = codes(html);
    if (platform === 'linux') expect(commands).toEqual(['sudo setcap cap_net_raw,cap_net_admin=eip $(readlink -f $(which node))']);
    if (platform === 'darwin') expect(commands).toEqual(['sudo chmod o+r /dev/bpf*']);
    if (platform === 'win32') { expect(commands).toEqual([]); expect(html).toContain('Npcap'); }
  });

  it('shows a missing capture module and an invalid filter as such', () => {
    const unavailable = new CaptureUnavailableError('Live capture is unavailable: the optional native module "cap" is not installed (x)', 'install libpcap-dev, then `npm rebuild cap`').message;
    expect(splitCaptureError(unavailable).kind).toBe('unavailable');
    expect(codes(render(unavailable))).toEqual(['npm rebuild cap']);
    expect(render(unavailable)).toContain('Live capture is not available');

    const filter = new CaptureFilterError('tcp prot 80', 'syntax error').message;
    expect(splitCaptureError(filter)).toMatchObject({ kind: 'filter', problem: 'Invalid capture filter "tcp prot 80": syntax error' });
    expect(render(filter)).toContain('The capture filter is not valid');
  });

  it('shows any other error whole, with no fix section', () => {
    const html = render('Error: cannot open device eth9');
    expect(splitCaptureError('Error: cannot open device eth9')).toEqual({ kind: 'other', problem: 'cannot open device eth9' });
    expect(html).not.toContain('How to fix it');
    expect(html).toContain('Capture could not start');
  });
});
