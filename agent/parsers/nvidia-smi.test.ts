import { describe, expect, it } from 'vitest';
import {
  dmonPeaks,
  gpuFromHealth,
  gpuFromQueryRow,
  parseGpuQuery,
  NVIDIA_SMI_QUERY_ARGS,
  NVIDIA_SMI_QUERY_FIELDS,
  parseNvidiaSmiDmon,
  parseNvidiaSmiQ,
  parseNvidiaSmiQueryCsv,
  queryNumber,
} from './nvidia-smi.ts';
import { expectParseError, fixture, truncated } from './test-fixtures.ts';

describe('parseNvidiaSmiQueryCsv', () => {
  it('reads the H100 query row with the stage field list', () => {
    const [gpu, ...rest] = parseNvidiaSmiQueryCsv(fixture('gpu-h100/nvidia-smi-query-noheader.csv'), NVIDIA_SMI_QUERY_FIELDS);
    expect(rest).toEqual([]);
    expect(gpu).toMatchObject({
      index: '0',
      name: 'NVIDIA H100 80GB HBM3',
      uuid: 'GPU-87fcaa12-d3e7-a747-8746-6fc586039555',
      serial: '1752624021410',
      'pci.bus_id': '00000000:00:06.0',
      'ecc.mode.current': 'Enabled',
      'retired_pages.pending': null,
    });
    expect(queryNumber(gpu!, 'temperature.gpu')).toBe(48);
    expect(queryNumber(gpu!, 'power.draw')).toBe(213.33);
    expect(queryNumber(gpu!, 'ecc.errors.uncorrected.volatile.total')).toBe(0);
    expect(gpuFromQueryRow(parseGpuQuery(fixture('gpu-h100/nvidia-smi-query-noheader.csv'))[0]!)).toEqual({
      model: 'NVIDIA H100 80GB HBM3',
      serial: '1752624021410',
      uuid: 'GPU-87fcaa12-d3e7-a747-8746-6fc586039555',
      busId: '00000000:00:06.0',
      memoryMiB: 81559,
    });
    expect(NVIDIA_SMI_QUERY_ARGS[1]).toBe('--format=csv,noheader,nounits');
  });

  it('rejects rows that do not match the field list, and empty output', () => {
    const csv = fixture('gpu-h100/nvidia-smi-query-noheader.csv');
    expectParseError(() => parseNvidiaSmiQueryCsv(csv, ['index', 'name']), 'nvidia-smi', /has 20 values for 2 fields/);
    expectParseError(() => parseNvidiaSmiQueryCsv(truncated(csv), NVIDIA_SMI_QUERY_FIELDS), 'nvidia-smi', /values for 20 fields/);
    expectParseError(() => parseNvidiaSmiQueryCsv('', NVIDIA_SMI_QUERY_FIELDS), 'nvidia-smi', /empty/);
  });
});

describe('parseGpuQuery', () => {
  it('types the columns the agent reads from the real H100 row', () => {
    const [g, ...rest] = parseGpuQuery(fixture('gpu-h100/nvidia-smi-query-noheader.csv'));
    expect(rest).toEqual([]);
    expect(g).toEqual({
      index: 0,
      name: 'NVIDIA H100 80GB HBM3',
      uuid: 'GPU-87fcaa12-d3e7-a747-8746-6fc586039555',
      serial: '1752624021410',
      busId: '00000000:00:06.0',
      memoryMiB: 81559,
      temperatureC: 48,
      powerW: 213.33,
      eccMode: 'Enabled',
      eccCorrectedVolatile: 0,
      eccUncorrectedVolatile: 0,
      eccUncorrectedAggregate: 0,
      retiredPagesPending: null,
    });
  });

  it('reads empty output as no GPU and refuses a short row', () => {
    expect(parseGpuQuery('')).toEqual([]);
    expectParseError(() => parseGpuQuery('0, H100'), 'nvidia-smi', /fields/);
  });
});

describe('parseNvidiaSmiDmon', () => {
  it('gives the peak temperature and double-bit ECC count over all samples', () => {
    const peaks = dmonPeaks(parseNvidiaSmiDmon(fixture('gpu-h100/nvidia-smi-dmon.txt')));
    expect(peaks.samples).toBe(30);
    expect(peaks.maxTempC).toBeGreaterThan(50);
    expect(peaks.maxEccDbe).toBe(0);
  });

  it('reads every sample with named columns', () => {
    const d = parseNvidiaSmiDmon(fixture('gpu-h100/nvidia-smi-dmon.txt'));
    expect(d.columns.slice(0, 4)).toEqual(['gpu', 'pwr', 'gtemp', 'mtemp']);
    expect(d.units.slice(0, 3)).toEqual(['Idx', 'W', 'C']);
    expect(d.samples.length).toBe(30);
    expect(d.samples[0]).toMatchObject({ gpu: 0, pwr: 73, gtemp: 35, sm: 0 });
    expect(Math.max(...d.samples.map((s) => s.gtemp ?? 0))).toBeGreaterThan(50);
    expect(d.samples.every((s) => s.dbecc === 0)).toBe(true);
  });

  it('rejects a cut-off row and headerless text', () => {
    const text = fixture('gpu-h100/nvidia-smi-dmon.txt');
    const cut = text.slice(0, text.lastIndexOf('\n', text.length - 2) + 20);
    expectParseError(() => parseNvidiaSmiDmon(cut), 'nvidia-smi', /values for 22 columns \(truncated\?\)/);
    expectParseError(() => parseNvidiaSmiDmon(fixture('gpu-h100/burn.txt')), 'nvidia-smi', /before the "# gpu …" header/);
    expectParseError(() => parseNvidiaSmiDmon(''), 'nvidia-smi', /no "# gpu …" header/);
  });
});

describe('parseNvidiaSmiQ', () => {
  const expected = {
    busId: '00000000:00:06.0',
    eccMode: 'Enabled',
    volatileUncorrectable: 0,
    aggregateUncorrectable: 0,
    volatileCorrectable: 0,
    aggregateCorrectable: 0,
    remappedRowsPending: false,
    remappingFailure: false,
    retiredPagesPending: null,
  };

  it('reads the full -q of an H100', () => {
    expect(parseNvidiaSmiQ(fixture('gpu-h100/nvidia-smi-q.txt'))).toEqual([
      {
        ...expected,
        productName: 'NVIDIA H100 80GB HBM3',
        serial: '1752624021410',
        uuid: 'GPU-87fcaa12-d3e7-a747-8746-6fc586039555',
        tempC: 35,
        memTempC: 39,
        powerDrawW: 74.44,
        powerLimitW: 700,
        memoryTotalMiB: 81559,
      },
    ]);
    const [h] = parseNvidiaSmiQ(fixture('gpu-h100/nvidia-smi-q.txt'));
    expect(gpuFromHealth(h!)).toEqual({
      model: 'NVIDIA H100 80GB HBM3',
      serial: '1752624021410',
      uuid: 'GPU-87fcaa12-d3e7-a747-8746-6fc586039555',
      busId: '00000000:00:06.0',
      memoryMiB: 81559,
    });
  });

  it('reads -q -d ECC,TEMPERATURE,… after a burn', () => {
    const [g] = parseNvidiaSmiQ(fixture('gpu-h100/nvidia-smi-q-d.txt'));
    expect(g).toMatchObject({ ...expected, productName: null, tempC: 48, memTempC: 50, powerDrawW: 139.37, powerLimitW: 700 });
  });

  it('rejects output without GPU sections and a listing cut before the GPU', () => {
    expectParseError(() => parseNvidiaSmiQ(fixture('gpu-h100/nvidia-smi-L.txt')), 'nvidia-smi', /no "GPU <bus id>" section/);
    const text = fixture('gpu-h100/nvidia-smi-q.txt');
    expectParseError(() => parseNvidiaSmiQ(text.slice(0, text.indexOf('GPU 0000'))), 'nvidia-smi', /no "GPU <bus id>" section/);
    expectParseError(() => parseNvidiaSmiQ(''), 'nvidia-smi', /no "GPU <bus id>" section/);
  });
});
