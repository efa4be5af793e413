// refute explore: asks the loopback server for the state a path reaches and draws it.
// Everything from the server is inserted with textContent: spec values are never markup.
function el(tag, text, cls) {
  var node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}
function currentPath() {
  var hash = location.hash.replace(/^#/, '');
  return hash === '' ? [] : hash.split('.').map(Number);
}
function go(path) { location.hash = path.join('.'); }
function render(view) {
  var path = view.path;
  document.getElementById('error').textContent = '';
  document.getElementById('link').value = location.href;
  var trail = document.getElementById('trail');
  trail.replaceChildren();
  view.trail.forEach(function (step, i) {
    var li = el('li', null, i === view.trail.length - 1 ? 'current' : '');
    var a = el('a', step.action);
    a.addEventListener('click', function () { go(path.slice(0, i + 1)); });
    li.appendChild(a);
    step.changes.forEach(function (c) { li.appendChild(el('span', c[0] + ': ' + c[1], 'chg')); });
    trail.appendChild(li);
  });
  document.getElementById('depth').textContent =
    view.state ? '(after ' + (view.trail.length - 1) + ' step(s))' : '';
  var table = document.getElementById('state');
  table.replaceChildren();
  (view.state || []).forEach(function (field) {
    var tr = table.insertRow();
    if ((view.changed || []).indexOf(field[0]) >= 0) tr.className = 'changed';
    tr.insertCell().textContent = field[0];
    tr.insertCell().appendChild(el('code', field[1]));
  });
  var invariants = document.getElementById('invariants');
  invariants.replaceChildren();
  (view.invariants || []).forEach(function (inv) {
    invariants.appendChild(el('li', inv.name + (inv.error ? ' (raised ' + inv.error + ')' : ''),
                              inv.holds ? 'holds' : 'fails'));
  });
  var actions = document.getElementById('actions');
  actions.replaceChildren();
  view.successors.forEach(function (s) {
    var b = el('button', s.label + (s.self ? '  (same state)' : ''), s.self ? 'self' : '');
    b.type = 'button';
    b.setAttribute('data-ordinal', s.ordinal);
    b.addEventListener('click', function () { go(path.concat([s.ordinal])); });
    actions.appendChild(b);
  });
  if (view.deadlock) actions.appendChild(el('p', 'deadlock: no action is enabled', 'fails'));
  if (view.terminal) actions.appendChild(el('p', 'a terminal state: the protocol finished', 'note'));
  document.getElementById('back').disabled = path.length <= 1;
}
function load() {
  var path = currentPath();
  fetch('api/state?path=' + encodeURIComponent(path.join('.')))
    .then(function (r) { return r.json(); })
    .then(function (view) {
      if (view.error) { document.getElementById('error').textContent = view.error; return; }
      render(view);
      document.body.setAttribute('data-path', path.join('.'));
    });
}
document.getElementById('back').addEventListener('click', function () {
  go(currentPath().slice(0, -1));
});
document.getElementById('restart').addEventListener('click', function () { go([0]); });
window.addEventListener('hashchange', load);
if (location.hash === '') location.hash = '0'; else load();
