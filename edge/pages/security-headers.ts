// The security headers of the edge's own pages (the review portal, the dashboard, /docs): our own
// script and stylesheet only, requests to this origin only, never framed.
import { secureHeaders } from "hono/secure-headers";

/** `formAction`: where the page's forms may post ("'self'" for the portal; "'none'" where there are none). */
export function pageSecurityHeaders(opts: { formAction: "'self'" | "'none'" }) {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'"],
      connectSrc: ["'self'"],
      formAction: [opts.formAction],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
    referrerPolicy: "same-origin",
    crossOriginResourcePolicy: "same-origin",
    permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
  });
}
