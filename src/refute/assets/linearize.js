// refute linearizable: the details panel of the operation clicked; each object's first
// operation that cannot be placed scrolled into view.
document.querySelectorAll('.scroll').forEach(function (scroll) {
  var bad = scroll.querySelector('.op.unplaceable rect');
  if (bad) scroll.scrollLeft = Math.max(0, bad.x.baseVal.value - scroll.clientWidth / 2);
});
document.addEventListener('click', function (event) {
  var op = event.target.closest('.op');
  if (!op) return;
  document.querySelectorAll('.op.selected').forEach(function (o) {
    o.classList.remove('selected');
  });
  op.classList.add('selected');
  var details = JSON.parse(op.getAttribute('data-details'));
  var table = document.createElement('table');
  Object.keys(details).forEach(function (key) {
    var tr = table.insertRow(), th = tr.insertCell(), td = tr.insertCell();
    th.textContent = key;
    td.textContent = details[key] === null ? '' : String(details[key]);
  });
  var panel = document.getElementById('details');
  panel.replaceChildren(table);
});
