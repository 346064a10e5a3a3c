// Plan van Aanpak: show the team or employee field only for the chosen level.
(function () {
  var radios = document.querySelectorAll('input[name="level"]');
  if (!radios.length) return;
  function update() {
    var chosen = document.querySelector('input[name="level"]:checked');
    var level = chosen ? chosen.value : '';
    document.querySelectorAll('[data-level]').forEach(function (el) {
      el.hidden = el.getAttribute('data-level') !== level;
    });
  }
  radios.forEach(function (r) { r.addEventListener('change', update); });
  update();
})();
