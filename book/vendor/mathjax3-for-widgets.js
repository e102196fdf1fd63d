// The ipywidgets HTML manager typesets widget labels with MathJax 2's API, MathJax.Hub.Queue,
// which MathJax 3 no longer has: on a page with both math and widgets that throws a TypeError.
// Give it the one call it makes, done the MathJax 3 way. Loaded before embed.js, which renders
// the widgets on the window's load event, after the deferred MathJax script has run.
document.addEventListener("DOMContentLoaded", function () {
  var mathjax = window.MathJax;
  if (!mathjax || mathjax.Hub || !mathjax.startup) {
    return;
  }
  mathjax.Hub = {
    Queue: function (command) {
      var element = command && command[2];
      mathjax.startup.promise
        .then(function () {
          return mathjax.typesetPromise(element ? [element] : undefined);
        })
        .catch(function (error) {
          console.warn("MathJax could not typeset a widget:", error);
        });
    },
  };
});
