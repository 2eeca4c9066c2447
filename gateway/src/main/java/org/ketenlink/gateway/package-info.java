/**
 * The Ketenlink application: configuration, the data path (source, normalise, derive, share,
 * journal, link), the embedded broker, the admin HTTP server and the command line.
 */
package org.ketenlink.gateway;
