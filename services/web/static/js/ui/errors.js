// An error as its protocol said it. The clients give every error the core's code (NOT_FOUND,
// UNAUTHENTICATED, ...) so the four can be compared; what each server actually sent is in the
// error's details and its last exchange, and the page shows that too.

/** "404 Not Found, problem /problems/not-found", "extensions.code NOT_FOUND", ... or null. */
export function inOwnWords(protocol, error) {
  const details = error?.details ?? null;
  const said = {
    rest: () => details?.status && `${details.status} ${details.title ?? ""}`.trim()
      + (details.type ? `, problem type ${details.type}` : ""),
    graphql: () => details?.extensions?.code && `errors[0].extensions.code ${details.extensions.code}`,
    grpc: () => details?.code && `grpc-status ${details.code}` + (details.details?.length
      ? ` with ${details.details.map((d) => d["@type"]?.split(".").pop()).join(", ")}` : ""),
    soap: () => details?.faultcode && `Fault, faultcode ${details.faultcode}`,
  }[protocol]?.();
  if (said) return said;
  const last = error?.exchanges?.at(-1);
  return last?.status ? last.status : null;
}
