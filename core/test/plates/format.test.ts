import { describe, expect, it } from 'vitest';
import { formatPlate, isValidPlate, isValidRead, parseCanonical, plateCategory, plateChars, plateLines, repairPlateRead } from '../../src/plates/format';

describe('plate validation', () => {
  it.each([
    ['30A-123.45', true],
    ['30A-1234', true],
    ['51LD-123.45', true],
    ['29-B1 123.45', true],
    ['59-T1 2024', true],
    ['29-MĐ1 012.34', true],
    ['43-KT2 567.89', true],
    ['99Z-999.99', true],
    ['11A-000.01', true],
  ])('%s is a valid plate', (text, valid) => {
    expect(isValidPlate(text)).toBe(valid);
  });

  it.each([
    ['10A-123.45', 'province below 11'],
    ['05A-123.45', 'province below 11'],
    ['30I-123.45', 'I is never a series letter'],
    ['30O-123.45', 'O is never a series letter'],
    ['30A-12.345', 'dot in the wrong place'],
    ['30A-123456', 'six digits'],
    ['30A-123', 'three digits'],
    ['30A123.45', 'dash missing'],
    ['29-B0 123.45', 'series digit 0'],
    ['29-B1123.45', 'space missing'],
    ['29-XX1 123.45', 'unknown special series'],
    ['30A-000.00', 'all-zero number'],
    ['', 'empty'],
    ['30a-123.45', 'lower case'],
  ])('%s is rejected (%s)', (text) => {
    expect(isValidPlate(text)).toBe(false);
  });

  it('parses and formats round trip', () => {
    for (const text of ['30A-123.45', '30A-1234', '29-B1 123.45', '59-T1 2024', '51LD-123.45', '29-MĐ1 012.34']) {
      const parts = parseCanonical(text);
      expect(parts).not.toBeNull();
      expect(formatPlate(parts!)).toBe(text);
    }
  });

  it('splits two-line plates into their printed lines', () => {
    expect(plateLines('29-B1 123.45', 'two-line')).toEqual(['29-B1', '123.45']);
    expect(plateLines('51C-123.45', 'two-line')).toEqual(['51C', '123.45']);
    expect(plateLines('30A-123.45', 'one-line')).toEqual(['30A-123.45']);
    expect(plateChars('29-MĐ1 012.34')).toBe('29MĐ101234');
  });

  it('motorbike formats are never one-line', () => {
    expect(isValidRead('29-B1 123.45', 'one-line')).toBe(false);
    expect(isValidRead('29-B1 123.45', 'two-line')).toBe(true);
    expect(isValidRead('30A-123.45', 'two-line')).toBe(true);
  });

  it('maps colours to categories', () => {
    expect(plateCategory('white')).toBe('private');
    expect(plateCategory('yellow')).toBe('commercial');
    expect(plateCategory('blue')).toBe('state');
    expect(plateCategory('red')).toBe('military');
  });
});

describe('repair of OCR confusions', () => {
  it.each([
    [['30A12345'], 'one-line', '30A-123.45', 0],
    [['3OA12345'], 'one-line', '30A-123.45', 1], // O read for 0 in the province
    [['30A1Z345'], 'one-line', '30A-123.45', 1], // Z read for 2 in the number
    [['30A12B45'], 'one-line', '30A-128.45', 1], // B read for 8
    [['3OA-I23.4S'], 'one-line', '30A-123.45', 3], // punctuation ignored, O/I/S repaired
    [['308-1234'], 'one-line', '30B-1234', 1], // 8 read where the series letter must be: B
    [['300-1234'], 'one-line', '30D-1234', 1], // 0 where a letter must be: D
    [['29B1', '12345'], 'two-line', '29-B1 123.45', 0],
    [['29BI', '12345'], 'two-line', '29-B1 123.45', 1], // I where the series digit must be
    [['Z9B1', '123DS'], 'two-line', '29-B1 123.05', 3],
    [['59T1', '2024'], 'two-line', '59-T1 2024', 0],
    [['51C', '12345'], 'two-line', '51C-123.45', 0], // square car plate
    [['29MĐ1', '01234'], 'two-line', '29-MĐ1 012.34', 0],
    [['29MD1', '01234'], 'two-line', '29-MĐ1 012.34', 1], // D read for Đ in the special series
    [['51LD12345'], 'one-line', '51LD-123.45', 0],
  ] as const)('%j (%s) → %s with %i repairs', (lines, layout, text, repairs) => {
    const r = repairPlateRead([...lines], layout);
    expect(r?.text).toBe(text);
    expect(r?.repairs).toBe(repairs);
  });

  it.each([
    [['30A1234567'], 'one-line'], // too long
    [['30A12'], 'one-line'], // too short
    [['30AK2345'], 'one-line'], // K cannot stand for a digit
    [['09A12345'], 'one-line'], // province 09 does not exist
    [['29B1', '12345'], 'one-line'], // a motorbike plate is not one-line
    [['29B1', '123456'], 'two-line'],
    [['2XB1', '12345'], 'two-line'], // X is no digit look-alike
    [[''], 'one-line'],
    [['', ''], 'two-line'],
  ] as const)('%j (%s) is not repaired into a plate', (lines, layout) => {
    expect(repairPlateRead([...lines], layout)).toBeNull();
  });

  it('never repairs a character where the format allows what was read', () => {
    // 8 in a number stays 8; B in the series stays B.
    expect(repairPlateRead(['30B88888'], 'one-line')?.text).toBe('30B-888.88');
  });

  it('only ever returns valid plates', () => {
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZĐ';
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 3000; i++) {
      const len = 6 + Math.floor(rand() * 6);
      let s = '';
      for (let k = 0; k < len; k++) s += alphabet[Math.floor(rand() * alphabet.length)];
      const layout = rand() < 0.5 ? 'one-line' : 'two-line';
      const cut = 3 + Math.floor(rand() * 3);
      const r = repairPlateRead(layout === 'one-line' ? [s] : [s.slice(0, cut), s.slice(cut)], layout);
      if (r) expect(isValidRead(r.text, layout)).toBe(true);
    }
  });
});

describe('small-motorbike two-letter series and the vehicle kind', () => {
  it('accepts two-letter motorbike series (≤50 cc) and repairs them only as such', () => {
    expect(isValidPlate('81-AA 048.92')).toBe(true);
    expect(isValidPlate('50-CA 5874')).toBe(true);
    expect(isValidPlate('81-AI 048.92')).toBe(false); // I is never a series letter
    expect(repairPlateRead(['81AA', '04892'], 'two-line')?.text).toBe('81-AA 048.92');
    expect(repairPlateRead(['81AA', '04892'], 'two-line', 'motorbike')?.text).toBe('81-AA 048.92');
    expect(repairPlateRead(['81AA', '04892'], 'two-line', 'car')).toBeNull();
  });

  it('never turns a motorbike plate that lost a character into a car plate', () => {
    // 75-H1 357.92 read without its series digit: a valid square car plate 75H-357.92 when the kind is unknown.
    expect(repairPlateRead(['75H', '35792'], 'two-line')?.text).toBe('75H-357.92');
    expect(repairPlateRead(['75H', '35792'], 'two-line', 'motorbike')).toBeNull();
    // And a car's square plate read with an extra character is not a motorbike plate on a car.
    expect(repairPlateRead(['51A1', '19222'], 'two-line', 'car')).toBeNull();
    expect(repairPlateRead(['51A', '19222'], 'two-line', 'car')?.text).toBe('51A-192.22');
    // Motorbike plates are never one-line.
    expect(repairPlateRead(['29B112345'], 'one-line', 'motorbike')).toBeNull();
  });

  it('only ever returns plates of the kind asked for', () => {
    const alphabet = '0123456789ABCDEFGHKLMNPSTUVXYZ';
    let seed = 11;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2000; i++) {
      const line = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
      const lines = [line(3 + Math.floor(rand() * 3)), line(4 + Math.floor(rand() * 2))];
      for (const kind of ['car', 'motorbike'] as const) {
        const r = repairPlateRead(lines, 'two-line', kind);
        if (r) expect(parseCanonical(r.text)?.kind).toBe(kind);
      }
    }
  });
});
