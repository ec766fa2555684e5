// Swagger UI for the chosen service's OpenAPI document, read through the console (same origin, no CDN).
window.addEventListener("DOMContentLoaded", function () {
  var target = document.getElementById("swagger-ui");
  if (!target || !window.SwaggerUIBundle) { return; }
  window.SwaggerUIBundle({
    url: target.dataset.spec,
    domNode: target,
    deepLinking: true,
    // Reading only: the console does not hand the browser a token for the services.
    supportedSubmitMethods: [],
    validatorUrl: null
  });
});
