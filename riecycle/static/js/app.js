// Behaviour that templates declare with data attributes, so no page needs inline script
// (the Content-Security-Policy allows scripts only from /static).
(function () {
  // <form data-confirm="Vraag?">: ask before submitting.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute('data-confirm');
    if (question && !window.confirm(question)) event.preventDefault();
  });
  document.addEventListener('click', function (event) {
    var el = event.target;
    // <button data-print>: print the page.
    if (el.closest && el.closest('[data-print]')) window.print();
    // <input data-select-on-click>: select the whole value (a link to copy).
    if (el.matches && el.matches('input[data-select-on-click]')) el.select();
  });
})();
