// The counterexample of a check report: the step table and the sequence diagram, built from
// the JSON document in the page's "trace" script element (refute.report.html.trace_data).
(function () {
'use strict';
var source = document.getElementById('trace');
if (!source) return;
var data = JSON.parse(source.textContent), V = data.values, F = data.fields;
var doc = document, steps = doc.getElementById('steps');

// every string from the spec goes in as text: textContent or a text node, never markup
function el(tag, cls, text) {
  var node = doc.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}
function fieldTable(pairs) {
  var table = el('table', 'fields'), body = el('tbody');
  for (var i = 0; i < pairs.length; i += 2) {
    var tr = el('tr'), value = el('td');
    tr.appendChild(el('td', 'field', F[pairs[i]]));
    value.appendChild(el('code', null, V[pairs[i + 1]]));
    tr.appendChild(value);
    body.appendChild(tr);
  }
  table.appendChild(body);
  return table;
}
function change(c) {
  var line = el('div', 'change');
  line.appendChild(el('code', 'path', c[0]));
  line.appendChild(doc.createTextNode(': '));
  if (c[1] === 'v') {
    line.appendChild(el('span', 'old', V[c[2]]));
    line.appendChild(doc.createTextNode(' \u2192 '));
    line.appendChild(el('span', 'new', V[c[3]]));
  } else if (c[1] === '+') {
    line.appendChild(el('span', 'add', '+ ' + V[c[2]]));
  } else if (c[1] === '-') {
    line.appendChild(el('span', 'del', 'removed'));
  } else {
    var parts = c[2].map(function (v) { return el('span', 'add', '+ ' + V[v]); })
      .concat(c[3].map(function (v) { return el('span', 'del', '- ' + V[v]); }));
    parts.forEach(function (part, i) {
      if (i) line.appendChild(doc.createTextNode(', '));
      line.appendChild(part);
    });
  }
  return line;
}
// the unchanged fields: folded, their values filled in when first unfolded
var folds = [];
function fold(pairs) {
  var names = [];
  for (var i = 0; i < pairs.length; i += 2) names.push(F[pairs[i]]);
  var details = el('details', 'unchanged');
  details.appendChild(el('summary', null, 'unchanged: ' + names.join(', ')));
  details.appendChild(el('code', 'values'));
  folds.push(pairs);
  details.dataset.fold = folds.length - 1;
  return details;
}
function fill(details) {
  var code = details.lastChild, pairs = folds[details.dataset.fold];
  if (code.firstChild || !pairs) return;
  for (var i = 0; i < pairs.length; i += 2) {
    var line = el('div');
    line.appendChild(el('span', 'field', F[pairs[i]]));
    line.appendChild(doc.createTextNode(' ' + V[pairs[i + 1]]));
    code.appendChild(line);
  }
}
function unchangedOf(target) {
  var details = target.closest && target.closest('details.unchanged');
  return details && steps.contains(details) ? details : null;
}
steps.addEventListener('click', function (event) {
  var details = unchangedOf(event.target);
  if (details) fill(details);
});
steps.addEventListener('toggle', function (event) {
  if (event.target.open && unchangedOf(event.target)) fill(event.target);
}, true);

function badge(cls, text) { return el('span', 'badge ' + cls, text); }
// every row is made at once (its number, action and badge: the page can be searched for
// them and linked to), what changed in it first for the rows in view at the top and at the
// violation, then for the rest in idle time, so a long trace is on screen at once
var n = data.steps.length, bodies = [], rows = doc.createDocumentFragment(), LONG = 200;
// a long trace: the browser lays out and paints only the rows in view
if (n > LONG) steps.className = 'long';
data.steps.forEach(function (s, i) {
  var row = el('div', s.k ? 'step ' + s.k : 'step'), body = el('div', 'body');
  var action = el('div', 'action', s.a);
  row.id = 'step-' + (i + 1);
  row.appendChild(el('div', 'n', String(i + 1)));
  if (s.b) action.appendChild(badge(s.bk, s.b));
  body.appendChild(action);
  row.appendChild(body);
  rows.appendChild(row);
  bodies.push(body);
});
function fillRow(i) {
  var body = bodies[i], s = data.steps[i];
  if (!body) return;
  bodies[i] = null;
  if (s.s) body.appendChild(fieldTable(s.s));
  if (s.c) s.c.forEach(function (c) { body.appendChild(change(c)); });
  if (s.u) body.appendChild(fold(s.u));
}
function fillNear(i) {
  for (var j = Math.max(0, i - 40); j < Math.min(n, i + 40); j++) fillRow(j);
}
function fillAll() { for (var i = 0; i < n; i++) fillRow(i); }
if (data.end) {  // the lasso's closing line
  var end = el('div', 'step loop loop-end'), endBody = el('div', 'body');
  var endAction = el('div', 'action', data.end[0]);
  endAction.appendChild(badge('loop', data.end[1]));
  end.appendChild(el('div', 'n', '\u21bb'));
  endBody.appendChild(endAction);
  end.appendChild(endBody);
  rows.appendChild(end);
}
fillNear(0);
fillNear(n - 1);
steps.appendChild(rows);
function fillTarget() {
  var m = /^#step-(\d+)$/.exec(location.hash);
  if (m) fillNear(+m[1] - 1);
}
fillTarget();
addEventListener('hashchange', fillTarget);
var idle = window.requestIdleCallback || function (f) { return setTimeout(f, 1); }, next = 0;
function fillSome() {
  var stop = performance.now() + 10;
  while (next < n && performance.now() < stop) fillRow(next++);
  if (next < n) idle(fillSome);
}
// after the first frame: work scheduled before the load event would delay it
addEventListener('load', function () {
  requestAnimationFrame(function () { setTimeout(fillSome, 0); });
});

var unfold = doc.getElementById('unfold');
unfold.addEventListener('click', function () {
  var open = unfold.textContent === 'unfold';
  if (open) fillAll();
  steps.querySelectorAll('details.unchanged').forEach(function (d) {
    if (open) fill(d);
    d.open = open;
  });
  unfold.textContent = open ? 'fold' : 'unfold';
});
if (location.hash) {
  var target = doc.getElementById(location.hash.slice(1));
  if (target) target.scrollIntoView();
}

// the sequence diagram: a head with the processes (it stays in view), a body with a row per
// step; a long trace draws only the rows near the part of the diagram in view
var D = data.diagram;
if (!D) return;
var NS = 'http://www.w3.org/2000/svg', COL = 160, ROW = 30, GUTTER = 260, HEAD = 44,
  TOP = 16, MARGIN = 60;
var P = D.processes.length;
var width = GUTTER + P * COL + 140, height = TOP + n * ROW;
function X(p) { return GUTTER + COL / 2 + p * COL; }
function Y(i) { return TOP + i * ROW; }
function svg(tag, attrs, text) {
  var node = doc.createElementNS(NS, tag);
  for (var name in attrs) node.setAttribute(name, attrs[name]);
  if (text !== undefined) node.textContent = text;
  return node;
}
function clip(value, limit) {
  return value.length <= limit ? value : value.slice(0, limit - 1) + '\u2026';
}
function label(parent, value, limit) {  // a tooltip with the whole text where clip cut it
  if (value.length > limit) parent.appendChild(svg('title', {}, value));
}
var box = doc.getElementById('sequence');
var head = svg('svg', {'class': 'head', width: width, height: HEAD});
var chart = svg('svg', {'class': 'body', width: width, height: height});
var defs = svg('defs', {}), marker = svg('marker', {id: 'arrow', viewBox: '0 0 10 10',
  refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse'});
marker.appendChild(svg('path', {d: 'M0,0 L10,5 L0,10 z'}));
defs.appendChild(marker);
chart.appendChild(defs);
if (D.band[0] === 'loop') {
  var bandTop = Y(D.band[1]) - ROW / 2;
  chart.appendChild(svg('rect', {'class': 'loop-band', x: 0, y: bandTop, width: width,
                                height: height - bandTop}));
} else {
  chart.appendChild(svg('rect', {'class': 'violating-band', x: 0, y: Y(D.band[1]) - ROW / 2,
                                width: width, height: ROW}));
}
D.processes.forEach(function (name, p) {
  var g = svg('g', {'class': 'process'});
  head.appendChild(svg('line', {'class': 'lifeline', x1: X(p), x2: X(p), y1: HEAD - 8,
                                y2: HEAD}));
  chart.appendChild(svg('line', {'class': 'lifeline', x1: X(p), x2: X(p), y1: 0, y2: height}));
  g.appendChild(svg('rect', {x: X(p) - COL / 2 + 8, y: 4, width: COL - 16, height: HEAD - 12,
                             rx: 4}));
  g.appendChild(svg('text', {x: X(p), y: HEAD / 2 + 2, 'text-anchor': 'middle'},
                    clip(name, 18)));
  label(g, name, 18);
  head.appendChild(g);
});
var layer = svg('g', {});
chart.appendChild(layer);
box.appendChild(head);
box.appendChild(chart);
var probe = svg('text', {}, 'MMMMMMMMMM');
layer.appendChild(probe);
CHAR = probe.getComputedTextLength() / 10 || CHAR;
layer.removeChild(probe);

// Message labels are placed so that none sits on an arrow or on another label: each runs
// along its own arrow, turned to the arrow's angle (never upside down), and takes the first
// free place among a few (a level arrow: above its middle first; a slanted one: near its
// sending end first, where arrows cross least, then near its end, then the middle; above,
// then below the line). "Free" is tested on the geometry: the label's box against every
// arrow's segment and every label placed before it. A white halo keeps the text legible if
// no place is free.
var CHAR = 7.2;  // the width of a character of the labels' monospace font, measured below
function sub(a, b) { return [a[0] - b[0], a[1] - b[1]]; }
function cross(a, b) { return a[0] * b[1] - a[1] * b[0]; }
function segmentsCross(a, b, c, d) {
  var r = sub(b, a), s = sub(d, c), den = cross(r, s);
  if (den === 0) return false;
  var t = cross(sub(c, a), s) / den, u = cross(sub(c, a), r) / den;
  return t >= 0 && t <= 1 && u >= 0 && u <= 1;
}
function inside(point, box) {  // box: four corners in order (convex)
  for (var i = 0; i < 4; i++) {
    if (cross(sub(box[(i + 1) % 4], box[i]), sub(point, box[i])) < 0) return false;
  }
  return true;
}
function hitsSegment(box, a, b) {
  if (inside(a, box) || inside(b, box)) return true;
  for (var i = 0; i < 4; i++) if (segmentsCross(box[i], box[(i + 1) % 4], a, b)) return true;
  return false;
}
// a box's or a segment's extent [left, right, top, bottom]: most pairs are told apart by it
// alone, which keeps the placement of a window of ~140 arrows to a few milliseconds
function extent(points) {
  var xs = points.map(function (p) { return p[0]; }), ys = points.map(function (p) { return p[1]; });
  return [Math.min.apply(null, xs), Math.max.apply(null, xs),
          Math.min.apply(null, ys), Math.max.apply(null, ys)];
}
function apart(e, f) { return e[1] < f[0] || f[1] < e[0] || e[3] < f[2] || f[3] < e[2]; }
function hitsBox(box, other) {
  for (var i = 0; i < 4; i++) {
    if (inside(box[i], other) || inside(other[i], box)) return true;
    if (hitsSegment(other, box[i], box[(i + 1) % 4])) return true;
  }
  return false;
}
function ends(a) {  // an arrow's two ends, as drawn
  var x1 = a[0] < 0 ? GUTTER - 4 : X(a[1]), y1 = Y(a[0] < 0 ? a[2] : a[0]);
  return [[x1, y1], [X(a[3]), Y(a[2])]];
}
function segmentsOf(arrows) {  // what labels must keep clear of: each arrow as line segments
  var out = [];
  arrows.forEach(function (a) {
    var e = ends(a), p = e[0], q = e[1];
    if (p[0] === q[0]) {  // a loop to the right: its outline
      out.push([p, [p[0] + 45, p[1]]], [[p[0] + 45, p[1]], [q[0] + 45, q[1]]],
               [[q[0] + 45, q[1]], q]);
    } else {
      out.push([p, q]);
    }
  });
  return out.map(function (s) { return [s[0], s[1], extent(s)]; });
}
// the label's box when its text starts at `at`, reading along `r`, its baseline `up` away
function labelBox(at, r, width) {
  var up = [r[1], -r[0]], lo = -3, hi = 11;
  function point(along, rise) {
    return [at[0] + r[0] * along + up[0] * rise, at[1] + r[1] * along + up[1] * rise];
  }
  return [point(0, lo), point(width, lo), point(width, hi), point(0, hi)];
}
function placeLabel(a, text, segments, placed) {
  var e = ends(a), p = e[0], q = e[1], width = text.length * CHAR;
  if (p[0] === q[0]) {  // a loop: beside it
    return {x: p[0] + 48, y: (p[1] + q[1]) / 2, 'text-anchor': 'middle'};
  }
  var length = Math.sqrt((q[0] - p[0]) * (q[0] - p[0]) + (q[1] - p[1]) * (q[1] - p[1]));
  var u = [(q[0] - p[0]) / length, (q[1] - p[1]) / length];
  var forward = u[0] > 0, r = forward ? u : [-u[0], -u[1]], up = [r[1], -r[0]];
  var room = Math.max(0, length - width - 20);
  var starts = p[1] === q[1] ? [room / 2 + 10, 14, 14 + room]
                             : [14, 14 + room, room / 2 + 10];
  var best = null;
  for (var k = 0; k < starts.length * 2; k++) {
    var from = starts[k >> 1], rise = k % 2 ? -15 : 5;  // above the line, then below it
    var along = forward ? from : from + width;  // where the text starts, from the sender
    var at = [p[0] + u[0] * along + up[0] * rise, p[1] + u[1] * along + up[1] * rise];
    var box = labelBox(at, r, width), around = extent(box);
    var free = segments.every(function (s) {
      return apart(around, s[2]) || !hitsSegment(box, s[0], s[1]);
    }) && placed.every(function (other) {
      return apart(around, other[1]) || !hitsBox(box, other[0]);
    });
    if (free || best === null) best = {at: at, box: box, around: around};
    if (free) break;
  }
  placed.push([best.box, best.around]);
  var degrees = Math.atan2(r[1], r[0]) * 180 / Math.PI, x = best.at[0], y = best.at[1];
  var attrs = {x: x.toFixed(1), y: y.toFixed(1), 'text-anchor': 'start'};
  if (p[1] !== q[1]) {
    attrs.transform = 'rotate(' + degrees.toFixed(2) + ' ' + x.toFixed(1) + ' ' +
                      y.toFixed(1) + ')';
  }
  return attrs;
}
function arrow(a, segments, placed) {
  var e = ends(a), x1 = e[0][0], y1 = e[0][1], x2 = e[1][0], y2 = e[1][1], path;
  if (x1 === x2) {  // a message to itself: a small loop out to the right
    path = 'M' + x1 + ',' + y1 + ' C' + (x1 + 60) + ',' + y1 + ' ' + (x2 + 60) + ',' + y2 +
      ' ' + (x2 + 6) + ',' + y2;
  } else {
    path = 'M' + x1 + ',' + y1 + ' L' + (x2 + (x2 > x1 ? -6 : 6)) + ',' + y2;
  }
  var text = clip(a[4], 28), g = svg('g', {'class': 'message'});
  g.appendChild(svg('path', {d: path, 'marker-end': 'url(#arrow)'}));
  g.appendChild(svg('text', placeLabel(a, text, segments, placed), text));
  label(g, a[4], 28);
  return g;
}
function inFlight(f) {
  var x1 = X(f[1]), y1 = Y(f[0]), g = svg('g', {'class': 'message in-flight'});
  g.appendChild(svg('path', {d: 'M' + x1 + ',' + y1 + ' l' + COL * 0.45 + ',' + ROW * 0.6,
                             'marker-end': 'url(#arrow)'}));
  g.appendChild(svg('text', {x: x1 + COL * 0.5, y: y1 + ROW * 0.6 + 12,
                             'text-anchor': 'middle'}, clip(f[2], 28) + ' (in flight)'));
  g.appendChild(svg('title', {}, f[2] + ': sent, never received'));
  return g;
}
var drawn = [-1, -1];
function draw(lo, hi) {  // the rows lo..hi, and every arrow that crosses them
  var out = doc.createDocumentFragment();
  function near(step) { return step >= lo && step <= hi; }
  for (var i = lo; i <= hi; i++) {
    var heading = data.steps[i].a;
    var t = svg('text', {'class': 'step-label', x: 8, y: Y(i) + 4, 'data-step': i + 1});
    t.appendChild(svg('tspan', {'class': 'n'}, String(i + 1)));
    t.appendChild(doc.createTextNode(' ' + clip(heading, 34)));
    label(t, heading, 34);
    out.appendChild(t);
  }
  var shown = D.arrows.filter(function (a) {
    var from = a[0] < 0 ? a[2] : Math.min(a[0], a[2]), to = Math.max(a[0], a[2]);
    return to >= lo && from <= hi;
  });
  var segments = segmentsOf(shown), placed = [];
  shown.forEach(function (a) { out.appendChild(arrow(a, segments, placed)); });
  D.notes.forEach(function (m) {
    if (!near(m[0])) return;
    var t = svg('text', {'class': 'note', x: X(m[1]) + 8, y: Y(m[0]) - 6}, clip(m[2], 22));
    label(t, m[2], 22);
    out.appendChild(t);
  });
  D.actors.forEach(function (a) {
    if (near(a[0])) out.appendChild(svg('circle', {'class': 'actor', cx: X(a[1]), cy: Y(a[0]),
                                                   r: 5}));
  });
  D.flight.forEach(function (f) { if (near(f[0])) out.appendChild(inFlight(f)); });
  layer.textContent = '';
  layer.appendChild(out);
  drawn = [lo, hi];
}
function update() {
  var top = box.scrollTop - HEAD, lo = Math.max(0, Math.floor(top / ROW)),
    hi = Math.min(n - 1, Math.ceil((top + box.clientHeight) / ROW));
  if (lo >= drawn[0] && hi <= drawn[1]) return;
  draw(Math.max(0, lo - MARGIN), Math.min(n - 1, hi + MARGIN));
}
if (n <= LONG) {
  draw(0, n - 1);
} else {  // open at the violation (or the loop), then draw what comes into view
  box.scrollTop = D.band[0] === 'loop' ? Y(D.band[1]) - 3 * ROW : height;
  update();
  var pending = false;
  box.addEventListener('scroll', function () {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; update(); });
  }, {passive: true});
}
chart.addEventListener('click', function (event) {
  var step = event.target.closest('.step-label');
  if (step) location.hash = 'step-' + step.getAttribute('data-step');
});
})();
