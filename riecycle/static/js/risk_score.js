// The risk score while kans, frequentie and effect are chosen (docs/domain.md §4). The form
// declares the thresholds on <output data-live-score data-laag-max data-middel-max>; without
// JavaScript the output stays hidden and the score is shown after saving.
(function () {
  var output = document.querySelector('output[data-live-score]');
  if (!output) return;
  var form = output.closest('form');
  var names = ['kans', 'frequentie', 'effect'];
  var labels = {
    laag: output.getAttribute('data-label-laag'),
    middel: output.getAttribute('data-label-middel'),
    hoog: output.getAttribute('data-label-hoog')
  };
  var laagMax = parseInt(output.getAttribute('data-laag-max'), 10);
  var middelMax = parseInt(output.getAttribute('data-middel-max'), 10);
  var pending = output.getAttribute('data-pending');

  function update() {
    var score = 1;
    for (var i = 0; i < names.length; i++) {
      var field = form.elements[names[i]];
      if (!field) continue;
      var value = parseFloat(field.value);
      if (isNaN(value)) {
        output.textContent = pending;
        output.removeAttribute('data-priority');
        return;
      }
      score *= value;
    }
    score = Math.round(score * 100) / 100;
    var priority = score <= laagMax ? 'laag' : (score <= middelMax ? 'middel' : 'hoog');
    output.textContent = output.getAttribute('data-template')
      .replace('{score}', String(score)).replace('{priority}', labels[priority]);
    output.setAttribute('data-priority', priority);
  }

  output.parentElement.hidden = false;
  form.addEventListener('change', update);
  form.addEventListener('input', update);
  update();
})();
