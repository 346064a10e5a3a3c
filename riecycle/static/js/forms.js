// Form enhancements declared with data attributes (no inline script: the CSP allows /static only).
// Without JavaScript every form still works: the plain <select multiple> and all fields stay.
(function () {
  // <select multiple data-picker>: a searchable picker with removable chips (Tom Select, vendored
  // in static/vendor/tom-select). Keyboard: type to search, arrows and Enter to pick, Backspace
  // removes the last chip. Touch: tap an option, tap the × on a chip. A live region tells screen
  // readers what was picked or removed.
  function announce(region, text) {
    region.textContent = '';
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function enhance(select) {
    if (typeof window.TomSelect === 'undefined' || select.tomselect) return;
    var removeLabel = select.getAttribute('data-remove-label') || 'Verwijderen';
    var addedLabel = select.getAttribute('data-added-label') || 'gekozen';
    var removedLabel = select.getAttribute('data-removed-label') || 'verwijderd';
    var emptyLabel = select.getAttribute('data-empty-label') || 'Niets gevonden';
    var region = document.createElement('span');
    region.className = 'visually-hidden';
    region.setAttribute('aria-live', 'polite');
    var ts = new window.TomSelect(select, {
      maxOptions: null,
      hidePlaceholder: true,
      closeAfterSelect: false,
      placeholder: select.getAttribute('data-placeholder') || '',
      render: {
        item: function (data, escape) {
          return '<div class="picker-chip">' + escape(data.text) +
            '<button type="button" class="picker-remove" tabindex="-1" aria-label="' +
            escape(removeLabel + ': ' + data.text) + '" title="' + escape(removeLabel) +
            '">×</button></div>';
        },
        no_results: function () {
          return '<div class="no-results">' + emptyLabel.replace(/[<>&]/g, '') + '</div>';
        }
      },
      onItemAdd: function (value) {
        this.setTextboxValue('');
        this.refreshOptions(false);
        var option = this.options[value];
        if (option) announce(region, option.text + ' ' + addedLabel);
      },
      onItemRemove: function (value) {
        var option = this.options[value];
        if (option) announce(region, option.text + ' ' + removedLabel);
      }
    });
    ts.wrapper.appendChild(region);
    // The original select stays in the form (it is what gets submitted) but out of reach
    // (tabindex -1); its label now names the search box, so hide the select from screen readers
    // instead of announcing an unnamed duplicate.
    select.setAttribute('aria-hidden', 'true');
    // The chip's × button: handled before Tom Select sees the press, so it removes only that chip.
    ts.wrapper.addEventListener('mousedown', function (event) {
      if (event.target.closest('.picker-remove')) {
        event.preventDefault();
        event.stopPropagation();
      }
    }, true);
    ts.wrapper.addEventListener('click', function (event) {
      var button = event.target.closest('.picker-remove');
      if (!button) return;
      event.preventDefault();
      event.stopPropagation();
      var item = button.closest('[data-value]');
      if (item) ts.removeItem(item.getAttribute('data-value'));
      ts.focus();
    }, true);
  }

  document.querySelectorAll('select[multiple][data-picker]').forEach(enhance);

  // <select data-picker-url="...">: a single choice among many (the plan's 800-team filter). The
  // page holds only the chosen option; typing asks the URL (?q=) for matches as JSON
  // {results: [{value, text}]}, within the organisation, at most 50 at a time.
  function enhanceRemote(select) {
    if (typeof window.TomSelect === 'undefined' || select.tomselect) return;
    var url = select.getAttribute('data-picker-url');
    var emptyLabel = select.getAttribute('data-empty-label') || 'Niets gevonden';
    new window.TomSelect(select, {
      valueField: 'value',
      labelField: 'text',
      searchField: 'text',
      maxOptions: 50,
      allowEmptyOption: true,
      preload: 'focus',
      loadThrottle: 250,
      placeholder: select.getAttribute('data-placeholder') || '',
      shouldLoad: function () { return true; },
      load: function (query, callback) {
        window.fetch(url + '?q=' + encodeURIComponent(query), {
          credentials: 'same-origin',
          headers: { Accept: 'application/json' }
        }).then(function (response) {
          return response.ok ? response.json() : { results: [] };
        }).then(function (data) {
          callback(data.results);
        }).catch(function () {
          callback();
        });
      },
      render: {
        no_results: function () {
          return '<div class="no-results">' + emptyLabel.replace(/[<>&]/g, '') + '</div>';
        }
      }
    });
  }

  document.querySelectorAll('select[data-picker-url]').forEach(enhanceRemote);

  // Printing shows every folded section (the OR's paper copy); afterwards the page folds back.
  var openedForPrint = [];
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details:not([open])').forEach(function (d) {
      d.open = true;
      openedForPrint.push(d);
    });
  });
  window.addEventListener('afterprint', function () {
    openedForPrint.forEach(function (d) { d.open = false; });
    openedForPrint = [];
  });
  // A link to #m12 inside folded sections unfolds them.
  function revealHash() {
    var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    for (var el = target; el; el = el.parentElement) {
      if (el.tagName === 'DETAILS') el.open = true;
    }
    if (target) target.scrollIntoView();
  }
  window.addEventListener('hashchange', revealHash);
  if (window.location.hash) revealHash();

  // <div data-show-when="field=value1 value2">: shown only while that field has one of the values
  // (the server still checks the field). data-show-keep: stay shown while a box inside is ticked.
  document.querySelectorAll('[data-show-when]').forEach(function (block) {
    var spec = block.getAttribute('data-show-when').split('=');
    var form = block.closest('form');
    if (!form || spec.length !== 2) return;
    var values = spec[1].split(' ');
    function current() {
      var field = form.elements.namedItem(spec[0]);
      return field ? field.value : '';
    }
    function update() {
      var keep = block.hasAttribute('data-show-keep') && block.querySelector('input:checked');
      block.hidden = values.indexOf(current()) === -1 && !keep;
    }
    form.addEventListener('change', function (event) {
      if (event.target.name === spec[0]) update();
    });
    update();
  });
})();
