// Starts Swagger UI on this process's OpenAPI document. A separate file
// (not an inline script) so that /docs can send a strict
// Content-Security-Policy.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // No calls to the public validator service.
    validatorUrl: null,
  });
});
