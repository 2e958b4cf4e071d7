// Loaded before require.js: AMD modules (the widget embed manager and its fonts) resolve against
// the site's _static folder, wherever the page sits.
var require = { baseUrl: new URL(".", document.currentScript.src).href };

// The widget embed manager typesets its labels with MathJax 2's MathJax.Hub.Queue, and the book loads MathJax 3:
// give it a Hub whose Queue asks MathJax 3 to typeset, both before MathJax has loaded and after it has started.
(function () {
  var hub = { Queue: function (job) { return window.MathJax.typesetPromise && MathJax.typesetPromise([job[2]]); } };
  var config = window.MathJax = window.MathJax || {};
  config.Hub = hub;
  config.startup = config.startup || {};
  config.startup.pageReady = function () { MathJax.Hub = hub; return MathJax.startup.defaultPageReady(); };
})();
