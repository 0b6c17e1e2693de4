/**
 * The gateway's own URLs of a context's services, as the hand-off gives them to the app
 * (`<PUBLIC_URL>/api/v1/contexts/<context id>/…`, no query string): the ids are the random ones of
 * src/tool/model/serviceEndpoints.ts, never the LMS's URLs.
 */
export function contextMembersUrl(publicUrl: string, endpointId: string): string {
  return `${publicUrl}/api/v1/contexts/${endpointId}/members`;
}

export function contextLineItemsUrl(publicUrl: string, endpointId: string): string {
  return `${publicUrl}/api/v1/contexts/${endpointId}/line_items`;
}

export function contextLineItemUrl(publicUrl: string, endpointId: string, lineItemId: string): string {
  return `${contextLineItemsUrl(publicUrl, endpointId)}/${lineItemId}`;
}
