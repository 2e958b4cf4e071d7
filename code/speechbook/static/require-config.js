// Loaded before require.js: AMD modules (the widget embed manager and its fonts) resolve against
// the site's _static folder, wherever the page sits.
var require = { baseUrl: new URL(".", document.currentScript.src).href };
