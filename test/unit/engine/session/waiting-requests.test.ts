import { describe, expect, it } from 'vitest';
import { WaitingRequests } from '../../../../electron/engine/session/waiting-requests';

describe('WaitingRequests', () => {
  it('is a Map of lanes: size counts lanes only, and the oldest lane is the one given up', () => {
    const w = new WaitingRequests();
    expect(w.size).toBe(0);
    w.deleteOldest(); // nothing to give up
    expect(w.size).toBe(0);
    w.set('a', 1);
    w.set('b', [2, 3]);
    w.set('c', 4);
    expect(w.size).toBe(3);
    expect(w.get('b')).toEqual([2, 3]);
    w.deleteOldest();
    expect(w.get('a')).toBeUndefined();
    w.delete('c');
    w.set('a', 5); // back in, now the newest
    w.deleteOldest();
    expect(w.get('b')).toBeUndefined();
    expect(w.get('a')).toBe(5);
    expect(w.size).toBe(1);
    w.delete('a');
    expect(w.size).toBe(0);
    expect(w.get('x')).toBeUndefined();
  });
});
