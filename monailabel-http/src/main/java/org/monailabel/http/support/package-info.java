/**
 * HTTP plumbing shared by the handlers: query and path parameters, JSON replies, the error table,
 * request ids, CORS, the path prefix, and a streaming multipart parser that tolerates what MONAI
 * Label's real clients send.
 */
package org.monailabel.http.support;
