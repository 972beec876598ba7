// The labels CSV of real plate images (eval:plates --real): parsed by column name, refused when unusable.
import { describe, expect, it } from 'vitest';
import { LabelsError, parseCsv, parseRealLabels } from '../src/plates/real-labels';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and CRLF', () => {
    expect(parseCsv('a,"b,c","say ""hi"""\r\n1,2,3\n')).toEqual([
      ['a', 'b,c', 'say "hi"'],
      ['1', '2', '3'],
    ]);
  });

  it('refuses an unterminated quote and text after a closing quote', () => {
    expect(() => parseCsv('file,text\n"a.jpg,30A-123.45\n')).toThrow(LabelsError);
    expect(() => parseCsv('file,text\n"a.jpg"x,30A-123.45\n')).toThrow(/line 2/);
  });
});

describe('parseRealLabels', () => {
  it('finds columns by name, so extra columns do not shift the text', () => {
    const csv =
      'file,text,layout,vehicle,compact,status,in_holdout,plate_box_xyxy,source,licence,note\n' +
      'a.jpg,30A-688.88,1line,car,30A68888,ok,no,"10,20,30,40",x@y:z,MIT,"left, front"\n' +
      'b.jpg,88-K6 6789,2line,motorbike,88K66789,ok,no,,x,GPL,\n' +
      'c.jpg,67-F? 2113,2line,motorbike,67F2113,ambiguous,no,,x,MIT,glare\n' +
      'd.jpg,72-K1 345.67,2line,motorbike,72K134567,ok,YES,,x,MIT,\n';
    const { rows, skipped } = parseRealLabels(csv);
    expect(rows.map((r) => [r.file, r.text, r.compact, r.layout, r.vehicle])).toEqual([
      ['a.jpg', '30A-688.88', '30A68888', 'one-line', 'car'],
      ['b.jpg', '88-K6 6789', '88K66789', 'two-line', 'motorbike'],
    ]);
    expect(rows[0]!.box).toBeUndefined(); // plate_box_xyxy is a box in the source frame, not in this image
    expect(skipped.map((s) => [s.line, s.reason])).toEqual([
      [4, 'status ambiguous'],
      [5, 'in the acceptance holdout'],
    ]);
  });

  it('takes the layout from the text when no layout column is given, and a box column in image pixels', () => {
    const { rows } = parseRealLabels('text,file,box\n29A 790.93,a.jpg,1 2 50 40\n51G-971.62,b.jpg,\n');
    expect(rows[0]).toMatchObject({ file: 'a.jpg', layout: 'two-line', box: [1, 2, 50, 40] });
    expect(rows[1]).toMatchObject({ file: 'b.jpg', layout: 'one-line', box: undefined });
  });

  it('refuses files it cannot use, with the reason and the line', () => {
    expect(() => parseRealLabels('a.jpg,30A-123.45\nb.jpg,30A-123.46\n')).toThrow(/header line must name the columns file and text/);
    expect(() => parseRealLabels('file,text\na.jpg,30A-123.45,extra\n')).toThrow(/line 2: 3 fields, the header has 2/);
    expect(() => parseRealLabels('file,text,layout\na.jpg,30A-123.45,square\n')).toThrow(/line 2: layout must be/);
    expect(() => parseRealLabels('file,text\na.jpg,hello world\n')).toThrow(/line 2: "hello world" is not a plate text/);
    expect(() => parseRealLabels('file,text,box\na.jpg,30A-123.45,10 10 5 40\n')).toThrow(/line 2: box must be/);
    expect(() => parseRealLabels('file,text,vehicle\na.jpg,30A-123.45,tractor\n')).toThrow(/line 2: vehicle must be/);
    expect(() => parseRealLabels('file,text\n')).toThrow(/no rows to score/);
    expect(() => parseRealLabels('')).toThrow(/empty/);
  });
});
