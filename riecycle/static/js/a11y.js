// Keyboard access to what scrolls by itself (WCAG 2.1.1, axe: scrollable-region-focusable).
// A wide table scrolls inside its .table-wrap instead of widening the page. While it scrolls, the
// box is a named region in the tab order, so the arrow keys can scroll it; when it fits again it
// leaves the tab order. A box the page already made focusable is left alone.
(function () {
  function headingBefore(node) {
    for (var el = node; el && el !== document.body; el = el.parentElement) {
      for (var prev = el.previousElementSibling; prev; prev = prev.previousElementSibling) {
        if (/^H[1-6]$/.test(prev.tagName)) return prev;
        var inner = prev.querySelectorAll('h1, h2, h3, h4, h5, h6');
        if (inner.length) return inner[inner.length - 1];
      }
    }
    return null;
  }

  function nameOf(wrap) {
    var caption = wrap.querySelector('caption');
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var table = wrap.querySelector('table[aria-label]');
    if (table) return table.getAttribute('aria-label');
    var heading = headingBefore(wrap);
    if (heading && heading.textContent.trim()) return heading.textContent.trim();
    return document.title;
  }

  function update(wrap) {
    var managed = wrap.hasAttribute('data-scroll-region');
    if (!managed && wrap.hasAttribute('tabindex')) return;
    var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
    if (scrolls && !managed) {
      wrap.setAttribute('data-scroll-region', '');
      wrap.setAttribute('tabindex', '0');
      wrap.setAttribute('role', 'region');
      if (!wrap.hasAttribute('aria-label')) wrap.setAttribute('aria-label', nameOf(wrap));
    } else if (!scrolls && managed) {
      wrap.removeAttribute('data-scroll-region');
      wrap.removeAttribute('tabindex');
      wrap.removeAttribute('role');
    }
  }

  var wraps = document.querySelectorAll('.table-wrap');
  wraps.forEach(update);
  if (window.ResizeObserver) {
    var observer = new ResizeObserver(function (entries) {
      entries.forEach(function (entry) { update(entry.target.closest('.table-wrap')); });
    });
    wraps.forEach(function (wrap) {
      observer.observe(wrap);
      var table = wrap.querySelector('table');
      if (table) observer.observe(table);
    });
  }

  // On a phone the steps of the cycle scroll sideways: show the current one.
  var current = document.querySelector('.cyclenav [aria-current]');
  var strip = current && current.closest('ol');
  if (strip && strip.scrollWidth > strip.clientWidth) {
    var box = current.getBoundingClientRect(), stripBox = strip.getBoundingClientRect();
    strip.scrollLeft += box.left - stripBox.left - (stripBox.width - box.width) / 2;
  }
})();
