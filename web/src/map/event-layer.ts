/**
 * Events clustered with supercluster and drawn as light div markers: only the clusters and points
 * in view are in the DOM, so 10,000 events cost an index build and a few hundred markers. A
 * cluster is coloured by the department most of its events come from (with a count); a single
 * event by its department, with a glyph for its type family; exercise events are dashed.
 */
import L from 'leaflet';
import Supercluster, { type ClusterProperties, type PointFeature } from 'supercluster';
import type { DepartmentCode, EventPoint } from '@liandong/contracts';
import { DEPARTMENT_COLOURS, glyphFamily, type GlyphFamily } from './style.ts';

interface PointProps {
  i: number;
  dept: DepartmentCode;
}
interface ClusterProps {
  counts: Partial<Record<DepartmentCode, number>>;
}

export interface EventLayerHandlers {
  onEvent(event: EventPoint): void;
  onCluster(events: EventPoint[], total: number, zoomIn: () => void): void;
  glyph(family: GlyphFamily): string;
  exerciseMark: string;
}

export class EventLayer {
  private index = new Supercluster<PointProps, ClusterProps>({
    radius: 60,
    maxZoom: 17,
    map: (p) => ({ counts: { [p.dept]: 1 } }),
    reduce: (acc, p) => {
      for (const [k, v] of Object.entries(p.counts) as [DepartmentCode, number][])
        acc.counts[k] = (acc.counts[k] ?? 0) + v;
    },
  });
  private events: EventPoint[] = [];
  private layer = L.layerGroup();
  private readonly redraw = () => this.draw();

  constructor(
    private readonly map: L.Map,
    private readonly project: (lon: number, lat: number) => [number, number],
    private readonly handlers: EventLayerHandlers,
  ) {
    this.layer.addTo(map);
    map.on('moveend', this.redraw);
  }

  setEvents(events: EventPoint[]) {
    this.events = events;
    const points: PointFeature<PointProps>[] = [];
    events.forEach((e, i) => {
      // Clustered in the tiles' frame, so clusters sit where they are drawn.
      const [lat, lon] = this.project(e.lon, e.lat);
      points.push({
        type: 'Feature',
        properties: { i, dept: e.department },
        geometry: { type: 'Point', coordinates: [lon, lat] },
      });
    });
    this.index.load(points);
    this.draw();
  }

  /** Markers for what is in view (with a margin). Returns how many were drawn. */
  draw(): number {
    const b = this.map.getBounds().pad(0.25);
    const zoom = Math.round(this.map.getZoom());
    const features = this.index.getClusters([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], zoom);
    const layer = L.layerGroup();
    for (const f of features) {
      const [lon, lat] = f.geometry.coordinates as [number, number];
      const props = f.properties as Partial<PointProps & ClusterProps & ClusterProperties>;
      if (props.cluster && props.cluster_id !== undefined) {
        const id = props.cluster_id;
        const count = props.point_count ?? 0;
        const top =
          (Object.entries(props.counts ?? {}) as [DepartmentCode, number][]).sort(
            (a, b) => b[1] - a[1],
          )[0]?.[0] ?? 'police';
        const size = count < 10 ? 30 : count < 100 ? 38 : count < 1000 ? 46 : 54;
        const marker = L.marker([lat, lon], {
          icon: L.divIcon({
            className: 'ev-cluster',
            html: `<span style="background:${DEPARTMENT_COLOURS[top]};width:${size}px;height:${size}px;line-height:${size}px">${count}</span>`,
            iconSize: [size, size],
          }),
          keyboard: true,
          title: String(count),
          // Where clusters overlap, the larger stays whole on top: a count with its first digit
          // hidden under a neighbour ("029" for 1,029) misleads.
          zIndexOffset: count * 1000,
        });
        marker.on('click', () => {
          const leaves = this.index
            .getLeaves(id, 100)
            .map((l) => this.events[l.properties.i])
            .filter((e): e is EventPoint => !!e);
          const zoomTo = Math.min(this.index.getClusterExpansionZoom(id), 18);
          this.handlers.onCluster(leaves, count, () => this.map.setView([lat, lon], zoomTo));
        });
        marker.addTo(layer);
      } else if (props.i !== undefined) {
        const event = this.events[props.i];
        if (!event) continue;
        const exercise = event.status !== 'Actual';
        const marker = L.marker([lat, lon], {
          icon: L.divIcon({
            className: `ev-point${exercise ? ' ev-exercise' : ''}`,
            html: `<span style="background:${DEPARTMENT_COLOURS[event.department]}">${this.handlers.glyph(glyphFamily(event.type))}</span>${exercise ? `<i>${this.handlers.exerciseMark}</i>` : ''}`,
            iconSize: [24, 24],
          }),
          keyboard: true,
          title: event.type,
        });
        marker.on('click', () => this.handlers.onEvent(event));
        marker.addTo(layer);
      }
    }
    this.map.removeLayer(this.layer);
    this.layer = layer.addTo(this.map);
    return features.length;
  }

  destroy() {
    this.map.off('moveend', this.redraw);
    this.map.removeLayer(this.layer);
  }
}
