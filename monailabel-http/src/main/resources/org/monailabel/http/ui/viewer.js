// Three views of a volume in patient orientation, as 3D Slicer shows them (RAS):
// axial: patient Right on the screen's left, Anterior up; coronal: Right on the left,
// Superior up; sagittal: Anterior on the left, Superior up.
//
// Canvas mapping (the browser test relies on it): zoom = max(1, floor(320 / largest extent in
// mm)) pixels per mm; a voxel is max(1, round(zoom * spacing)) canvas pixels along each screen
// axis; screen column u covers voxel index u (or n-1-u when the voxel axis points the other way
// than the screen axis), same for rows.

const VIEWS = {
  axial: { x: 0, y: 1, slice: 2 }, // RAS axes; screen x goes to -R (left), y goes to -A
  coronal: { x: 0, y: 2, slice: 1 }, // y goes to -S
  sagittal: { x: 1, y: 2, slice: 0 }, // x goes to -A (posterior)
};

export const PALETTE = [
  [0, 0, 0], [255, 64, 64], [64, 200, 64], [64, 128, 255], [255, 210, 0], [230, 80, 230],
  [0, 220, 220], [255, 140, 0], [160, 100, 255], [140, 255, 140], [255, 160, 160],
];

export function colourOf(idx) {
  return PALETTE[idx] || PALETTE[1 + ((idx * 7) % (PALETTE.length - 1))];
}

/** For each RAS axis, the voxel axis nearest to it and whether index increases along it. */
export function axesOf(affine) {
  const used = new Set();
  const axis = [], positive = [];
  for (let r = 0; r < 3; r++) {
    let best = -1, bestV = -1;
    for (let c = 0; c < 3; c++) {
      if (used.has(c)) continue;
      const v = Math.abs(affine[r][c]);
      if (v > bestV) { bestV = v; best = c; }
    }
    used.add(best);
    axis.push(best);
    positive.push(affine[r][best] >= 0);
  }
  return { axis, positive };
}

export class Viewer {
  constructor(canvases, onChange) {
    this.canvases = canvases; // {axial, coronal, sagittal}
    this.onChange = onChange || (() => {});
    this.image = null;
    this.labels = null;
    this.window = 400;
    this.level = 40;
    this.opacity = 0.5;
    this.colours = {};
    this.tool = 'navigate';
    this.brushSize = 1;
    this.activeLabel = 1;
    this.undoStack = [];
    this.dirty = false;
    for (const [name, canvas] of Object.entries(canvases)) this.listen(name, canvas);
  }

  setImage(image, labels) {
    this.image = image;
    this.labels = labels || new Uint8Array(image.data.length);
    this.undoStack = [];
    this.dirty = false;
    const { axis, positive } = axesOf(image.affine);
    this.axes = axis;
    this.positive = positive;
    const extent = Math.max(...[0, 1, 2].map((c) => image.dims[c] * image.spacing[c]));
    this.zoom = Math.max(1, Math.floor(320 / extent));
    this.cursor = image.dims.map((n) => Math.floor(n / 2));
    this.geometry = {};
    for (const [name, v] of Object.entries(VIEWS)) {
      const col = axis[v.x], row = axis[v.y], slice = axis[v.slice];
      const px = Math.max(1, Math.round(this.zoom * image.spacing[col]));
      const py = Math.max(1, Math.round(this.zoom * image.spacing[row]));
      // screen axes point to -RAS: flip where the voxel axis points to +RAS
      const g = { col, row, slice, px, py, flipCol: positive[v.x], flipRow: positive[v.y] };
      g.width = image.dims[col] * px;
      g.height = image.dims[row] * py;
      this.geometry[name] = g;
      const canvas = this.canvases[name];
      canvas.width = g.width;
      canvas.height = g.height;
    }
    this.autoWindow();
    this.draw();
  }

  autoWindow() {
    const d = this.image.data;
    const step = Math.max(1, Math.floor(d.length / 100000));
    const sample = [];
    for (let i = 0; i < d.length; i += step) sample.push(d[i]);
    sample.sort((a, b) => a - b);
    const lo = sample[Math.floor(sample.length * 0.01)], hi = sample[Math.floor(sample.length * 0.99)];
    this.window = Math.max(1, hi - lo);
    this.level = (hi + lo) / 2;
  }

  index(i, j, k) {
    const [nx, ny] = this.image.dims;
    return i + nx * (j + ny * k);
  }

  /** The voxel [i, j, k] under canvas pixel (x, y) of a view, or null outside. */
  voxelAt(name, x, y) {
    const g = this.geometry[name];
    let u = Math.floor(x / g.px), w = Math.floor(y / g.py);
    const nCol = this.image.dims[g.col], nRow = this.image.dims[g.row];
    if (u < 0 || w < 0 || u >= nCol || w >= nRow) return null;
    if (g.flipCol) u = nCol - 1 - u;
    if (g.flipRow) w = nRow - 1 - w;
    const v = this.cursor.slice();
    v[g.col] = u;
    v[g.row] = w;
    return v;
  }

  screenOf(name, voxel) {
    const g = this.geometry[name];
    const nCol = this.image.dims[g.col], nRow = this.image.dims[g.row];
    const u = g.flipCol ? nCol - 1 - voxel[g.col] : voxel[g.col];
    const w = g.flipRow ? nRow - 1 - voxel[g.row] : voxel[g.row];
    return [u * g.px + g.px / 2, w * g.py + g.py / 2];
  }

  draw() {
    if (!this.image) return;
    for (const name of Object.keys(VIEWS)) this.drawView(name);
    this.onChange(this);
  }

  drawView(name) {
    const g = this.geometry[name];
    const canvas = this.canvases[name];
    const ctx = canvas.getContext('2d', { willReadFrequently: true }); // CPU-backed: drawn with putImageData
    const img = ctx.createImageData(g.width, g.height);
    const out = img.data;
    const lo = this.level - this.window / 2, scale = 255 / this.window;
    const nCol = this.image.dims[g.col], nRow = this.image.dims[g.row];
    const v = this.cursor.slice();
    const data = this.image.data, labels = this.labels, a = this.opacity;
    for (let w = 0; w < nRow; w++) {
      v[g.row] = g.flipRow ? nRow - 1 - w : w;
      for (let u = 0; u < nCol; u++) {
        v[g.col] = g.flipCol ? nCol - 1 - u : u;
        const idx = this.index(v[0], v[1], v[2]);
        let grey = (data[idx] - lo) * scale;
        grey = grey < 0 ? 0 : grey > 255 ? 255 : grey;
        let r = grey, gg = grey, b = grey;
        const l = labels[idx];
        if (l) {
          const c = this.colours[l] || colourOf(l);
          r = (1 - a) * r + a * c[0];
          gg = (1 - a) * gg + a * c[1];
          b = (1 - a) * b + a * c[2];
        }
        for (let y = w * g.py; y < (w + 1) * g.py; y++) {
          let o = (y * g.width + u * g.px) * 4;
          for (let x = 0; x < g.px; x++, o += 4) {
            out[o] = r; out[o + 1] = gg; out[o + 2] = b; out[o + 3] = 255;
          }
        }
      }
    }
    ctx.putImageData(img, 0, 0);
    // the cross-hair: where the other two views cut this one
    const [cx, cy] = this.screenOf(name, this.cursor);
    ctx.strokeStyle = 'rgba(255, 255, 0, 0.35)';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(Math.floor(cx) + 0.5, 0); ctx.lineTo(Math.floor(cx) + 0.5, g.height);
    ctx.moveTo(0, Math.floor(cy) + 0.5); ctx.lineTo(g.width, Math.floor(cy) + 0.5);
    ctx.stroke();
  }

  step(name, delta) {
    const g = this.geometry[name];
    const n = this.image.dims[g.slice];
    this.cursor[g.slice] = Math.min(n - 1, Math.max(0, this.cursor[g.slice] + delta));
    this.draw();
  }

  paint(voxel, value) {
    const g = this.geometry.axial;
    const r = (this.brushSize - 1) / 2;
    const reach = Math.ceil(r);
    const nCol = this.image.dims[g.col], nRow = this.image.dims[g.row];
    for (let dw = -reach; dw <= reach; dw++) {
      for (let du = -reach; du <= reach; du++) {
        if (du * du + dw * dw > r * r + 1e-9) continue;
        const v = voxel.slice();
        v[g.col] += du;
        v[g.row] += dw;
        if (v[g.col] < 0 || v[g.row] < 0 || v[g.col] >= nCol || v[g.row] >= nRow) continue;
        const idx = this.index(v[0], v[1], v[2]);
        if (this.labels[idx] === value) continue;
        if (!this.stroke.has(idx)) this.stroke.set(idx, this.labels[idx]);
        this.labels[idx] = value;
      }
    }
  }

  /** Paints every voxel on the in-plane segment between two voxels of the axial slice. */
  paintLine(from, to, value) {
    const g = this.geometry.axial;
    const du = to[g.col] - from[g.col], dw = to[g.row] - from[g.row];
    const n = Math.max(Math.abs(du), Math.abs(dw));
    for (let s = 0; s <= n; s++) {
      const v = from.slice();
      v[g.col] = from[g.col] + (n === 0 ? 0 : Math.round((du * s) / n));
      v[g.row] = from[g.row] + (n === 0 ? 0 : Math.round((dw * s) / n));
      this.paint(v, value);
    }
  }

  undo() {
    const last = this.undoStack.pop();
    if (!last) return false;
    for (const [idx, old] of last) this.labels[idx] = old;
    this.dirty = true;
    this.draw();
    return true;
  }

  listen(name, canvas) {
    canvas.addEventListener('wheel', (e) => {
      if (!this.image) return;
      e.preventDefault();
      this.step(name, e.deltaY > 0 ? -1 : 1);
    }, { passive: false });
    canvas.addEventListener('keydown', (e) => {
      if (!this.image) return;
      const d = { ArrowUp: 1, ArrowRight: 1, PageUp: 5, ArrowDown: -1, ArrowLeft: -1, PageDown: -5 }[e.key];
      if (d) { e.preventDefault(); this.step(name, d); }
    });
    let last = null;
    const position = (e) => {
      const rect = canvas.getBoundingClientRect();
      const x = ((e.clientX - rect.left) * canvas.width) / rect.width;
      const y = ((e.clientY - rect.top) * canvas.height) / rect.height;
      return this.voxelAt(name, x, y);
    };
    canvas.addEventListener('pointerdown', (e) => {
      if (!this.image) return;
      canvas.focus();
      if (e.button === 2) {
        canvas.setPointerCapture(e.pointerId);
        const scale = Math.max(this.window, 1) / 200;
        levelling = { x: e.clientX, y: e.clientY, window: this.window, level: this.level, scale };
        return;
      }
      const v = position(e);
      if (!v) return;
      if (name === 'axial' && this.tool !== 'navigate') {
        canvas.setPointerCapture(e.pointerId);
        this.stroke = new Map();
        last = v;
        this.paintLine(v, v, this.tool === 'brush' ? this.activeLabel : 0);
        this.draw();
      } else {
        this.cursor = v;
        this.draw();
      }
    });
    let levelling = null; // right-button drag: window (horizontal) and level (vertical)
    canvas.addEventListener('contextmenu', (e) => e.preventDefault());
    canvas.addEventListener('pointermove', (e) => {
      if (!this.image) return;
      if (levelling) {
        this.window = Math.max(1, levelling.window + (e.clientX - levelling.x) * levelling.scale);
        this.level = levelling.level - (e.clientY - levelling.y) * levelling.scale;
        this.draw();
        return;
      }
      if (!last) return;
      const v = position(e);
      if (!v) return;
      this.paintLine(last, v, this.tool === 'brush' ? this.activeLabel : 0);
      last = v;
      this.drawView('axial'); // the others follow when the stroke ends
    });
    const end = () => {
      if (levelling) {
        levelling = null;
        this.onChange(this);
        return;
      }
      if (!last) return;
      last = null;
      this.draw();
      if (this.stroke.size) {
        this.undoStack.push(this.stroke);
        this.dirty = true;
      }
      this.stroke = null;
      this.onChange(this);
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }
}
