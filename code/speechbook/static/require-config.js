// Loaded before require.js, on the book's pages and in the slide decks: AMD modules (the widget embed manager
// and its fonts) resolve against the site's _static folder, wherever the page sits.
var require = { baseUrl: new URL(".", document.currentScript.src).href };

// The widget embed manager (MathJax.Hub.Queue) and nbconvert's reveal template (MathJax.Hub.getAllJax and Rerender
// on each new slide) call MathJax 2, and the book loads MathJax 3: give them a Hub that asks MathJax 3 to typeset,
// both before MathJax has loaded and after it has started. MathJax 3 needs no rerender when a slide appears.
(function () {
  var hub = {
    Queue: function (job) { return window.MathJax.typesetPromise && MathJax.typesetPromise([job[2]]); },
    getAllJax: function () { return null; },
    Rerender: function () {}
  };
  var config = window.MathJax = window.MathJax || {};
  config.Hub = hub;
  config.startup = config.startup || {};
  config.startup.pageReady = function () { MathJax.Hub = hub; return MathJax.startup.defaultPageReady(); };
})();
